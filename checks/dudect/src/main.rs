//! On demand: dudect's statistical timing test (Welch's t on wall-clock samples) for the
//! secret-dependent paths, as a complement to the deterministic instruction-count gate
//! (`.ci/ct-gate`), which cannot see cache or latency effects. |t| above 4.5 suggests a
//! leak, above 10 a clear one; the `naive_eq` control should show one.
//!
//! `cargo run --release --manifest-path checks/dudect/Cargo.toml` (add `-- --continuous
//! secret_hash_verify` to keep sampling one test).

use confirmation_flow::{
    Confirmation, KeyId, KeyRing, Policy, ServerKey, StoredState, Timestamp,
    cognito::{
        AppClient, AttributeSet, ClientSecret, ConfirmSignUp, Fresh, Lookup, Operation, Pool,
        UserRecord, UserStatus,
    },
};
use dudect_bencher::{BenchRng, Class, CtRunner, ctbench_main, rand::RngExt};

const SAMPLES: usize = 100_000;
const SUB: &str = "8f4c2e1a-0b3d-4c5e-9f6a-7b8c9d0e1f2a";

/// `text` with the character at `index` changed.
fn altered(text: &str, index: usize) -> String {
    text.char_indices()
        .map(|(i, c)| {
            if i != index {
                c
            } else if c == 'A' {
                'B'
            } else {
                'A'
            }
        })
        .collect()
}

fn classes(rng: &mut BenchRng) -> Vec<Class> {
    (0..SAMPLES)
        .map(|_| {
            if rng.random::<bool>() {
                Class::Left
            } else {
                Class::Right
            }
        })
        .collect()
}

/// `ClientSecret::verify`: wrong in the first character versus wrong in the last.
fn secret_hash_verify(runner: &mut CtRunner, rng: &mut BenchRng) {
    let secret = ClientSecret::new("s3cr3t");
    let right = secret.compute("alice", "7ql4example");
    let (first, last) = (altered(&right, 0), altered(&right, 43));
    for class in classes(rng) {
        let candidate = if matches!(class, Class::Left) {
            &first
        } else {
            &last
        };
        runner.run_one(class, || secret.verify("alice", "7ql4example", candidate));
    }
}

/// A submission whose stored tag is wrong in its first byte versus its last byte.
fn code_tag_compare(runner: &mut CtRunner, rng: &mut BenchRng) {
    let (policy, key) = (Policy::COGNITO, ServerKey::new(KeyId(1), &[7; 32]));
    let now = Timestamp::from_unix_seconds(1_700_000_000);
    let Ok((state, code)) = Confirmation::issue(&policy, &key, SUB.as_bytes(), now, &[1; 32])
    else {
        return;
    };
    let flipped = |byte: usize| {
        let mut stored = StoredState::from(state);
        let mut hex = stored.tag.as_bytes().to_vec();
        hex[byte * 2] = if hex[byte * 2] == b'0' { b'1' } else { b'0' };
        stored.tag = String::from_utf8(hex)
            .unwrap_or_default()
            .as_str()
            .try_into()
            .unwrap_or_default();
        Confirmation::try_from(stored).unwrap_or(state)
    };
    let (first, last) = (flipped(0), flipped(31));
    for class in classes(rng) {
        let target = if matches!(class, Class::Left) {
            &first
        } else {
            &last
        };
        runner.run_one(class, || {
            target
                .submit_without_confirming(&policy, &key, SUB.as_bytes(), code.as_str(), now)
                .outcome
        });
    }
}

/// `ConfirmSignUp` under PreventUserExistenceErrors: a wrong code for a user fresh from
/// sign-up versus an unknown user seen for the first time (its phantom is made).
fn unknown_user(runner: &mut CtRunner, rng: &mut BenchRng) {
    let (policy, key) = (Policy::COGNITO, ServerKey::new(KeyId(1), &[7; 32]));
    let now = Timestamp::from_unix_seconds(1_700_000_000);
    let Ok((state, _)) = Confirmation::issue(&policy, &key, SUB.as_bytes(), now, &[1; 32]) else {
        return;
    };
    let pool = Pool {
        region: "us-east-1",
        user_pool_id: "us-east-1_EXAMPLE",
        policy: &policy,
        keys: KeyRing::single(&key),
        auto_verified: AttributeSet::EMAIL,
        aliases: AttributeSet::EMAIL,
    };
    let user = UserRecord {
        username: "alice",
        subject: SUB,
        status: UserStatus::Unconfirmed,
        confirmation: state,
        email: Some("alice@example.com"),
        phone_number: None,
        attributes: &[],
    };
    let client = AppClient {
        client_id: "7ql4example",
        secret: None,
        prevent_user_existence_errors: true,
        // No `ALLOW_USER_AUTH`: what the committed figures were measured on (a `SignUp`
        // that mints a session costs one HMAC more).
        auth_sessions: None,
    };
    let request = ConfirmSignUp {
        client_id: "7ql4example",
        username: "alice",
        confirmation_code: "000000",
        ..ConfirmSignUp::default()
    };
    let Ok(valid) = request.validate() else {
        return;
    };
    let operation = Operation::from(valid);
    let needs = operation.needs(&pool);
    let known = Lookup {
        client: Some(client),
        user: Some(user),
        ..Lookup::default()
    };
    let unknown = Lookup {
        user: None,
        ..known
    };
    let fresh = Fresh {
        now,
        entropy: [5; 32],
        nonce: [0; 16],
        new_subject: "",
    };
    for class in classes(rng) {
        let lookup = if matches!(class, Class::Left) {
            &known
        } else {
            &unknown
        };
        runner.run_one(class, || needs.decide(lookup, &fresh).write().is_some());
    }
}

/// The control: `==` on 1 KiB strings differing first versus last must show a leak.
fn naive_eq(runner: &mut CtRunner, rng: &mut BenchRng) {
    let right = "A".repeat(1024);
    let (first, last) = (altered(&right, 0), altered(&right, 1023));
    for class in classes(rng) {
        let candidate = if matches!(class, Class::Left) {
            &first
        } else {
            &last
        };
        runner.run_one(class, || *candidate == right);
    }
}

ctbench_main!(secret_hash_verify, code_tag_compare, unknown_user, naive_eq);
