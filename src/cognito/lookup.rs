//! What the caller holds and looks up: the user pool, the app client, the user (or the
//! phantom in an unknown user's place), and who holds the user's email or phone as an alias.

use core::{fmt, time::Duration};

use super::{AliasAttribute, AttributeSet, ClientSecret, Exception, UserStatus};
use crate::{Confirmation, ENTROPY_LEN, KeyRing, Policy, Timestamp};

/// The user pool: fixed per deployment. It borrows, so that the crate needs no allocator;
/// a server that keeps its pools as long as it runs holds the owned form,
/// `confirmation_flow_store::OwnedPool`, and borrows this from it for each request.
#[derive(Clone, Copy, Debug)]
#[expect(
    clippy::exhaustive_structs,
    reason = "a plain set of settings the caller fills in"
)]
pub struct Pool<'a> {
    /// The region named in trigger events, e.g. `us-east-1`.
    pub region: &'a str,
    /// The pool id, e.g. `us-east-1_EXAMPLE`.
    pub user_pool_id: &'a str,
    /// Code lifetime, attempts and rate windows.
    pub policy: &'a Policy,
    /// The keys for code tags, sessions and phantom ids.
    pub keys: KeyRing<'a>,
    /// `AutoVerifiedAttributes`: where codes go (the phone first, as the service does).
    pub auto_verified: AttributeSet,
    /// `AliasAttributes` (email and phone number; `preferred_username` needs no code):
    /// a verified value of these is unique in the pool.
    pub aliases: AttributeSet,
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
    /// `PreventUserExistenceErrors` = `ENABLED`: unknown users are answered as phantoms.
    pub prevent_user_existence_errors: bool,
    /// With `ALLOW_USER_AUTH` among the client's `ExplicitAuthFlows`: how long its
    /// [`Session`](super::Session)s live (`AuthSessionValidity`, 3 to 15 minutes). `SignUp`
    /// then hands out a session, which a `ConfirmSignUp` with the right code turns into a
    /// sign-in session. `None`: the client hands out neither, as the service's do not
    /// without `ALLOW_USER_AUTH`.
    pub auth_sessions: Option<Duration>,
}

impl AppClient<'_> {
    /// The check every client operation makes once the client is known: when the client
    /// has a secret, `secret_hash` must be present and right for `username` (compared in
    /// constant time). `client_id` is the id as the request sent it, for the message.
    ///
    /// # Errors
    /// [`Exception::SecretHashMissing`] or [`Exception::SecretHashWrong`].
    pub fn authorize<'r>(
        &self,
        client_id: &'r str,
        username: &str,
        secret_hash: Option<&str>,
    ) -> Result<(), Exception<'r>> {
        match (self.secret, secret_hash) {
            (None, _) => Ok(()),
            (Some(_), None) => Err(Exception::SecretHashMissing { client_id }),
            (Some(secret), Some(hash)) if secret.verify(username, client_id, hash) => Ok(()),
            (Some(_), Some(_)) => Err(Exception::SecretHashWrong { client_id }),
        }
    }
}

/// The user a request named, as the caller's store has it.
#[derive(Clone, Copy)]
#[expect(
    clippy::exhaustive_structs,
    reason = "a plain set of values the caller fills in"
)]
pub struct UserRecord<'a> {
    /// The user's username (`userName` in trigger events).
    pub username: &'a str,
    /// The stable id bound into the user's code tags (Cognito's `sub`).
    pub subject: &'a str,
    /// The user's Cognito status.
    pub status: UserStatus,
    /// The user's stored confirmation state.
    pub confirmation: Confirmation,
    /// The `email` attribute, if the user has one.
    pub email: Option<&'a str>,
    /// The `phone_number` attribute, if the user has one.
    pub phone_number: Option<&'a str>,
    /// Every stored attribute, for the `PostConfirmation` event (may be empty).
    pub attributes: &'a [(&'a str, &'a str)],
}

impl fmt::Debug for UserRecord<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserRecord")
            .field("status", &self.status)
            .field("confirmation", &self.confirmation)
            .finish_non_exhaustive()
    }
}

