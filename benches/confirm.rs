//! Wall-clock benchmarks, each readable as a ratio to the `floor` group measured in the same
//! run: the cryptography a confirmation cannot avoid, with keys precomputed.
//!
//! `cargo bench --features serde --bench confirm` (docs/PERFORMANCE.md shows one
//! run). Instruction-count limits, which do not depend on the machine's noise, are
//! `.ci/icount-gate`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "benchmark set-up fails loudly"
)]
#![allow(
    clippy::wildcard_imports,
    reason = "each group module shares the file's set-up"
)]

use confirmation_flow::{
    Code, Confirmation, KeyId, KeyRing, Policy, ServerKey, Timestamp,
    cognito::{
        AppClient, AttributeSet, Body, ClientSecret, ConfirmSignUp, Fresh, Lookup, Operation,
        OperationName, Pool, UserRecord, UserStatus,
    },
};
use divan::{Bencher, black_box};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

fn main() {
    divan::main();
}

const SUB: &str = "8f4c2e1a-0b3d-4c5e-9f6a-7b8c9d0e1f2a";
const SECRET: &str = "1a2b3c4d5e6f7g8h9i0jklmnopqrstuvwxyz1234567890abcd";
const CLIENT: &str = "2ects9inqraapp43ejve80pv12";
const USER: &str = "alice";
const T0: Timestamp = Timestamp::from_unix_seconds(1_700_000_000);
const NOW: Timestamp = Timestamp::from_unix_seconds(1_700_000_060);

struct World {
    policy: Policy,
    key: ServerKey,
    secret: ClientSecret,
    state: Confirmation,
    code: Code,
    hash: heapless::String<44>,
}

fn world() -> World {
    let policy = Policy::COGNITO;
    let key = ServerKey::new(KeyId(1), &[7; 32]);
    let (state, code) = Confirmation::issue(&policy, &key, SUB.as_bytes(), T0, &[1; 32]).unwrap();
    let secret = ClientSecret::new(SECRET);
    let hash = secret.compute(USER, CLIENT);
    World {
        policy,
        key,
        secret,
        state,
        code,
        hash,
    }
}

/// The floor: only what a `ConfirmSignUp` with a `SecretHash` cannot avoid — two keyed
/// HMAC-SHA-256s (`SecretHash`, code tag) and two 32-byte constant-time comparisons.
mod floor {
    use super::*;

    type HmacSha256 = Hmac<Sha256>;

    #[divan::bench]
    fn confirm_with_secret_hash(bencher: Bencher<'_, '_>) {
        let secret_key = HmacSha256::new_from_slice(SECRET.as_bytes()).unwrap();
        let code_key = HmacSha256::new_from_slice(&[7; 32]).unwrap();
        let (expected_hash, expected_tag) = ([3_u8; 32], [4_u8; 32]);
        bencher.bench_local(|| {
            let mut mac = secret_key.clone();
            mac.update(black_box(USER).as_bytes());
            mac.update(black_box(CLIENT).as_bytes());
            let hash: [u8; 32] = mac.finalize().into_bytes().into();
            let mut mac = code_key.clone();
            mac.update(b"confirmation-flow/v1/code-tag");
            mac.update(&36_u64.to_be_bytes());
            mac.update(black_box(SUB.as_bytes()));
            mac.update(black_box(b"111111"));
            let tag: [u8; 32] = mac.finalize().into_bytes().into();
            black_box(hash.ct_eq(&expected_hash) & tag.ct_eq(&expected_tag))
        });
    }

    #[divan::bench]
    fn submit(bencher: Bencher<'_, '_>) {
        let code_key = HmacSha256::new_from_slice(&[7; 32]).unwrap();
        let expected_tag = [4_u8; 32];
        bencher.bench_local(|| {
            let mut mac = code_key.clone();
            mac.update(b"confirmation-flow/v1/code-tag");
            mac.update(&36_u64.to_be_bytes());
            mac.update(black_box(SUB.as_bytes()));
            mac.update(black_box(b"111111"));
            let tag: [u8; 32] = mac.finalize().into_bytes().into();
            black_box(tag.ct_eq(&expected_tag))
        });
    }
}

mod core_machine {
    use super::*;

    #[divan::bench]
    fn issue(bencher: Bencher<'_, '_>) {
        let world = world();
        bencher.bench_local(|| {
            Confirmation::issue(
                &world.policy,
                &world.key,
                black_box(SUB.as_bytes()),
                T0,
                black_box(&[1; 32]),
            )
        });
    }

    #[divan::bench]
    fn submit_right(bencher: Bencher<'_, '_>) {
        let world = world();
        bencher.bench_local(|| {
            black_box(world.state).submit(
                &world.policy,
                &world.key,
                SUB.as_bytes(),
                black_box(world.code.as_str()),
                NOW,
            )
        });
    }

    #[divan::bench]
    fn submit_wrong(bencher: Bencher<'_, '_>) {
        let world = world();
        bencher.bench_local(|| {
            black_box(world.state).submit(
                &world.policy,
                &world.key,
                SUB.as_bytes(),
                black_box("000000"),
                NOW,
            )
        });
    }

