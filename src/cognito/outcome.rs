//! `Outcome`: what one decision says to do, as data — the write, the reply, and what
//! follows the write.

use core::fmt;

use super::{
    AliasAttribute, CodeDeliveryDetails, Destination, Exception, PhantomId, PostConfirmationEvent,
    Session, TriggerOutcome, UserStatus, request::Redacted,
};
use crate::{Code, Confirmation};

/// The result of [`Needs::decide`](super::Needs::decide). Its order is its API:
///
/// 1. [`write`](Self::write), when present: store it in one transaction that checks every
///    condition it states. If the store refuses a condition, the request lost a race: drop
///    this outcome, look up again and decide again.
/// 2. [`applied`](Self::applied), once the write is stored (or there is none), gives the
///    reply and what follows. It is the one way to them, and it spends the outcome: the
///    order is in the code that calls it, in one place. (The crate cannot see your store;
///    `confirmation-flow-store`'s `Driver` holds what follows until the write is stored.)
/// 3. [`After`]'s trigger, if it is one (its failure changes the reply:
///    [`Reply::after_trigger`]);
/// 4. answer with the [`Reply`];
/// 5. [`After`]'s delivery, if it is one (it may follow the answer).
///
/// ```compile_fail,E0616
/// # fn peek(outcome: confirmation_flow::cognito::Outcome<'_>) {
/// let early = outcome.reply; // error[E0616]: the reply is private until `applied()`
/// # }
/// ```
#[must_use = "an outcome's write must be stored before `applied()` gives its reply"]
pub struct Outcome<'a> {
    write: Option<Write<'a>>,
    reply: Reply<'a>,
    after: After<'a>,
}

impl<'a> Outcome<'a> {
    /// What to store; `None` when the request changes nothing (then call
    /// [`applied`](Self::applied) straight away).
    #[must_use]
    pub const fn write(&self) -> Option<&Write<'a>> {
        self.write.as_ref()
    }

    /// The reply and what follows it. Call this once [`write`](Self::write) is stored, or
    /// when there is none; after a lost race, drop the outcome instead. Taking them before
    /// the write is stored is only for turning them into owned data held until it is (as
    /// `confirmation-flow-store`'s `Decided::of` does): answer, deliver and invoke nothing
    /// before.
    #[must_use = "the reply is what to answer and `After` what to carry out"]
    pub fn applied(self) -> (Reply<'a>, After<'a>) {
        (self.reply, self.after)
    }

    /// An outcome whose write, when there is one, is followed by `reply` and `after`.
    #[allow(
        clippy::large_types_passed_by_value,
        reason = "moved into the outcome; a reference would be copied from all the same. \
                  `allow`, not `expect`: on 32-bit targets the write is small enough"
    )]
    pub(crate) const fn new(write: Option<Write<'a>>, reply: Reply<'a>, after: After<'a>) -> Self {
        Self {
            write,
            reply,
            after,
        }
    }

    /// A refusal that changes nothing.
    pub(crate) const fn refuse(exception: Exception<'a>) -> Self {
        Self::refuse_after(None, exception)
    }

    /// A refusal that may have counted something (an attempt spent, a submission in the
    /// window), so `write` must be stored before answering.
    #[allow(
        clippy::large_types_passed_by_value,
        reason = "moved into the outcome; a reference would be copied from all the same. \
                  `allow`, not `expect`: on 32-bit targets the write is small enough"
    )]
    pub(crate) const fn refuse_after(write: Option<Write<'a>>, exception: Exception<'a>) -> Self {
        Self::new(write, Reply::Exception(exception), After::Nothing)
    }
}

/// One row to write, and the conditions the store must check in the same transaction.
///
/// Every field is one the store acts on, so the struct is exhaustive: a store that
/// destructures it (`let Write { target, expected, state, status, verify, alias } = write;`)
/// stops compiling when a field is added, instead of ignoring it.
#[derive(Clone, Copy, Debug)]
#[expect(
    clippy::exhaustive_structs,
    reason = "a store carries out every field: a new one should not compile until it does"
)]
pub struct Write<'a> {
    /// The row: a user, or a phantom.
    pub target: Target<'a>,
    /// The condition on the row: the version it must still hold, or that it must not exist.
    pub expected: Expected,
    /// The confirmation state to store (its `version` is the row's new version).
    pub state: Confirmation,
    /// The user's new status, if it changes (`UNCONFIRMED` on insert, `CONFIRMED` on
    /// confirmation).
    pub status: Option<UserStatus>,
    /// Set this attribute's `*_verified` flag to true on the row (on an insert too: a user
    /// an administrator creates verified).
    pub verify: Option<AliasAttribute>,
    /// The condition on the attribute being verified, when it is an alias of the pool; on an
    /// insert, checked against the new row's value as on an update.
    pub alias: Option<AliasClaim<'a>>,
}

