//! Arbitrary request JSON and arbitrary stored state through the loop: decode → validate →
//! needs → decide, for every operation.
//!
//! Invariants, beyond "nothing panics":
//! * a body that does not validate is answered `InvalidParameterException` (400);
//! * `ConfirmSignUp` succeeds only with the code that was issued, writes `CONFIRMED` with a
//!   compare-and-swap on the version read, and takes an alias from its owner only with
//!   `ForceAliasCreation`;
//! * a `SignUp` that creates a user named only well-formed `email` and `phone_number`
//!   values (one spelling per destination budget), and its write carries exactly them;
//! * a write on a refusal holds exactly the next version and is never a confirmation;
//! * an unknown user under `PreventUserExistenceErrors` is never confirmed, and is written
//!   as a phantom (a new row, or the next version of the stored one) with no status,
//!   attribute or alias change; without it, `UserNotFoundException` and no write;
//! * every reply has status 200, 400 or 500 and a body that serializes.
//!
//! Input layout (so seeds are easy to write): byte 0 picks the operation, byte 1 holds flags
//! (user exists, hide users, alias owner, client secret, phantom stored), bytes 2..6 are
//! seconds since the code was issued (big-endian), then the request body, a NUL, and an
//! optional stored state.
#![no_main]

use confirmation_flow::{
    Confirmation, KeyId, KeyRing, Policy, ServerKey, Status, Timestamp,
    cognito::{
        AliasAttribute, AliasClaim, AliasOwners, AppClient, AttributeSet, Body, ClientSecret,
        Expected, Fresh, Lookup, Operation, OperationName, Pool, Reply, Target, UserRecord,
        UserStatus,
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
    phantom_stored: bool,
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
            phantom_stored: flags & 16 != 0,
            seconds_later: u32::from_be_bytes([a, b, c, d]),
        })
    }
}

const SUBJECT: &str = "8f4c2e1a-0b3d-4c5e-9f6a-7b8c9d0e1f2a";
const ISSUED: Timestamp = Timestamp::from_unix_seconds(1_700_000_000);
const OPERATIONS: [OperationName; 4] = [
    OperationName::ConfirmSignUp,
    OperationName::ResendConfirmationCode,
    OperationName::AdminConfirmSignUp,
    OperationName::SignUp,
];

fn check_reply(reply: &Reply<'_>) {
    assert!(matches!(reply.http_status(), 200 | 400 | 500));
    let mut buffer = [0_u8; 4096];
    let mut cursor = &mut buffer[..];
    serde_json::to_writer(&mut cursor, &reply.body()).expect("reply bodies serialize");
}

