//! Harness for the instruction-count gate (`.ci/icount-gate`): runs one operation once so
//! that callgrind can count it. Wall-clock numbers are `cargo bench`; these counts are the
//! same on a quiet or a busy machine, so a regression can fail CI.
//!
//! `cargo run --release --example icount -- <case>`, with `submit`,
//! `confirm_sign_up_with_secret_hash`, or `floor` (only the two keyed HMACs and two
//! constant-time comparisons that a `ConfirmSignUp` with a `SecretHash` cannot avoid).

use core::hint::black_box;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use confirmation_flow::{
    Confirmation, KeyId, Policy, ServerKey, Submission, Timestamp,
    cognito::{AppClient, ClientSecret, ConfirmLookup, ConfirmSignUp, Pool, confirm_sign_up},
};

#[path = "support/mod.rs"]
mod support;

use support::SUB;

#[inline(never)]
fn measured_submit(
    state: &Confirmation,
    policy: &Policy,
    key: &ServerKey,
    code: &str,
) -> Submission {
    black_box(state.submit(
        policy,
        key,
        SUB,
        code,
        Timestamp::from_unix_seconds(1_700_000_060),
    ))
}

#[inline(never)]
fn measured_floor(secret_key: &Hmac<Sha256>, code_key: &Hmac<Sha256>) -> bool {
    let mut mac = secret_key.clone();
    mac.update(black_box(b"alice2ects9inqraapp43ejve80pv12"));
    let hash: [u8; 32] = mac.finalize().into_bytes().into();
    let mut mac = code_key.clone();
    mac.update(b"confirmation-flow/v1/code-tag");
    mac.update(&36_u64.to_be_bytes());
    mac.update(black_box(SUB));
    mac.update(black_box(b"111111"));
    let tag: [u8; 32] = mac.finalize().into_bytes().into();
    bool::from(black_box(hash.ct_eq(&[3; 32]) & tag.ct_eq(&[4; 32])))
}

#[inline(never)]
fn measured_decision(
    pool: &Pool<'_>,
    request: &ConfirmSignUp<'_>,
    lookup: &ConfirmLookup<'_>,
) -> bool {
    let now = Timestamp::from_unix_seconds(1_700_000_060);
    black_box(confirm_sign_up(pool, request, lookup, now, &[0; 16])).is_ok()
}

fn main() -> Result<(), Box<dyn core::error::Error>> {
    let case = std::env::args().nth(1).ok_or("usage: icount <case>")?;
    let policy = Policy::COGNITO;
    let key = ServerKey::new(KeyId(1), &[7; 32]);
    let (state, code) = Confirmation::issue(
        &policy,
        &key,
        SUB,
        Timestamp::from_unix_seconds(1_700_000_000),
        &[1; 32],
    )?;
    let secret = ClientSecret::new("1a2b3c4d5e6f7g8h9i0jklmnopqrstuvwxyz1234567890abcd");
    let client_id = "2ects9inqraapp43ejve80pv12";
    let hash = secret.compute("alice", client_id);
    match case.as_str() {
        "floor" => {
            let secret_key = Hmac::<Sha256>::new_from_slice(
                b"1a2b3c4d5e6f7g8h9i0jklmnopqrstuvwxyz1234567890abcd",
            )?;
            let code_key = Hmac::<Sha256>::new_from_slice(&[7; 32])?;
            println!("{}", measured_floor(&secret_key, &code_key));
        }
        "submit" => println!(
            "{:?}",
            measured_submit(&state, &policy, &key, code.as_str()).outcome
        ),
        "confirm_sign_up_with_secret_hash" => {
            let pool = support::pool(&policy, &key);
            let request = ConfirmSignUp {
                client_id,
                secret_hash: Some(hash.as_str()),
                username: "alice",
                confirmation_code: code.as_str(),
                ..ConfirmSignUp::default()
            };
            let lookup = ConfirmLookup {
                client: Some(AppClient {
                    client_id,
                    secret: Some(&secret),
                    prevent_user_existence_errors: true,
                }),
                user: Some(support::alice(state)),
                alias_owner: None,
            };
            println!("{}", measured_decision(&pool, &request, &lookup));
        }
        other => return Err(format!("unknown case {other}").into()),
    }
    Ok(())
}
