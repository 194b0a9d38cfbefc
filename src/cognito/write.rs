//! The write an [`Outcome`](super::Outcome) asks for: the row, the conditions the store
//! checks in the same transaction, and what it stores. Every type here is exhaustive, so that
//! a store that forgets a case does not compile.

use core::fmt;

use super::{
    domain::{AliasAttribute, UserStatus},
    phantom::PhantomId,
    request::Redacted,
};
use crate::Confirmation;

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
/// Exhaustive, as are [`Expected`], [`AliasClaim`] and [`After`](super::After): a store
/// must handle every case, so a case added to the crate should stop a store from compiling
/// rather than fail at run time. A `match` that misses one is refused:
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