fuzz_target!(|data: &[u8]| {
    let Some(input) = Input::parse(data) else {
        return;
    };
    let policy = Policy::COGNITO;
    let key = ServerKey::new(KeyId(1), &[7; 32]);
    let secret = ClientSecret::new("s3cr3t");
    let (fresh_state, code) =
        Confirmation::issue(&policy, &key, SUBJECT.as_bytes(), ISSUED, &[1; 32])
            .expect("fixed entropy fills a code");
    let state = serde_json::from_str::<Confirmation>(input.stored).unwrap_or(fresh_state);
    let now = ISSUED.saturating_add(core::time::Duration::from_secs(input.seconds_later.into()));
    let pool = Pool {
        region: "us-east-1",
        user_pool_id: "us-east-1_EXAMPLE",
        policy: &policy,
        keys: KeyRing::single(&key),
        auto_verified: AttributeSet::BOTH,
        aliases: AttributeSet::BOTH,
    };
    let operation_name = OPERATIONS[usize::from(input.operation) % OPERATIONS.len()];
    let mut json = serde_json::Deserializer::from_str(input.body);
    let mut body = Body::new(operation_name);
    if body.decode(&mut json).is_err() {
        return;
    }
    let operation = match body.operation() {
        Ok(operation) => operation,
        Err(exception) => {
            assert_eq!(exception.name(), "InvalidParameterException");
            return check_reply(&Reply::Exception(exception));
        }
    };
    let client_id = match &operation {
        Operation::SignUp(request) => request.client_id,
        Operation::ConfirmSignUp(request) => request.client_id,
        Operation::ResendConfirmationCode(request) => request.client_id,
        _ => "",
    };
    let client = (client_id == "client123").then_some(AppClient {
        client_id: "client123",
        secret: input.with_secret.then_some(&secret),
        prevent_user_existence_errors: input.hide_users,
        auth_sessions: Some(core::time::Duration::from_secs(180)),
    });
    let user = input.user_exists.then_some(UserRecord {
        username: "alice",
        subject: SUBJECT,
        status: if state.status() == Status::Confirmed {
            UserStatus::Confirmed
        } else {
            UserStatus::Unconfirmed
        },
        confirmation: state,
        email: Some("alice@example.com"),
        phone_number: None,
        attributes: &[("email", "alice@example.com")],
    });
    let lookup = Lookup {
        client,
        user,
        phantom: (input.phantom_stored && !input.user_exists).then_some(state),
        alias_owners: AliasOwners {
            email: input.alias_owner.then_some("bob"),
            phone_number: None,
        },
    };
    let fresh = Fresh {
        now,
        entropy: [3; 32],
        nonce: [2; 16],
        new_subject: "0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b",
    };
    let needs = operation.needs(&pool);
    let outcome = needs.decide(&lookup, &fresh);
    let written = outcome.write().copied();
    let (reply, _) = outcome.applied();
    check_reply(&reply);
    let confirmed = matches!(reply, Reply::ConfirmSignUp { .. });
    if let Operation::ConfirmSignUp(request) = &operation {
        if confirmed {
            assert_eq!(
                request.confirmation_code,
                code.as_str(),
                "confirmed only by the issued code"
            );
        }
    }
    let Some(write) = written else {
        return;
    };
    let exists = |version| match lookup.user {
        Some(user) => version == Expected::Version(user.confirmation.version()),
        None => false,
    };
    match write.target {
        Target::Phantom(_) => {
            assert!(lookup.user.is_none() && input.hide_users);
            assert_ne!(
                write.state.status(),
                Status::Confirmed,
                "a phantom is never confirmed"
            );
            assert_eq!(
                (write.status, write.verify, write.alias),
                (None, None, None)
            );
            let expected = lookup
                .phantom
                .map_or(Expected::Absent, |p| Expected::Version(p.version()));
            assert_eq!(write.expected, expected);
            if let Some(stored) = lookup.phantom {
                assert_eq!(write.state.version(), stored.version() + 1);
            }
        }
        Target::User { attributes, .. } if matches!(operation, Operation::SignUp(_)) => {
            assert!(lookup.user.is_none());
            assert_eq!(write.expected, Expected::Absent);
            if let Operation::SignUp(request) = &operation {
                let carried = attributes.expect("a sign-up's write carries its attributes");
                assert_eq!(carried.email, request.attribute("email"));
                assert_eq!(carried.phone_number, request.attribute("phone_number"));
                for (name, value) in request.user_attributes.iter().flat_map(|list| list.iter()) {
                    for attribute in [AliasAttribute::Email, AliasAttribute::PhoneNumber] {
                        assert!(
                            name != attribute.as_str() || attribute.accepts(value),
                            "a malformed {attribute} was signed up"
                        );
                    }
                }
            }
        }
        Target::User { .. } => {
            assert!(
                exists(write.expected),
                "a user's write is a CAS on the version read"
            );
            assert_eq!(write.state.version(), state.version() + 1);
            let confirming = write.status == Some(UserStatus::Confirmed);
            assert_eq!(confirming, write.state.status() == Status::Confirmed);
            if let Some(AliasClaim::TakeFrom { owner, .. }) = write.alias {
                assert_eq!(owner, "bob");
                let Operation::ConfirmSignUp(request) = &operation else {
                    panic!("only ConfirmSignUp claims aliases");
                };
                assert!(
                    request.force_alias_creation,
                    "an alias moves only with the flag"
                );
            }
        }
    }
    if reply.exception().is_some() {
        assert_ne!(write.state.status(), Status::Confirmed);
    }
    // SecretHash: an arbitrary candidate verifies only if it is the computed hash.
    let verified = secret.verify("alice", "client123", input.body);
    assert_eq!(
        verified,
        input.body == secret.compute("alice", "client123").as_str()
    );
});
