//! The loop every operation goes through: a validated [`Operation`], the [`Needs`] it has
//! of the caller's store, and the one pure decision those make with a [`Lookup`] and the
//! [`Fresh`] values of this moment.

#[cfg(feature = "serde")]
use super::members::Slot;
use super::{
    AdminConfirmSignUp, AttributeSet, ConfirmSignUp, Draws, Fresh, Lookup, Outcome, PhantomId,
    Pool, ResendConfirmationCode, SessionSignIn, SignUp, Valid, admin, confirm, resend,
    session_sign_in, sign_up,
};

/// A request that passed validation, ready for the loop: [`needs`](Self::needs), look up,
/// [`Needs::decide`].
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub enum Operation<'a> {
    /// `SignUp`: the code part (the first code, where it goes, the user row to insert).
    SignUp(Valid<SignUp<'a>>),
    /// `ConfirmSignUp`.
    ConfirmSignUp(Valid<ConfirmSignUp<'a>>),
    /// `AdminConfirmSignUp` (authenticate the caller before this; the crate does not).
    AdminConfirmSignUp(Valid<AdminConfirmSignUp<'a>>),
    /// `ResendConfirmationCode`.
    ResendConfirmationCode(Valid<ResendConfirmationCode<'a>>),
    /// `InitiateAuth` or `AdminInitiateAuth` with `USER_AUTH` and the `Session`
    /// `ConfirmSignUp` handed out.
    SessionSignIn(Valid<SessionSignIn<'a>>),
}

macro_rules! operation_from {
    ($($request:ident),*) => {$(
        impl<'a> From<Valid<$request<'a>>> for Operation<'a> {
            fn from(request: Valid<$request<'a>>) -> Self {
                Self::$request(request)
            }
        }
    )*};
}

operation_from!(
    SignUp,
    ConfirmSignUp,
    AdminConfirmSignUp,
    ResendConfirmationCode,
    SessionSignIn
);

/// Which operation a request is, as `X-Amz-Target` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OperationName {
    /// `SignUp`.
    SignUp,
    /// `ConfirmSignUp`.
    ConfirmSignUp,
    /// `AdminConfirmSignUp`.
    AdminConfirmSignUp,
    /// `ResendConfirmationCode`.
    ResendConfirmationCode,
    /// `InitiateAuth` (and `AdminInitiateAuth`), for [`SessionSignIn`]: the crate decides
    /// that flow but does not decode the operation's body, whose other flows are the
    /// embedder's (so [`from_target`](Self::from_target) does not name it).
    InitiateAuth,
}

impl OperationName {
    /// What `X-Amz-Target` puts before the operation's name.
    pub const TARGET_PREFIX: &'static str = "AWSCognitoIdentityProviderService.";

    const ALL: [Self; 4] = [
        Self::SignUp,
        Self::ConfirmSignUp,
        Self::AdminConfirmSignUp,
        Self::ResendConfirmationCode,
    ];

    /// The operation an `X-Amz-Target` header names
    /// (`AWSCognitoIdentityProviderService.ConfirmSignUp`), if the crate serves it.
    #[must_use]
    pub fn from_target(target: &str) -> Option<Self> {
        let name = target.strip_prefix(Self::TARGET_PREFIX)?;
        Self::ALL
            .into_iter()
            .find(|operation| operation.as_str() == name)
    }

    /// The operation's name, e.g. `ConfirmSignUp`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::SignUp => "SignUp",
            Self::ConfirmSignUp => "ConfirmSignUp",
            Self::AdminConfirmSignUp => "AdminConfirmSignUp",
            Self::ResendConfirmationCode => "ResendConfirmationCode",
            Self::InitiateAuth => "InitiateAuth",
        }
    }

    /// The operation's members, in the model's order: its one member table.
    #[cfg(feature = "serde")]
    pub(crate) const fn members(self) -> &'static [Slot] {
        match self {
            Self::SignUp => sign_up::MEMBERS,
            Self::ConfirmSignUp => confirm::MEMBERS,
            Self::AdminConfirmSignUp => admin::MEMBERS,
            Self::ResendConfirmationCode => resend::MEMBERS,
            Self::InitiateAuth => session_sign_in::MEMBERS,
        }
    }
}

impl<'a> Operation<'a> {
    /// Which operation this is.
    #[must_use]
    pub const fn name(&self) -> OperationName {
        match self {
            Self::SignUp(_) => OperationName::SignUp,
            Self::ConfirmSignUp(_) => OperationName::ConfirmSignUp,
            Self::AdminConfirmSignUp(_) => OperationName::AdminConfirmSignUp,
            Self::ResendConfirmationCode(_) => OperationName::ResendConfirmationCode,
            Self::SessionSignIn(_) => OperationName::InitiateAuth,
        }
    }

