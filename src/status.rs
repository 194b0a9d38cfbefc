//! `Status` and `Refusal`: where a confirmation stands, and why a request was turned down.

use core::fmt;

use crate::{key::KeyId, time::Timestamp};

/// Where a [`Confirmation`](crate::Confirmation) stands.
///
/// * `Pending` / `CodeMismatch` — a live code: the right code or an admin call confirms,
///   a wrong one leads to `CodeMismatch` (or `TooManyAttempts` on the last attempt), a
///   submission at or after the deadline to `Expired`.
/// * `Expired` / `TooManyAttempts` — the code is dead; a reissue returns to `Pending`.
/// * `Confirmed` — final: every later request is refused and changes nothing.
///
/// The full diagram and the order of checks are in the crate documentation.
///
/// `Confirmed` is final. `Expired` and `TooManyAttempts` are final for the current code:
/// only a reissue (a new code) or an admin confirmation leaves them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[expect(
    clippy::exhaustive_enums,
    reason = "callers must handle every state; a new state should be a breaking change"
)]
pub enum Status {
    /// A code is out and no wrong code has been submitted since (a match that was held back
    /// by [`submit_without_confirming`](crate::Confirmation::submit_without_confirming)
    /// also reads `Pending`).
    Pending,
    /// The last submission was wrong; the code is still live and has attempts left.
    CodeMismatch,
    /// The user is confirmed. Final.
    Confirmed,
    /// The code's deadline passed. Dead until a new code is issued.
    Expired,
    /// The code's attempts are spent. Dead until a new code is issued.
    TooManyAttempts,
}

impl Status {
    /// The status's name in stored state: `pending`, `code_mismatch`, `confirmed`,
    /// `expired`, `too_many_attempts`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::CodeMismatch => "code_mismatch",
            Self::Confirmed => "confirmed",
            Self::Expired => "expired",
            Self::TooManyAttempts => "too_many_attempts",
        }
    }

    /// The status named `name` (see [`Status::as_str`]), if any.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        [
            Self::Pending,
            Self::CodeMismatch,
            Self::Confirmed,
            Self::Expired,
            Self::TooManyAttempts,
        ]
        .into_iter()
        .find(|status| status.as_str() == name)
    }

    /// Whether a code is live in this status (it may still have passed its deadline;
    /// see [`Confirmation::status_at`](crate::Confirmation::status_at)).
    #[must_use]
    pub const fn awaits_code(self) -> bool {
        matches!(self, Self::Pending | Self::CodeMismatch)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a request did not succeed. Each says exactly which rule stopped it; whether the
/// state changed is told by the operation (see [`Submission`](crate::Submission)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Refusal {
    /// The user is already confirmed. Nothing was counted.
    AlreadyConfirmed,
    /// The stored tag was made under another key than the one passed. Nothing was counted;
    /// fetch the key with id `stored`, or, if it was retired, issue a new code.
    UnknownKey {
        /// The key the stored tag was made with.
        stored: KeyId,
    },
    /// The rolling window is full. Nothing was counted; there is room again at `retry_at`.
    RateLimited {
        /// When the oldest counted event leaves the window.
        retry_at: Timestamp,
    },
    /// The code's attempts were already spent; it was not compared. A new code is needed.
    TooManyAttempts,
    /// The code's deadline has passed (or it was replaced); it was not compared.
    Expired,
    /// The code did not match. `remaining` attempts are left on this code; at zero the
    /// code is dead and the state reads [`Status::TooManyAttempts`].
    CodeMismatch {
        /// Attempts left against the current code.
        remaining: u8,
    },
    /// The caller's entropy could not fill a code; nothing changed, retry with fresh bytes.
    EntropyExhausted,
    /// The state's version counter is at its maximum, so no change could be told apart by
    /// compare-and-swap. Only reachable through a stored state near `u64::MAX`.
    VersionExhausted,
    /// A sign-in session was not let in: the user is not confirmed, or holds no live
    /// sign-in grant for that session (none was recorded, it was spent, it expired, or it
    /// was another session's). Nothing changed.
    NotGranted,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotGranted => f.write_str("the session holds no live sign-in grant of this user"),
            Self::AlreadyConfirmed => f.write_str("the user is already confirmed"),
            Self::UnknownKey { stored } => {
                write!(
                    f,
                    "the code was tagged under key {stored}, not the key given"
                )
            }
            Self::RateLimited { retry_at } => write!(
                f,
                "too many requests in the rolling window; retry at {}",
                retry_at.as_unix_seconds()
            ),
            Self::TooManyAttempts => f.write_str("the code has no attempts left"),
            Self::Expired => f.write_str("the code has expired"),
            Self::CodeMismatch { remaining } => {
                write!(f, "wrong code; {remaining} attempts left on this code")
            }
            Self::EntropyExhausted => f.write_str("the supplied entropy could not fill a code"),
            Self::VersionExhausted => f.write_str("the state's version counter is exhausted"),
        }
    }
}

impl core::error::Error for Refusal {}

impl From<crate::code::EntropyExhausted> for Refusal {
    fn from(_: crate::code::EntropyExhausted) -> Self {
        Self::EntropyExhausted
    }
}
