//! Harness for the constant-time gate (`.ci/ct-gate`): runs one case once, so that
//! `valgrind --tool=callgrind` can count the instructions of the secret-dependent work.
//!
//! `cargo run --release --example ct_harness -- <case>`; the cases come in groups whose
//! counts must be identical (and a control group whose counts must differ):
//!
//! * `code-equal`, `code-first`, `code-last` — tag the right code and compare it with a
//!   stored tag that is right, or wrong in its first or its last byte (counted in
//!   `ServerKey::tag` and `Tag::matches`). Tags are crafted through `StoredState`: varying
//!   the code itself would vary the whole tag, which says nothing about the comparison;
//! * `hash-right`, `hash-first`, `hash-last` — `ClientSecret::verify`;
//! * `user-first`, `unknown-first` — the `ConfirmSignUp` decision under
//!   `PreventUserExistenceErrors` for a wrong code to a user fresh from sign-up, and for an
//!   unknown user seen for the first time;
//! * `user-again`, `phantom-again` — the same after one wrong code each: a user, and an
//!   unknown user whose phantom is stored (the same history, so the same work);
//! * `naive-first`, `naive-last` — the control: `==` on the hash strings, which must differ;
//! * `every-comparison` — one secret comparison of every size the crate makes (a tag, its
//!   replaced prefix, a code, a session, a stored state), so that `.ci/ct-disasm` finds each
//!   instance of `ct_eq` in this binary's machine code.

use core::hint::black_box;

use confirmation_flow::{
    Confirmation, KeyId, Policy, ServerKey, StoredState, Timestamp,
    cognito::{
        AppClient, ClientSecret, ConfirmSignUp, Lookup, Needs, Operation, Session, SessionPurpose,
    },
};

#[path = "support/mod.rs"]
mod support;

use support::SUB;

/// `state` with byte `index` of its stored tag flipped.
fn with_tag_byte_flipped(
    state: Confirmation,
    index: usize,
) -> Result<Confirmation, Box<dyn core::error::Error>> {
    let mut stored = StoredState::from(state);
    let mut hex: Vec<u8> = stored.tag.as_bytes().to_vec();
    let digit = hex.get_mut(index.saturating_mul(2)).ok_or("no such byte")?;
    *digit = if *digit == b'0' { b'1' } else { b'0' };
    stored.tag = core::str::from_utf8(&hex)?
        .try_into()
        .map_err(|_| "tag too long")?;
    Ok(Confirmation::try_from(stored)?)
}

/// `text` with its character at `index` replaced by a different ASCII digit or letter.
fn altered(text: &str, index: usize) -> String {
    text.char_indices()
        .map(|(i, c)| match (i == index, c) {
            (false, c) => c,
            (true, '0') => '1',
            (true, c) if c.is_ascii_digit() => '0',
            (true, 'A') => 'B',
            (true, _) => 'A',
        })
        .collect()
}

#[inline(never)]
fn measured_submit(state: &Confirmation, policy: &Policy, key: &ServerKey, code: &str) -> bool {
    let now = Timestamp::from_unix_seconds(1_700_000_060);
    black_box(state.submit_without_confirming(policy, key, SUB.as_bytes(), code, now))
        .outcome
        .is_ok()
}

#[inline(never)]
fn measured_verify(secret: &ClientSecret, candidate: &str) -> bool {
    black_box(secret.verify(black_box("alice"), black_box("7ql4example"), candidate))
}

#[inline(never)]
fn measured_naive(expected: &str, candidate: &str) -> bool {
    black_box(expected) == black_box(candidate)
}