/// The row a [`Write`] targets.
///
/// Exhaustive, as are [`Expected`], [`AliasClaim`] and [`After`]: a store must handle every
/// case, so a case added to the crate should stop a store from compiling rather than fail
/// at run time. A `match` that misses one is refused:
///
/// ```compile_fail,E0004
/// use confirmation_flow::cognito::Target;
///
/// fn row(target: Target<'_>) -> &str {
///     match target {
///         Target::User { username, .. } => username,
///         // no `Target::Phantom` arm, and no `_ =>` to hide it: error[E0004]
///     }
/// }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[expect(
    clippy::exhaustive_enums,
    reason = "a store must handle every kind of row: a new one should not compile until it does"
)]
pub enum Target<'a> {
    /// A user.
    User {
        /// The username: the row's key in the pool.
        username: &'a str,
        /// The user's `sub`, bound into its code tags.
        subject: &'a str,
        /// On insert (`SignUp`, [`Expected::Absent`]): the attributes the new row holds,
        /// as sent and already checked ([`AliasAttribute::accepts`]); store them, and
        /// whatever else your store keeps (a password hash, say). `None` on every other
        /// write, which leaves the row's attributes as they are. Here, not on the request,
        /// so that a store naming the variant's fields cannot miss them.
        attributes: Option<NewAttributes<'a>>,
    },
    /// The phantom of an unknown user, under its opaque id.
    Phantom(PhantomId),
}

/// The attributes of a user [`Write`] inserts ([`Target::User`]'s `attributes`): the
/// values `SignUp` sent, each checked by [`AliasAttribute::accepts`]. Exhaustive, so that a
/// store destructuring it stops compiling when an attribute is added. `Debug` shows which
/// are there, never their values (they are personal data).
#[derive(Clone, Copy, Default, PartialEq, Eq)]
#[expect(
    clippy::exhaustive_structs,
    reason = "a store writes every attribute of a new user: a new one should not compile until it does"
)]
pub struct NewAttributes<'a> {
    /// `email`, if sent.
    pub email: Option<&'a str>,
    /// `phone_number`, if sent.
    pub phone_number: Option<&'a str>,
}

/// The condition a [`Write`] puts on its row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[expect(
    clippy::exhaustive_enums,
    reason = "a store must check every kind of condition: a new one should not compile until it does"
)]
pub enum Expected {
    /// The row must still hold this version (compare-and-swap).
    Version(u64),
    /// The row must not exist yet (insert).
    Absent,
}

/// The condition on an alias the write verifies: a verified alias value belongs to at
/// most one user of the pool. `Debug` leaves the value out (it is personal data).
#[derive(Clone, Copy, PartialEq, Eq)]
#[expect(
    clippy::exhaustive_enums,
    reason = "a store must check every kind of claim: a new one should not compile until it does"
)]
pub enum AliasClaim<'a> {
    /// No other user may hold `value` as a verified `attribute` when the write commits.
    MustBeFree {
        /// The attribute.
        attribute: AliasAttribute,
        /// Its value.
        value: &'a str,
    },
    /// `owner` must still hold `value` as a verified `attribute`, and loses it: set the
    /// owner's `*_verified` flag to false in the same transaction (they keep the value).
    TakeFrom {
        /// The attribute.
        attribute: AliasAttribute,
        /// Its value.
        value: &'a str,
        /// The user who holds it now.
        owner: &'a str,
    },
}

/// What to answer.
///
/// Non-exhaustive, unlike the write's types: an embedder forwards a reply (its body and
/// [`http_status`](Self::http_status)) without acting on its kind, so a new kind needs no
/// new code there.
#[derive(Debug)]
#[non_exhaustive]
pub enum Reply<'a> {
    /// `SignUp` succeeded.
    SignUp {
        /// `UserSub`: the new user's `sub`.
        user_sub: &'a str,
        /// `CodeDeliveryDetails`, when a code was sent.
        delivery: Option<CodeDeliveryDetails<'a>>,
        /// A `Session` for `ConfirmSignUp`, when the client hands them out
        /// ([`AppClient::auth_sessions`](super::AppClient::auth_sessions)).
        session: Option<Session>,
    },
    /// `ConfirmSignUp` succeeded.
    ConfirmSignUp {
        /// A sign-in `Session`, when the request carried a valid sign-up session and the
        /// client hands sessions out.
        session: Option<Session>,
    },
    /// `AdminConfirmSignUp` succeeded.
    AdminConfirmSignUp,
    /// A sign-in let the user in ([`After::SignIn`]): its body is the service's
    /// `{"ChallengeParameters":{}}`, to which the embedder adds the `AuthenticationResult`
    /// with the tokens it mints.
    SignedIn,
    /// `ResendConfirmationCode` succeeded (or, for a phantom, looks as if it had).
    ResendConfirmationCode {
        /// `CodeDeliveryDetails`, when the user has somewhere to send codes.
        delivery: Option<CodeDeliveryDetails<'a>>,
    },
    /// An error.
    Exception(Exception<'a>),
}

