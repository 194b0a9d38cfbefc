//! The sign-in grant a confirmation may carry: when `ConfirmSignUp` hands out a sign-in
//! `Session`, the confirmed state records that session's nonce and deadline, and signing in
//! with the session spends it (`Confirmation::redeem_sign_in`). So the session is good once,
//! for the first sign-in, until its deadline, and only while the state that recorded it is
//! the stored one: a store that writes with compare-and-swap on the version lets exactly
//! one of any number of concurrent sign-ins through.

use core::fmt;

use heapless::String;

use crate::{ct::ct_eq, time::Timestamp};

/// A sign-in grant: the nonce of the sign-in session handed out with the confirmation, and
/// the session's deadline. `Debug` shows the deadline only.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SignInGrant {
    pub(crate) nonce: [u8; 16],
    pub(crate) until: Timestamp,
}

/// The longest a grant may outlive the confirmation that recorded it: the longest
/// `AuthSessionValidity`, 15 minutes. A stored grant beyond it was not made by a decision.
pub(crate) const MAX_GRANT: core::time::Duration = core::time::Duration::from_secs(15 * 60);

impl fmt::Debug for SignInGrant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignInGrant")
            .field("until", &self.until)
            .finish_non_exhaustive()
    }
}

impl SignInGrant {
    /// No grant: its deadline has always passed.
    pub(crate) const NONE: Self = Self {
        nonce: [0; 16],
        until: Timestamp::EPOCH,
    };

    /// A grant for the session with `nonce`, good before `until`.
    #[must_use]
    pub const fn new(nonce: [u8; 16], until: Timestamp) -> Self {
        Self { nonce, until }
    }

    /// The session's nonce.
    #[must_use]
    pub const fn nonce(&self) -> [u8; 16] {
        self.nonce
    }

    /// The session's deadline: from this instant on the grant is spent.
    #[must_use]
    pub const fn until(&self) -> Timestamp {
        self.until
    }

    /// Whether this grant lets the session with `nonce` in at `now`: the nonce compared in
    /// constant time, and both facts evaluated.
    #[expect(
        clippy::needless_bitwise_bool,
        reason = "both sides evaluated: no branch on the comparison's result"
    )]
    pub(crate) fn admits(&self, nonce: &[u8; 16], now: Timestamp) -> bool {
        let same = bool::from(ct_eq(&self.nonce, nonce));
        same & (now < self.until)
    }
}

/// A [`SignInGrant`] as stored: its session's nonce and deadline. Equality compares the
/// nonces in constant time, as [`StoredState`](crate::StoredState)'s does its tags.
#[derive(Clone)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
#[expect(
    clippy::exhaustive_structs,
    reason = "the stored format is versioned by its fields; a new field is a breaking change"
)]
pub struct StoredGrant {
    /// The session's nonce, 32 lower-case hex digits.
    pub nonce: String<32>,
    /// The session's deadline (Unix seconds).
    pub until: u64,
}

impl PartialEq for StoredGrant {
    fn eq(&self, other: &Self) -> bool {
        let bytes = |grant: &Self| {
            let mut bytes = [0_u8; 32];
            bytes
                .iter_mut()
                .zip(grant.nonce.bytes())
                .for_each(|(slot, byte)| *slot = byte);
            bytes
        };
        let same = bool::from(ct_eq(&bytes(self), &bytes(other)));
        same && self.nonce.len() == other.nonce.len() && self.until == other.until
    }
}

impl Eq for StoredGrant {}

/// The nonce is redacted: with it, a stolen session could be told apart from others.
impl fmt::Debug for StoredGrant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredGrant")
            .field("nonce", &"<redacted>")
            .field("until", &self.until)
            .finish()
    }
}
