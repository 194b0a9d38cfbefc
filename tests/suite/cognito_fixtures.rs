//! A user pool, clients and users for the Cognito-surface tests, and the one-call way to
//! run a request through the loop against a given lookup.

use confirmation_flow::{
    Code, Confirmation, KeyRing, Policy, ServerKey, Timestamp,
    cognito::{
        After, AppClient, AttributeSet, ClientSecret, Exception, Fresh, Lookup, Operation, Outcome,
        Pool, Reply, UserRecord, UserStatus, Write,
    },
};

use crate::common::{T0, entropy, key};

pub(crate) const REGION: &str = "us-east-1";
pub(crate) const POOL_ID: &str = "us-east-1_EXAMPLE";
pub(crate) const CLIENT_ID: &str = "7ql4example";
pub(crate) const SECRET: &str = "s3cr3t";
pub(crate) const USERNAME: &str = "alice";
pub(crate) const SUB: &str = "8f4c2e1a-0b3d-4c5e-9f6a-7b8c9d0e1f2a";
/// The `sub` new users get from [`fresh`].
pub(crate) const NEW_SUB: &str = "0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b";
pub(crate) const EMAIL: &str = "alice@example.com";
pub(crate) const ATTRIBUTES: &[(&str, &str)] = &[
    ("sub", SUB),
    ("email", EMAIL),
    ("email_verified", "false"),
    ("cognito:user_status", "UNCONFIRMED"),
];

/// The pool's secrets, owned, so that pools can borrow them.
pub(crate) struct Fixture {
    pub(crate) key: ServerKey,
    pub(crate) policy: Policy,
    pub(crate) secret: ClientSecret,
}

impl Fixture {
    pub(crate) fn new() -> Self {
        Self {
            key: key(),
            policy: Policy::COGNITO,
            secret: ClientSecret::new(SECRET),
        }
    }

    /// Email and phone auto-verified and aliases, one key.
    pub(crate) fn pool(&self) -> Pool<'_> {
        Pool {
            region: REGION,
            user_pool_id: POOL_ID,
            policy: &self.policy,
            keys: KeyRing::single(&self.key),
            auto_verified: AttributeSet::BOTH,
            aliases: AttributeSet::BOTH,
        }
    }

    /// A client without a secret; `hide` sets `PreventUserExistenceErrors`.
    pub(crate) fn public_client(hide: bool) -> AppClient<'static> {
        AppClient {
            client_id: CLIENT_ID,
            secret: None,
            prevent_user_existence_errors: hide,
            auth_sessions: Some(core::time::Duration::from_secs(180)),
        }
    }

    pub(crate) fn secret_client(&self) -> AppClient<'_> {
        AppClient {
            client_id: CLIENT_ID,
            secret: Some(&self.secret),
            prevent_user_existence_errors: false,
            auth_sessions: Some(core::time::Duration::from_secs(180)),
        }
    }

    /// Alice, unconfirmed, with a code out to her email.
    pub(crate) fn alice(&self) -> (UserRecord<'static>, Code) {
        let (confirmation, code) =
            Confirmation::issue(&self.policy, &self.key, SUB.as_bytes(), T0, &entropy(0)).unwrap();
        (record(confirmation), code)
    }
}

pub(crate) fn record(confirmation: Confirmation) -> UserRecord<'static> {
    UserRecord {
        username: USERNAME,
        subject: SUB,
        status: UserStatus::Unconfirmed,
        confirmation,
        email: Some(EMAIL),
        phone_number: None,
        attributes: ATTRIBUTES,
    }
}

/// A lookup that found `user` of `client`, and nothing else.
pub(crate) fn found<'a>(client: AppClient<'a>, user: Option<UserRecord<'a>>) -> Lookup<'a> {
    Lookup {
        client: Some(client),
        user,
        ..Lookup::default()
    }
}

/// The clock and CSPRNG of one moment: entropy seeded by the time, a fixed nonce.
pub(crate) fn fresh(now: Timestamp) -> Fresh<'static> {
    Fresh {
        now,
        entropy: entropy(u32::try_from(now.as_unix_seconds() % 1_000_000).unwrap()),
        nonce: [3; 16],
        new_subject: NEW_SUB,
    }
}

/// An outcome taken apart the way an embedder does, through its public API: the write,
/// then `applied()` for the reply and what follows (a test looks at all three, whether or
/// not it stores the write).
#[derive(Debug)]
pub(crate) struct Settled<'a> {
    pub(crate) write: Option<Write<'a>>,
    pub(crate) reply: Reply<'a>,
    pub(crate) after: After<'a>,
}

impl<'a> From<Outcome<'a>> for Settled<'a> {
    fn from(outcome: Outcome<'a>) -> Self {
        let write = outcome.write().copied();
        let (reply, after) = outcome.applied();
        Self {
            write,
            reply,
            after,
        }
    }
}

/// Runs `operation` through the loop once against `lookup` at `now`.
pub(crate) fn decide<'a>(
    pool: &Pool<'a>,
    operation: impl Into<Operation<'a>>,
    lookup: &Lookup<'a>,
    now: Timestamp,
) -> Settled<'a> {
    let operation = operation.into();
    operation.needs(pool).decide(lookup, &fresh(now)).into()
}

/// The exception an outcome answers with.
pub(crate) fn refused<'o, 'a>(outcome: &'o Settled<'a>) -> &'o Exception<'a> {
    outcome
        .reply
        .exception()
        .unwrap_or_else(|| panic!("expected an exception, got {:?}", outcome.reply))
}

/// Asserts the outcome's wire triple: `__type`, message, status 400.
pub(crate) fn assert_exception(outcome: &Settled<'_>, name: &str, message: &str) {
    let exception = refused(outcome);
    assert_eq!(exception.name(), name);
    assert_eq!(exception.to_string(), message);
    assert_eq!(outcome.reply.http_status(), 400);
}
