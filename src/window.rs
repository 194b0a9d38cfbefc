//! `RateLog`: the times of recent events, for "at most N in any rolling window".

use core::time::Duration;

use crate::time::Timestamp;

/// The last `N` event times, oldest first. A sliding log rather than a fixed bucket, so the
/// limit holds in *every* window of the policy's length, not only in aligned hours.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct RateLog<const N: usize> {
    at: [Timestamp; N],
    len: u8,
}

impl<const N: usize> RateLog<N> {
    /// No events yet.
    pub(crate) const EMPTY: Self = Self {
        at: [Timestamp::EPOCH; N],
        len: 0,
    };

    /// The recorded times, oldest first.
    pub(crate) fn iter(&self) -> impl DoubleEndedIterator<Item = Timestamp> + Clone + '_ {
        self.at.iter().take(usize::from(self.len)).copied()
    }

    /// The earliest time at which one more event fits under `limit` per `window`;
    /// [`Timestamp::EPOCH`] when there is room already.
    ///
    /// Events still count at `t < at + window`; with `limit` or more recorded, room opens
    /// when the `limit`-th newest event leaves the window.
    pub(crate) fn free_at(&self, limit: u8, window: Duration) -> Timestamp {
        self.iter()
            .rev()
            .nth(usize::from(limit).saturating_sub(1))
            .map_or(Timestamp::EPOCH, |event| event.saturating_add(window))
    }

    /// This log without the events that have left the window at `now`. Every change
    /// prunes both logs, so a stored log only holds events younger than the window.
    #[must_use]
    pub(crate) fn pruned(&self, now: Timestamp, window: Duration) -> Self {
        let mut next = Self::EMPTY;
        for event in self
            .iter()
            .filter(|&event| event.saturating_add(window) > now)
        {
            next.push(event);
        }
        next
    }

    /// This log with `now` appended; if it is full, the oldest event goes first (with
    /// every limit at most `N`, an event older than `N` newer ones decides nothing).
    #[must_use]
    pub(crate) fn with(&self, now: Timestamp) -> Self {
        let mut next = Self::EMPTY;
        let keep = N.saturating_sub(1);
        let surplus = usize::from(self.len).saturating_sub(keep);
        for event in self.iter().skip(surplus).chain(core::iter::once(now)) {
            next.push(event);
        }
        next
    }

    /// Appends `event` if there is a free slot.
    fn push(&mut self, event: Timestamp) {
        if let Some(slot) = self.at.get_mut(usize::from(self.len)) {
            *slot = event;
            self.len = self.len.saturating_add(1);
        }
    }

    /// A log from stored times, if they fit and are in order.
    pub(crate) fn from_times(times: &[Timestamp]) -> Option<Self> {
        let mut log = Self::EMPTY;
        if times.len() > N || times.windows(2).any(|pair| pair.first() > pair.get(1)) {
            return None;
        }
        for &event in times {
            log.push(event);
        }
        Some(log)
    }
}