impl<'a> Reply<'a> {
    /// The error, if this is one.
    #[must_use]
    pub const fn exception(&self) -> Option<&Exception<'a>> {
        match self {
            Self::Exception(exception) => Some(exception),
            _ => None,
        }
    }

    /// The HTTP status: 200, or the exception's.
    #[must_use]
    pub const fn http_status(&self) -> u16 {
        match self {
            Self::Exception(exception) => exception.http_status(),
            _ => 200,
        }
    }

    /// The reply once the `PostConfirmation` trigger has run: its failure becomes the
    /// answer, as the service does (the user stays confirmed either way).
    #[must_use]
    pub fn after_trigger(self, trigger: TriggerOutcome<'a>) -> Self {
        match trigger.exception() {
            Some(exception) => Self::Exception(exception),
            None => self,
        }
    }
}

/// What follows a successful write.
#[derive(Debug)]
#[expect(
    clippy::exhaustive_enums,
    reason = "the request loop must carry out every follow-up: a new one should not compile until it does"
)]
pub enum After<'a> {
    /// Nothing.
    Nothing,
    /// Send the code; this may happen after answering.
    Deliver(Delivery<'a>),
    /// Invoke the `PostConfirmation` trigger with this event before answering, then answer
    /// with [`Reply::after_trigger`].
    PostConfirmation(PostConfirmationEvent<'a>),
    /// Mint this user's tokens and answer with them ([`Reply::SignedIn`]).
    SignIn(SignedIn<'a>),
}

/// Who signed in, for the tokens the embedder mints.
///
/// Non-exhaustive: the embedder reads its fields; a field added for information would need
/// no new code there.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct SignedIn<'a> {
    /// The user's username (`cognito:username`, `username`).
    pub username: &'a str,
    /// The user's `sub`.
    pub subject: &'a str,
    /// The app client signed in to (`aud`, `client_id`).
    pub client_id: &'a str,
}

/// A code to send.
///
/// Non-exhaustive: the embedder reads its fields and hands them to its sender; a field
/// added for information would need no new code there.
#[derive(Debug)]
#[non_exhaustive]
pub struct Delivery<'a> {
    /// Whose code it is.
    pub username: &'a str,
    /// Where it goes.
    pub destination: Destination<'a>,
    /// The code; the crate keeps only its tag.
    pub code: Code,
}

/// The write only: the reply and what follows are reached through
/// [`applied`](Outcome::applied).
impl fmt::Debug for Outcome<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Outcome")
            .field("write", &self.write)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for NewAttributes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewAttributes")
            .field("email", &Redacted::of(self.email.as_ref()))
            .field("phone_number", &Redacted::of(self.phone_number.as_ref()))
            .finish()
    }
}

impl<'a> AliasClaim<'a> {
    /// The claim of a user who verifies `value` as `attribute`, an alias of its pool: taken
    /// from `owner`, the other user who holds it verified now (as `ForceAliasCreation`
    /// allows: refuse with [`Exception::AliasExists`](super::Exception::AliasExists) before
    /// this when it was not sent), or, with no owner, a value that must still be free.
    #[must_use]
    pub const fn on(attribute: AliasAttribute, value: &'a str, owner: Option<&'a str>) -> Self {
        match owner {
            Some(owner) => Self::TakeFrom {
                attribute,
                value,
                owner,
            },
            None => Self::MustBeFree { attribute, value },
        }
    }
}

impl fmt::Debug for AliasClaim<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MustBeFree { attribute, .. } => f
                .debug_struct("MustBeFree")
                .field("attribute", attribute)
                .finish_non_exhaustive(),
            Self::TakeFrom {
                attribute, owner, ..
            } => f
                .debug_struct("TakeFrom")
                .field("attribute", attribute)
                .field("owner", owner)
                .finish_non_exhaustive(),
        }
    }
}
