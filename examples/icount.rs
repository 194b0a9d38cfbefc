//! Harness for the instruction-count gate (`.ci/icount-gate`): runs one operation once so
//! that callgrind can count it. Wall-clock numbers are `cargo bench`; these counts are the
//! same on a quiet or a busy machine, so a regression can fail CI.
//!
//! `cargo run --release --example icount -- <case>`, with
//! * `submit` — one submission to the state machine;
//! * `confirm_sign_up_with_secret_hash` — the whole `ConfirmSignUp` decision
//!   (`Needs::decide`) for a client with a secret;
//! * `needs` — what `ConfirmSignUp` must look up, the phantom id's HMAC included;
//! * `sign_up` — the whole `SignUp` decision for a public client, an email and a phone
//!   number (their formats checked, the first code issued and tagged);
//! * `floor` — only the two keyed HMACs and two constant-time comparisons that a
//!   `ConfirmSignUp` with a `SecretHash` cannot avoid.

use core::hint::black_box;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use confirmation_flow::{
    Confirmation, KeyId, Policy, ServerKey, Submission, Timestamp,
    cognito::{
        AppClient, ClientSecret, ConfirmSignUp, Lookup, Needs, Operation, Pool, SignUp,
        UserAttributes,
    },
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
        SUB.as_bytes(),
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
    mac.update(black_box(SUB.as_bytes()));
    mac.update(black_box(b"111111"));
    let tag: [u8; 32] = mac.finalize().into_bytes().into();
    bool::from(black_box(hash.ct_eq(&[3; 32]) & tag.ct_eq(&[4; 32])))
}

#[inline(never)]
fn measured_decision(needs: &Needs<'_, '_>, lookup: &Lookup<'_>) -> bool {
    black_box(needs.decide(lookup, &support::fresh()))
        .applied()
        .0
        .exception()
        .is_none()
}

#[inline(never)]
fn measured_needs<'n>(operation: &'n Operation<'_>, pool: &'n Pool<'_>) -> bool {
    black_box(operation.needs(pool)).phantom().is_some()
}

fn main() -> Result<(), Box<dyn core::error::Error>> {
    let case = std::env::args().nth(1).ok_or("usage: icount <case>")?;
    let policy = Policy::COGNITO;
    let key = ServerKey::new(KeyId(1), &[7; 32]);
    let issued = Timestamp::from_unix_seconds(1_700_000_000);
    let (state, code) = Confirmation::issue(&policy, &key, SUB.as_bytes(), issued, &[1; 32])?;
    let secret = ClientSecret::new("1a2b3c4d5e6f7g8h9i0jklmnopqrstuvwxyz1234567890abcd");
    let client_id = "2ects9inqraapp43ejve80pv12";
    let hash = secret.compute("alice", client_id);
    let pool = support::pool(&policy, &key);
    let request = ConfirmSignUp {
        client_id,
        secret_hash: Some(hash.as_str()),
        username: "alice",
        confirmation_code: code.as_str(),
        ..ConfirmSignUp::default()
    };
    let operation = Operation::from(request.validate()?);
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
        "needs" => println!("{}", measured_needs(&operation, &pool)),
        "confirm_sign_up_with_secret_hash" => {
            let lookup = Lookup {
                client: Some(AppClient {
                    client_id,
                    secret: Some(&secret),
                    prevent_user_existence_errors: true,
                    // No `ALLOW_USER_AUTH`: what the committed figures were measured on (a `SignUp`
                    // that mints a session costs one HMAC more).
                    auth_sessions: None,
                }),
                user: Some(support::alice(state)),
                ..Lookup::default()
            };
            let needs = operation.needs(&pool);
            println!("{}", measured_decision(&needs, &lookup));
        }
        "sign_up" => {
            let attributes = [
                ("email", "alice.liddell+news@example.com"),
                ("phone_number", "+12125551212"),
            ];
            let request = SignUp {
                client_id,
                username: "alice",
                password: Some("Passw0rd!"),
                user_attributes: Some(UserAttributes::new(&attributes)),
                ..SignUp::default()
            };
            let operation = Operation::from(request.validate()?);
            let lookup = Lookup {
                client: Some(AppClient {
                    client_id,
                    secret: None,
                    prevent_user_existence_errors: true,
                    // No `ALLOW_USER_AUTH`: what the committed figures were measured on (a `SignUp`
                    // that mints a session costs one HMAC more).
                    auth_sessions: None,
                }),
                ..Lookup::default()
            };
            let needs = operation.needs(&pool);
            println!("{}", measured_decision(&needs, &lookup));
        }
        other => return Err(format!("unknown case {other}").into()),
    }
    Ok(())
}