/// For each alias attribute [`Needs::alias_owners`](super::Needs::alias_owners) names:
/// the *other* user, if any, who holds this user's value of it as a verified alias.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[expect(clippy::exhaustive_structs, reason = "one owner per AliasAttribute")]
pub struct AliasOwners<'a> {
    /// Who else has this user's `email` verified.
    pub email: Option<&'a str>,
    /// Who else has this user's `phone_number` verified.
    pub phone_number: Option<&'a str>,
}

impl<'a> AliasOwners<'a> {
    /// The owner of `attribute`'s value.
    #[must_use]
    pub const fn of(&self, attribute: AliasAttribute) -> Option<&'a str> {
        match attribute {
            AliasAttribute::Email => self.email,
            AliasAttribute::PhoneNumber => self.phone_number,
        }
    }
}

/// Everything the caller looked up for one request, as [`Needs`](super::Needs) asked.
#[derive(Clone, Copy, Debug, Default)]
#[expect(clippy::exhaustive_structs, reason = "a plain set of look-up results")]
pub struct Lookup<'a> {
    /// The app client named by `ClientId`, if it exists.
    pub client: Option<AppClient<'a>>,
    /// The user named by `Username`, if it exists.
    pub user: Option<UserRecord<'a>>,
    /// When the user does not exist: the state stored under
    /// [`Needs::phantom`](super::Needs::phantom), if any.
    pub phantom: Option<Confirmation>,
    /// Who else holds the user's email or phone number as a verified alias.
    pub alias_owners: AliasOwners<'a>,
}

impl<'a> Lookup<'a> {
    /// Steps 2 and 3 of every client operation: the client named `client_id` is known, and
    /// [`AppClient::authorize`] lets the request through.
    ///
    /// # Errors
    /// [`Exception::ClientNotFound`], or what [`AppClient::authorize`] refuses with.
    pub fn authorized_client<'r>(
        &self,
        client_id: &'r str,
        username: &str,
        secret_hash: Option<&str>,
    ) -> Result<AppClient<'a>, Exception<'r>> {
        let client = self.client.ok_or(Exception::ClientNotFound { client_id })?;
        client.authorize(client_id, username, secret_hash)?;
        Ok(client)
    }
}

/// The values of this moment that a decision takes from the caller: the clock and its
/// CSPRNG. Draw new ones for every decision (a re-run after a lost race included).
#[derive(Clone, Copy)]
#[expect(
    clippy::exhaustive_structs,
    reason = "a plain set of values the caller fills in"
)]
pub struct Fresh<'a> {
    /// Now.
    pub now: Timestamp,
    /// 32 random bytes for a new code (`SignUp`, `ResendConfirmationCode`).
    pub entropy: [u8; ENTROPY_LEN],
    /// 16 random bytes for a session's nonce (`SignUp`, `ConfirmSignUp`).
    pub nonce: [u8; 16],
    /// A new user's `sub` (`SignUp`; a random UUID v4, say): unique among all users, as the
    /// store keeps it. Read only when [`Operation::draws`](super::Operation::draws) says
    /// `subject`.
    pub new_subject: &'a str,
}

/// Which of [`Fresh`]'s values a decision of one operation reads
/// ([`Operation::draws`](super::Operation::draws)): draw only these; the others may be left
/// zero (or empty), they are not read. What an operation is, and whether it carries a
/// `Session`, is public, so what is drawn tells nothing about the user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[expect(
    clippy::exhaustive_structs,
    reason = "one flag per field of `Fresh`, which is exhaustive too"
)]
pub struct Draws {
    /// [`Fresh::entropy`]: `SignUp` and `ResendConfirmationCode`.
    pub entropy: bool,
    /// [`Fresh::nonce`]: `SignUp` and `ConfirmSignUp`.
    pub nonce: bool,
    /// [`Fresh::new_subject`]: `SignUp`.
    pub subject: bool,
}

impl fmt::Debug for Fresh<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fresh")
            .field("now", &self.now)
            .finish_non_exhaustive()
    }
}
