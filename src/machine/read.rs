//! What a caller may read of a [`Confirmation`]: its status (as of a time, or as stored),
//! version, key, times and attempts. Nothing here changes it.

use super::Confirmation;
use crate::{key::KeyId, status::Status, time::Timestamp};

impl Confirmation {
    /// The status as of `now`: a live code whose deadline has passed reads
    /// [`Status::Expired`] without any submission. Changes nothing.
    #[must_use]
    pub fn status_at(&self, now: Timestamp) -> Status {
        match self.status {
            Status::Pending | Status::CodeMismatch if self.clock(now) >= self.expires_at => {
                Status::Expired
            }
            status => status,
        }
    }

    /// The status as stored, without applying the deadline (see [`Self::status_at`]).
    #[must_use]
    pub const fn status(&self) -> Status {
        self.status
    }

    /// Incremented by every change; the compare-and-swap token for the caller's store.
    #[must_use]
    pub const fn version(&self) -> u64 {
        self.version
    }

    /// The key the current code's tag was made with.
    #[must_use]
    pub const fn key_id(&self) -> KeyId {
        self.key_id
    }

    /// When the current code was issued.
    #[must_use]
    pub const fn issued_at(&self) -> Timestamp {
        self.issued_at
    }

    /// The current code's deadline: from this instant on it is expired.
    #[must_use]
    pub const fn expires_at(&self) -> Timestamp {
        self.expires_at
    }

    /// The time of the last change; earlier `now`s are read as this.
    #[must_use]
    pub const fn last_changed_at(&self) -> Timestamp {
        self.seen_at
    }

    /// Attempts spent on the current code.
    #[must_use]
    pub const fn attempts_used(&self) -> u8 {
        self.attempts
    }
}
