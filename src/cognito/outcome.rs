//! `Outcome`: what one decision says to do, as data — the write, the reply, and what
//! follows the write.

use core::fmt;

use super::{
    CodeDeliveryDetails, Destination, Exception, PostConfirmationEvent, Session, TriggerOutcome,
    write::Write,
};
use crate::Code;

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