/// Every comparison of a secret the crate makes, each size once (`ct_eq` is instantiated
/// per size): a tag and its replaced prefix through `submit`, `SecretHash`, a code, a
/// session token and a stored state.
#[inline(never)]
fn every_comparison(
    state: &Confirmation,
    policy: &Policy,
    key: &ServerKey,
    code: &str,
    secret: &ClientSecret,
    hash: &str,
) -> Result<bool, Box<dyn core::error::Error>> {
    let issued = Timestamp::from_unix_seconds(1_700_000_000);
    let (_, a) = Confirmation::issue(policy, key, SUB.as_bytes(), issued, &[1; 32])?;
    let (_, b) = Confirmation::issue(policy, key, SUB.as_bytes(), issued, &[2; 32])?;
    let mint = |nonce| {
        let ttl = core::time::Duration::from_secs(180);
        Session::mint(
            key,
            SessionPurpose::SignIn,
            "alice",
            "7ql4example",
            issued,
            ttl,
            nonce,
        )
    };
    let stored = |state: &Confirmation| StoredState::from(*state);
    Ok(measured_submit(state, policy, key, code)
        & measured_verify(secret, hash)
        & (black_box(&a) == black_box(&b))
        & (black_box(&mint(&[1; 16])) == black_box(&mint(&[2; 16])))
        & (black_box(&stored(state)) == black_box(&stored(&with_tag_byte_flipped(*state, 0)?))))
}

#[inline(never)]
fn measured_confirm(needs: &Needs<'_, '_>, lookup: &Lookup<'_>) -> bool {
    black_box(needs.decide(lookup, &support::fresh()))
        .applied()
        .0
        .exception()
        .is_none()
}

fn main() -> Result<(), Box<dyn core::error::Error>> {
    let case = std::env::args().nth(1).ok_or("usage: ct_harness <case>")?;
    let policy = Policy::COGNITO;
    let key = ServerKey::new(KeyId(1), &[7; 32]);
    let issued = Timestamp::from_unix_seconds(1_700_000_000);
    let (state, code) = Confirmation::issue(&policy, &key, SUB.as_bytes(), issued, &[1; 32])?;
    let secret = ClientSecret::new("s3cr3t");
    let hash = secret.compute("alice", "7ql4example");
    let code = code.as_str();
    let result = match case.as_str() {
        "code-equal" => measured_submit(&state, &policy, &key, code),
        "code-first" => measured_submit(&with_tag_byte_flipped(state, 0)?, &policy, &key, code),
        "code-last" => measured_submit(&with_tag_byte_flipped(state, 31)?, &policy, &key, code),
        "hash-right" => measured_verify(&secret, &hash),
        "hash-first" => measured_verify(&secret, &altered(&hash, 0)),
        "hash-last" => measured_verify(&secret, &altered(&hash, 42)),
        "every-comparison" => every_comparison(&state, &policy, &key, code, &secret, &hash)?,
        "naive-first" => measured_naive(&hash, &altered(&hash, 0)),
        "naive-last" => measured_naive(&hash, &altered(&hash, 42)),
        "user-first" | "unknown-first" | "user-again" | "phantom-again" => {
            let pool = support::pool(&policy, &key);
            let wrong = altered(code, 0);
            let request = ConfirmSignUp {
                client_id: "7ql4example",
                username: "alice",
                confirmation_code: &wrong,
                ..ConfirmSignUp::default()
            };
            let operation = Operation::from(request.validate()?);
            let needs = operation.needs(&pool);
            let client = AppClient {
                client_id: "7ql4example",
                secret: None,
                prevent_user_existence_errors: true,
                // No `ALLOW_USER_AUTH`: what the committed figures were measured on (a `SignUp`
                // that mints a session costs one HMAC more).
                auth_sessions: None,
            };
            let unknown = Lookup {
                client: Some(client),
                ..Lookup::default()
            };
            let user = Lookup {
                user: Some(support::alice(state)),
                ..unknown
            };
            // One wrong code first, stored: the user's row and the phantom's.
            let again = |lookup: &Lookup<'_>| {
                needs
                    .decide(lookup, &support::fresh())
                    .write()
                    .map(|write| write.state)
            };
            let lookup = match case.as_str() {
                "user-first" => user,
                "unknown-first" => unknown,
                "user-again" => Lookup {
                    user: again(&user).map(support::alice),
                    ..unknown
                },
                _ => Lookup {
                    phantom: again(&unknown),
                    ..unknown
                },
            };
            measured_confirm(&needs, &lookup)
        }
        other => return Err(format!("unknown case {other}").into()),
    };
    println!("{case}: {result}");
    Ok(())
}
