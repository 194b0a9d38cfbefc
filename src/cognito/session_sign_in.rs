//! Signing in with the `Session` a `ConfirmSignUp` handed out: `InitiateAuth` (or
//! `AdminInitiateAuth`) with `AuthFlow` `USER_AUTH`, `USERNAME` and that `Session`. The
//! session is good for that user and client, until its deadline, and once: the confirmed
//! state holds its grant ([`SignInGrant`](crate::SignInGrant)), and signing in spends it in
//! a write with compare-and-swap, so of any number of concurrent sign-ins with one session
//! exactly one is let in.
//!
//! The embedder decodes `InitiateAuth`'s members (its other flows, passwords and refresh
//! tokens, are the embedder's own) and hands this one to the loop as a [`SessionSignIn`].

use core::fmt;

use super::{
    Exception, Fresh, Lookup, Outcome, Pool, Reply, Session, SessionPurpose, Target, UserStatus,
    Valid, Write,
    members::{self, Slot, Value},
    outcome::{After, SignedIn},
    request::Redacted,
    write::Expected,
};

/// `InitiateAuth` with `AuthFlow` `USER_AUTH` and a `Session`, as the loop takes it.
///
/// `Debug` shows no secret hash or session.
#[derive(Clone, Copy, Default)]
#[expect(
    clippy::exhaustive_structs,
    reason = "the members of the flow; a new one is a breaking change, as in the SDKs"
)]
pub struct SessionSignIn<'a> {
    /// `ClientId` (required).
    pub client_id: &'a str,
    /// `AuthParameters.SECRET_HASH`, required when the client has a secret.
    pub secret_hash: Option<&'a str>,
    /// `AuthParameters.USERNAME` (required).
    pub username: &'a str,
    /// `Session`, from `ConfirmSignUp` (required).
    pub session: &'a str,
}

/// The members, in the order the service checks them.
pub(crate) const MEMBERS: &[Slot] = &[
    Slot::ClientId,
    Slot::SecretHash,
    Slot::Username,
    Slot::Session,
];

impl<'a> SessionSignIn<'a> {
    /// Checks every member against the service model.
    ///
    /// # Errors
    /// [`Exception::Validation`] listing every broken rule, in member order.
    pub fn validate(self) -> Result<Valid<Self>, Exception<'static>> {
        members::validated(self, MEMBERS, Self::value)
    }

    fn value(&self, slot: Slot) -> Value<'a> {
        match slot {
            Slot::ClientId => Value::text(Some(self.client_id)),
            Slot::SecretHash => Value::text(self.secret_hash),
            Slot::Username => Value::text(Some(self.username)),
            Slot::Session => Value::text(Some(self.session)),
            _ => Value::Free,
        }
    }
}

impl fmt::Debug for SessionSignIn<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionSignIn")
            .field("client_id", &self.client_id)
            .field("secret_hash", &Redacted::of(self.secret_hash.as_ref()))
            .field("username", &self.username)
            .field("session", &Redacted(true))
            .finish()
    }
}

/// Runs the sign-in: the client and its secret hash, the client allows `USER_AUTH`, then the
/// session (its MAC for this user's `sub`, client and purpose, its deadline), the user confirmed,
/// and its grant for this session, spent by the write. Every failure after the client's
/// checks is the one answer `Invalid session for the user.`, whether the user exists or not.
pub(crate) fn decide<'a>(
    request: &SessionSignIn<'a>,
    pool: &Pool<'a>,
    lookup: &Lookup<'a>,
    fresh: &Fresh<'a>,
) -> Outcome<'a> {
    let (client_id, username) = (request.client_id, request.username);
    let client = match lookup.authorized_client(client_id, username, request.secret_hash) {
        Ok(client) => client,
        Err(exception) => return Outcome::refuse(exception),
    };
    if client.auth_sessions.is_none() {
        return Outcome::refuse(Exception::FlowNotEnabled { flow: "USER_AUTH" });
    }
    // The session is bound to the user's `sub`: checked against the user the name finds
    // (an unknown name is checked against nobody's, the same work, and fails).
    let subject = lookup.user.map_or("", |user| user.subject);
    let purpose = SessionPurpose::SignIn;
    let verified = Session::verify(
        &pool.keys,
        request.session,
        purpose,
        subject,
        client_id,
        fresh.now,
    );
    let (Ok(verified), Some(user)) = (verified, lookup.user) else {
        return Outcome::refuse(Exception::InvalidSession);
    };
    if user.status != UserStatus::Confirmed {
        return Outcome::refuse(Exception::InvalidSession);
    }
    let before = user.confirmation;
    let Ok(state) = before.redeem_sign_in(pool.policy, &verified.nonce, fresh.now) else {
        return Outcome::refuse(Exception::InvalidSession);
    };
    Outcome::new(
        Some(Write {
            target: Target::User {
                username: user.username,
                subject: user.subject,
                attributes: None,
            },
            expected: Expected::Version(before.version()),
            state,
            status: None,
            verify: None,
            alias: None,
        }),
        Reply::SignedIn,
        After::SignIn(SignedIn {
            username: user.username,
            subject: user.subject,
            client_id,
        }),
    )
}