    /// Which of [`Fresh`]'s values deciding this operation reads: the clock always; a new
    /// code's entropy for `SignUp` and `ResendConfirmationCode`; a session's nonce for
    /// `SignUp` and `ConfirmSignUp` (whether the client hands out sessions is not known
    /// before the look-up); a new `sub` for `SignUp`.
    #[must_use]
    pub fn draws(&self) -> Draws {
        let (entropy, nonce, subject) = match self {
            Self::SignUp(_) => (true, true, true),
            Self::ConfirmSignUp(_) => (false, true, false),
            Self::ResendConfirmationCode(_) => (true, false, false),
            Self::AdminConfirmSignUp(_) | Self::SessionSignIn(_) => (false, false, false),
        };
        Draws {
            entropy,
            nonce,
            subject,
        }
    }

    /// What the caller must look up for this request in `pool`. For `ConfirmSignUp` and
    /// `ResendConfirmationCode` this derives the phantom id (one HMAC), so that a store can
    /// find a user or its phantom in one read.
    #[must_use]
    pub fn needs<'n>(&'n self, pool: &'n Pool<'a>) -> Needs<'n, 'a> {
        let phantom = |username| {
            Some(PhantomId::derive(
                pool.keys.current(),
                pool.user_pool_id,
                username,
            ))
        };
        let (client_id, username, phantom, alias_owners) = match self {
            Self::SignUp(request) => (
                Some(request.client_id),
                request.username,
                None,
                AttributeSet::NONE,
            ),
            Self::ConfirmSignUp(request) => (
                Some(request.client_id),
                request.username,
                phantom(request.username),
                pool.aliases,
            ),
            Self::AdminConfirmSignUp(request) => (None, request.username, None, AttributeSet::NONE),
            Self::SessionSignIn(request) => (
                Some(request.client_id),
                request.username,
                None,
                AttributeSet::NONE,
            ),
            Self::ResendConfirmationCode(request) => (
                Some(request.client_id),
                request.username,
                phantom(request.username),
                AttributeSet::NONE,
            ),
        };
        Needs {
            operation: self,
            pool,
            client_id,
            username,
            phantom,
            alias_owners,
        }
    }
}

/// What the caller must look up before [`decide`](Self::decide): fill a [`Lookup`] with
/// what its store holds under these keys, all from one consistent read if it can.
///
/// It borrows the operation and the pool for `'n`; what it hands on borrows their contents,
/// for `'a`.
#[derive(Clone, Copy, Debug)]
pub struct Needs<'n, 'a> {
    operation: &'n Operation<'a>,
    pool: &'n Pool<'a>,
    client_id: Option<&'a str>,
    username: &'a str,
    phantom: Option<PhantomId>,
    alias_owners: AttributeSet,
}

impl<'a> Needs<'_, 'a> {
    /// The app client to look up ([`Lookup::client`]); `None` for admin operations.
    #[must_use]
    pub const fn client_id(&self) -> Option<&'a str> {
        self.client_id
    }

    /// The user to look up by username ([`Lookup::user`]).
    #[must_use]
    pub const fn username(&self) -> &'a str {
        self.username
    }

    /// When the user does not exist: the id of the phantom state to look up instead
    /// ([`Lookup::phantom`]). `None` for operations without phantoms.
    #[must_use]
    pub const fn phantom(&self) -> Option<PhantomId> {
        self.phantom
    }

    /// The alias attributes whose owners to look up ([`Lookup::alias_owners`]): for each,
    /// the other user, if any, who has the user's value of it verified.
    #[must_use]
    pub const fn alias_owners(&self) -> AttributeSet {
        self.alias_owners
    }

    /// The pool this was computed for.
    #[must_use]
    pub const fn pool(&self) -> &Pool<'a> {
        self.pool
    }

    /// The one pure decision: every check of the operation, in the service's order, on what
    /// the caller looked up, at `fresh.now`. The same inputs always give the same outcome.
    pub fn decide(&self, lookup: &Lookup<'a>, fresh: &Fresh<'a>) -> Outcome<'a> {
        let (pool, phantom) = (self.pool, self.phantom);
        match self.operation {
            Operation::SignUp(request) => sign_up::decide(request, pool, lookup, fresh),
            Operation::ConfirmSignUp(request) => {
                confirm::decide(request, pool, phantom, lookup, fresh)
            }
            Operation::AdminConfirmSignUp(request) => admin::decide(request, pool, lookup, fresh),
            Operation::ResendConfirmationCode(request) => {
                resend::decide(request, pool, phantom, lookup, fresh)
            }
            Operation::SessionSignIn(request) => {
                session_sign_in::decide(request, pool, lookup, fresh)
            }
        }
    }
}
