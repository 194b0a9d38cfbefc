//! Arbitrary request JSON and arbitrary stored state through decode → validate → decide.
//!
//! Invariants, beyond "nothing panics":
//! * a body that does not validate is answered `InvalidParameterException` (400);
//! * `ConfirmSignUp` succeeds only with the code that was issued, and moves an alias only
//!   with `ForceAliasCreation`;
//! * a rejected request that was counted hands back exactly the next version, never
//!   confirmed;
//! * an unknown user under `PreventUserExistenceErrors` is answered exactly like a wrong
//!   code, and without it `UserNotFoundException`;
//! * every exception has a 400 or 500 status and a serializable body.
//!
//! Input layout (so seeds are easy to write): byte 0 picks the operation, byte 1 holds flags
//! (user exists, hide users, alias owner, client secret), bytes 2..6 are seconds since the
//! code was issued (big-endian), then the request body, a NUL, and an optional stored state.
#![no_main]

use confirmation_flow::{
    Confirmation, KeyId, Policy, ServerKey, Status, Timestamp,
    cognito::{
        AdminConfirmSignUpBody, AliasAttribute, AppClient, ClientSecret, ConfirmLookup,
        ConfirmSignUpBody, Destination, Exception, Pool, Rejection, ResendConfirmationCodeBody,
        UserRecord, UserStatus, admin_confirm_sign_up, confirm_sign_up, resend_confirmation_code,
    },
};
use libfuzzer_sys::fuzz_target;

struct Input<'a> {
    operation: u8,
    body: &'a str,
    stored: &'a str,
    user_exists: bool,
    hide_users: bool,
    alias_owner: bool,
    with_secret: bool,
    seconds_later: u32,
}

impl<'a> Input<'a> {
    fn parse(data: &'a [u8]) -> Option<Self> {
        let (&[operation, flags, a, b, c, d], rest) = data.split_first_chunk::<6>()?;
        let text = core::str::from_utf8(rest).ok()?;
        let (body, stored) = text.split_once('\0').unwrap_or((text, ""));
        Some(Self {
            operation,
            body,
            stored,
            user_exists: flags & 1 != 0,
            hide_users: flags & 2 != 0,
            alias_owner: flags & 4 != 0,
            with_secret: flags & 8 != 0,
            seconds_later: u32::from_be_bytes([a, b, c, d]),
        })
    }
}

const SUBJECT: &[u8] = b"8f4c2e1a-0b3d-4c5e-9f6a-7b8c9d0e1f2a";
const ISSUED: Timestamp = Timestamp::from_unix_seconds(1_700_000_000);

fn check_exception(exception: &Exception<'_>) {
    assert!(matches!(exception.http_status(), 400 | 500));
    let mut buffer = [0_u8; 4096];
    let mut cursor = &mut buffer[..];
    serde_json::to_writer(&mut cursor, &exception.body()).expect("error bodies serialize");
}

fn check_rejection(rejection: &Rejection<'_>, before: &Confirmation) {
    check_exception(&rejection.exception);
    if let Some(state) = rejection.state {
        assert_eq!(state.version(), before.version() + 1);
        assert_ne!(state.status(), Status::Confirmed);
    }
}

fuzz_target!(|data: &[u8]| {
    let Some(input) = Input::parse(data) else {
        return;
    };
    let policy = Policy::COGNITO;
    let key = ServerKey::new(KeyId(1), &[7; 32]);
    let secret = ClientSecret::new("s3cr3t");
    let (fresh, code) = Confirmation::issue(&policy, &key, SUBJECT, ISSUED, &[1; 32])
        .expect("fixed entropy fills a code");
    let state = serde_json::from_str::<Confirmation>(input.stored).unwrap_or(fresh);
    let now = ISSUED.saturating_add(core::time::Duration::from_secs(input.seconds_later.into()));
    let pool = Pool {
        region: "us-east-1",
        user_pool_id: "us-east-1_EXAMPLE",
        policy: &policy,
        key: &key,
        decoy_subject: SUBJECT,
        session_ttl: core::time::Duration::from_secs(180),
    };
    let client = AppClient {
        client_id: "client123",
        secret: input.with_secret.then_some(&secret),
        prevent_user_existence_errors: input.hide_users,
    };
    let user = UserRecord {
        username: "alice",
        subject: SUBJECT,
        status: if state.status() == Status::Confirmed {
            UserStatus::Confirmed
        } else {
            UserStatus::Unconfirmed
        },
        confirmation: state,
        destination: Some(Destination {
            attribute: AliasAttribute::Email,
            value: "alice@example.com",
        }),
        attributes: &[("email", "alice@example.com")],
    };
    let user = input.user_exists.then_some(user);
    match input.operation % 3 {
        0 => {
            let Ok(body) = serde_json::from_str::<ConfirmSignUpBody>(input.body) else {
                return;
            };
            let request = match body.request() {
                Ok(request) => request,
                Err(exception) => {
                    assert_eq!(exception.name(), "InvalidParameterException");
                    return check_exception(&exception);
                }
            };
            let lookup = ConfirmLookup {
                client: (request.client_id == "client123").then_some(client),
                user,
                alias_owner: input.alias_owner.then_some("bob"),
            };
            match confirm_sign_up(&pool, &request, &lookup, now, &[2; 16]) {
                Ok(done) => {
                    assert_eq!(
                        request.confirmation_code,
                        code.as_str(),
                        "confirmed only by the issued code"
                    );
                    assert!(done.alias_taken_from.is_none() || request.force_alias_creation);
                    assert_eq!(done.state.status(), Status::Confirmed);
                    let _ = serde_json::to_vec(&done.event).expect("events serialize");
                }
                Err(rejection) => {
                    check_rejection(&rejection, &state);
                    if lookup.user.is_none() && lookup.client.is_some() && !input.with_secret {
                        let expected = if input.hide_users {
                            Exception::CodeMismatch
                        } else {
                            Exception::UserNotFound
                        };
                        assert_eq!(rejection.exception, expected);
                    }
                }
            }
        }
        1 => {
            let Ok(body) = serde_json::from_str::<ResendConfirmationCodeBody>(input.body) else {
                return;
            };
            let Ok(request) = body.request() else { return };
            let client = (request.client_id == "client123").then_some(client);
            match resend_confirmation_code(
                &pool,
                &request,
                client.as_ref(),
                user.as_ref(),
                now,
                &[3; 32],
            ) {
                Ok(sent) => {
                    if let Some(next) = sent.state {
                        assert_eq!(next.version(), state.version() + 1);
                        assert_eq!(next.status(), Status::Pending);
                    }
                    let _ = serde_json::to_vec(&sent.response()).expect("responses serialize");
                }
                Err(rejection) => check_rejection(&rejection, &state),
            }
        }
        _ => {
            let Ok(body) = serde_json::from_str::<AdminConfirmSignUpBody>(input.body) else {
                return;
            };
            let Ok(request) = body.request() else { return };
            match admin_confirm_sign_up(&pool, &request, user.as_ref(), now) {
                Ok(done) => assert_eq!(done.state.status(), Status::Confirmed),
                Err(rejection) => check_rejection(&rejection, &state),
            }
        }
    }
    // SecretHash: an arbitrary candidate verifies only if it is the computed hash.
    let verified = secret.verify("alice", "client123", input.body);
    assert_eq!(
        verified,
        input.body == secret.compute("alice", "client123").as_str()
    );
});
