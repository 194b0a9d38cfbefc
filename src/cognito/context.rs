//! What the caller looked up, what a decision refuses with, and the checks the operations
//! share (client, secret hash, user status).

use core::time::Duration;

use super::{AliasAttribute, ClientSecret, Exception, UserStatus};
use crate::{Confirmation, Policy, Refusal, ServerKey};

/// The user pool: fixed per deployment.
#[derive(Clone, Copy, Debug)]
#[expect(
    clippy::exhaustive_structs,
    reason = "a plain set of references the caller fills in"
)]
pub struct Pool<'a> {
    /// The region named in trigger events, e.g. `us-east-1`.
    pub region: &'a str,
    /// The pool id, e.g. `us-east-1_EXAMPLE`.
    pub user_pool_id: &'a str,
    /// Code lifetime, attempts and rate windows.
    pub policy: &'a Policy,
    /// The key for code tags and sessions.
    pub key: &'a ServerKey,
    /// A subject of the same length as your users' subjects (say, a fixed UUID). An unknown
    /// user under `PreventUserExistenceErrors` costs one tag over it, so the work, and the
    /// time, match a wrong code for a real user.
    pub decoy_subject: &'a [u8],
    /// How long a sign-in [`Session`](super::Session) minted by `ConfirmSignUp` lives.
    pub session_ttl: Duration,
}

/// The app client a request named, as the caller's store has it.
#[derive(Clone, Copy, Debug)]
#[expect(
    clippy::exhaustive_structs,
    reason = "a plain set of references the caller fills in"
)]
pub struct AppClient<'a> {
    /// The client's id.
    pub client_id: &'a str,
    /// The client's secret, if it has one (then every request must carry a `SecretHash`).
    pub secret: Option<&'a ClientSecret>,
    /// `PreventUserExistenceErrors` = `ENABLED`: unknown users look like wrong codes.
    pub prevent_user_existence_errors: bool,
}

/// Where a user's confirmation code was sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[expect(
    clippy::exhaustive_structs,
    reason = "an attribute and its value, nothing more"
)]
pub struct Destination<'a> {
    /// Which attribute.
    pub attribute: AliasAttribute,
    /// Its value, e.g. the email address.
    pub value: &'a str,
}

/// The user a request named, as the caller's store has it.
#[derive(Clone, Copy, Debug)]
#[expect(
    clippy::exhaustive_structs,
    reason = "a plain set of values the caller fills in"
)]
pub struct UserRecord<'a> {
    /// The user's username (`userName` in trigger events).
    pub username: &'a str,
    /// The stable id bound into the user's code tags (Cognito's `sub`).
    pub subject: &'a [u8],
    /// The user's Cognito status.
    pub status: UserStatus,
    /// The user's stored confirmation state.
    pub confirmation: Confirmation,
    /// Where codes go; the attribute a code confirmation verifies.
    pub destination: Option<Destination<'a>>,
    /// The stored attributes, for the trigger event.
    pub attributes: &'a [(&'a str, &'a str)],
}

impl UserRecord<'_> {
    /// A user who does not exist: a fresh decoy state over the pool's decoy subject, shaped
    /// like a real record so that checking it costs what checking a real user costs.
    pub(crate) fn decoy<'p>(pool: &Pool<'p>, now: crate::Timestamp) -> UserRecord<'p> {
        UserRecord {
            username: "",
            subject: pool.decoy_subject,
            status: UserStatus::Unconfirmed,
            confirmation: Confirmation::decoy(pool.policy, pool.key, now),
            destination: Some(Destination {
                attribute: AliasAttribute::Email,
                value: "",
            }),
            attributes: &[],
        }
    }
}

/// A refusal: the exception to answer with, and the state to persist first if the
/// request was counted (an attempt spent, a submission in the window).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Rejection<'a> {
    /// What to answer.
    pub exception: Exception<'a>,
    /// Write this (compare-and-swap on the old version) before answering, when present.
    pub state: Option<Confirmation>,
}

impl<'a> From<Exception<'a>> for Rejection<'a> {
    fn from(exception: Exception<'a>) -> Self {
        Self {
            exception,
            state: None,
        }
    }
}

/// Steps 2 and 3: the client is known, and its secret hash is present and right.
pub(crate) fn check_client<'a>(
    client_id: &'a str,
    secret_hash: Option<&str>,
    username: &str,
    client: Option<&AppClient<'_>>,
) -> Result<(), Exception<'a>> {
    let client = client.ok_or(Exception::ClientNotFound { client_id })?;
    match (client.secret, secret_hash) {
        (None, _) => Ok(()),
        (Some(_), None) => Err(Exception::SecretHashMissing { client_id }),
        (Some(secret), Some(hash)) if secret.verify(username, client_id, hash) => Ok(()),
        (Some(_), Some(_)) => Err(Exception::SecretHashWrong { client_id }),
    }
}

/// A core refusal in Cognito's words. A key the caller could not supply, an exhausted
/// version counter and exhausted entropy are server faults.
pub(crate) const fn exception_for(refusal: Refusal) -> Exception<'static> {
    match refusal {
        Refusal::AlreadyConfirmed => Exception::CannotConfirm {
            status: UserStatus::Confirmed,
        },
        Refusal::RateLimited { .. } => Exception::LimitExceeded,
        Refusal::TooManyAttempts => Exception::TooManyFailedAttempts,
        Refusal::Expired => Exception::ExpiredCode,
        Refusal::CodeMismatch { .. } => Exception::CodeMismatch,
        _ => Exception::InternalError,
    }
}
