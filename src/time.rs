//! Time as the caller tells it: whole Unix seconds, saturating arithmetic.

use core::time::Duration;

/// A point in time, in whole seconds since the Unix epoch, as passed by the caller.
///
/// The crate never reads a clock: every operation takes `now`. All arithmetic saturates,
/// so no input, however far in the past or future, can overflow or panic.
///
/// A clock that goes backwards is tolerated but never rewards the caller: a
/// [`Confirmation`](crate::Confirmation) remembers the latest time at which it changed and
/// treats any earlier `now` as that time, so going back can neither revive an expired code
/// nor reopen a rate window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(u64);

impl Timestamp {
    /// The Unix epoch, 1970-01-01T00:00:00Z.
    pub const EPOCH: Self = Self(0);

    /// The time `seconds` after the Unix epoch.
    #[must_use]
    pub const fn from_unix_seconds(seconds: u64) -> Self {
        Self(seconds)
    }

    /// Seconds since the Unix epoch.
    #[must_use]
    pub const fn as_unix_seconds(self) -> u64 {
        self.0
    }

    /// `self + duration`, saturating at the end of time. Sub-second parts are ignored.
    #[must_use]
    pub const fn saturating_add(self, duration: Duration) -> Self {
        Self(self.0.saturating_add(duration.as_secs()))
    }

    /// `self - duration`, saturating at the epoch. Sub-second parts are ignored.
    #[must_use]
    pub const fn saturating_sub(self, duration: Duration) -> Self {
        Self(self.0.saturating_sub(duration.as_secs()))
    }

    /// The time from `earlier` to `self`, or zero if `earlier` is later.
    #[must_use]
    pub const fn saturating_since(self, earlier: Self) -> Duration {
        Duration::from_secs(self.0.saturating_sub(earlier.0))
    }
}