    #[divan::bench]
    fn status_read(bencher: Bencher<'_, '_>) {
        let world = world();
        bencher.bench_local(|| black_box(world.state).status_at(black_box(NOW)));
    }

    #[divan::bench]
    fn code_generation(bencher: Bencher<'_, '_>) {
        let policy = Policy::COGNITO;
        bencher.bench_local(|| Code::generate(&policy, black_box(&[1; 32])));
    }
}

mod cognito {
    use super::*;

    #[divan::bench]
    fn secret_hash_verify_precomputed(bencher: Bencher<'_, '_>) {
        let world = world();
        bencher.bench_local(|| {
            world
                .secret
                .verify(black_box(USER), black_box(CLIENT), black_box(&world.hash))
        });
    }

    #[divan::bench]
    fn secret_hash_verify_keying_each_time(bencher: Bencher<'_, '_>) {
        let world = world();
        bencher.bench_local(|| {
            ClientSecret::new(black_box(SECRET)).verify(USER, CLIENT, black_box(&world.hash))
        });
    }

    #[divan::bench]
    fn request_validation(bencher: Bencher<'_, '_>) {
        let world = world();
        let request = ConfirmSignUp {
            client_id: CLIENT,
            secret_hash: Some(&world.hash),
            username: USER,
            confirmation_code: world.code.as_str(),
            ..ConfirmSignUp::default()
        };
        bencher.bench_local(|| black_box(&request).validate());
    }

    #[divan::bench]
    fn json_decode_confirm_sign_up(bencher: Bencher<'_, '_>) {
        let body = br#"{"ClientId": "2ects9inqraapp43ejve80pv12", "SecretHash": "HbbqUsa7lEX/PGMaWSAqwMPbq/y9Bl2O24l+0wCxsus=", "Username": "alice", "ConfirmationCode": "111111"}"#;
        let mut decoded = Body::new(OperationName::ConfirmSignUp);
        bencher.bench_local(|| {
            let mut json = serde_json::Deserializer::from_slice(black_box(body));
            decoded = Body::new(OperationName::ConfirmSignUp);
            decoded.decode(&mut json).unwrap();
            black_box(&decoded);
        });
    }

    fn pool(world: &World) -> Pool<'_> {
        Pool {
            region: "us-east-1",
            user_pool_id: "us-east-1_EXAMPLE",
            policy: &world.policy,
            keys: KeyRing::single(&world.key),
            auto_verified: AttributeSet::EMAIL,
            aliases: AttributeSet::EMAIL,
        }
    }

    fn request(world: &World, with_secret: bool) -> ConfirmSignUp<'_> {
        ConfirmSignUp {
            client_id: CLIENT,
            secret_hash: with_secret.then_some(world.hash.as_str()),
            username: USER,
            confirmation_code: world.code.as_str(),
            ..ConfirmSignUp::default()
        }
    }

    /// The decision alone (`Needs::decide`): the request validated, the look-ups done.
    fn decision(bencher: Bencher<'_, '_>, with_secret: bool) {
        let world = world();
        let pool = pool(&world);
        let client = AppClient {
            client_id: CLIENT,
            secret: with_secret.then_some(&world.secret),
            prevent_user_existence_errors: true,
            // No `ALLOW_USER_AUTH`: what the committed figures were measured on (a `SignUp`
            // that mints a session costs one HMAC more).
            auth_sessions: None,
        };
        let user = UserRecord {
            username: USER,
            subject: SUB,
            status: UserStatus::Unconfirmed,
            confirmation: world.state,
            email: Some("alice@example.com"),
            phone_number: None,
            attributes: &[],
        };
        let operation = Operation::from(request(&world, with_secret).validate().unwrap());
        let needs = operation.needs(&pool);
        let lookup = Lookup {
            client: Some(client),
            user: Some(user),
            ..Lookup::default()
        };
        let fresh = Fresh {
            now: NOW,
            entropy: [5; 32],
            nonce: [0; 16],
            new_subject: "",
        };
        bencher.bench_local(|| {
            black_box(&needs)
                .decide(black_box(&lookup), &fresh)
                .applied()
                .0
                .exception()
                .is_none()
        });
    }

    #[divan::bench]
    fn confirm_sign_up_decision(bencher: Bencher<'_, '_>) {
        decision(bencher, false);
    }

    #[divan::bench]
    fn confirm_sign_up_decision_with_secret_hash(bencher: Bencher<'_, '_>) {
        decision(bencher, true);
    }

    /// What `ConfirmSignUp` must look up: the phantom id's HMAC.
    #[divan::bench]
    fn confirm_sign_up_needs(bencher: Bencher<'_, '_>) {
        let world = world();
        let pool = pool(&world);
        let operation = Operation::from(request(&world, true).validate().unwrap());
        bencher.bench_local(|| black_box(&operation).needs(&pool).phantom());
    }
}
