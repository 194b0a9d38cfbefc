//! `RateLog`: the times of recent events, for "at most N in any rolling window".

use core::time::Duration;

use crate::time::Timestamp;

/// The last `N` events, oldest first, each as its age in seconds at an anchor: the time of
/// the state's last change, which the state keeps. A sliding log rather than a fixed bucket,
/// so the limit holds in *every* window of the policy's length, not only in aligned hours.
///
/// Ages rather than times keep the log small (a state is copied on every change): an event
/// is pruned once it leaves the window, so its age is always below the window, at most
/// [`MAX_WINDOW`](crate::MAX_WINDOW), and fits a `u32`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct RateLog<const N: usize> {
    ages: [u32; N],
    len: u8,
}

impl<const N: usize> RateLog<N> {
    /// No events yet.
    pub(crate) const EMPTY: Self = Self {
        ages: [0; N],
        len: 0,
    };

    /// The recorded ages, oldest event first.
    pub(crate) fn ages(&self) -> &[u32] {
        self.ages.get(..usize::from(self.len)).unwrap_or_default()
    }

    /// The earliest time at which one more event fits under `limit` per `window`, for a log
    /// anchored at `anchor`; [`Timestamp::EPOCH`] when there is room already.
    ///
    /// Events still count at `t < at + window`; with `limit` or more recorded, room opens
    /// when the `limit`-th newest event leaves the window.
    pub(crate) fn free_at(&self, limit: u8, window: Duration, anchor: Timestamp) -> Timestamp {
        self.ages()
            .iter()
            .rev()
            .nth(usize::from(limit).saturating_sub(1))
            .map_or(Timestamp::EPOCH, |&age| {
                anchor
                    .saturating_sub(Duration::from_secs(u64::from(age)))
                    .saturating_add(window)
            })
    }

    /// This log re-anchored from `anchor` to `now` (not earlier), without the events that
    /// have left the window at `now`. Every change prunes both logs, so a stored log only
    /// holds events younger than the window.
    #[must_use]
    pub(crate) fn pruned(&self, now: Timestamp, window: Duration, anchor: Timestamp) -> Self {
        let elapsed = u32::try_from(now.saturating_since(anchor).as_secs()).unwrap_or(u32::MAX);
        let window = u32::try_from(window.as_secs()).unwrap_or(u32::MAX);
        let mut next = Self::EMPTY;
        for age in self.ages() {
            let age = age.saturating_add(elapsed);
            if age < window {
                next.push(age);
            }
        }
        next
    }

    /// This log with an event now (age 0, for a log anchored now); if it is full, the oldest
    /// event goes first (with every limit at most `N`, an event older than `N` newer ones
    /// decides nothing).
    #[must_use]
    pub(crate) fn with_now(&self) -> Self {
        let mut next = Self::EMPTY;
        let keep = N.saturating_sub(1);
        let surplus = usize::from(self.len).saturating_sub(keep);
        for &age in self.ages().iter().skip(surplus).chain(&[0]) {
            next.push(age);
        }
        next
    }

    /// Appends an event of `age` if there is a free slot.
    fn push(&mut self, age: u32) {
        if let Some(slot) = self.ages.get_mut(usize::from(self.len)) {
            *slot = age;
            self.len = self.len.saturating_add(1);
        }
    }

    /// A log from stored ages, if they fit and are oldest first (ages not increasing).
    pub(crate) fn from_ages(ages: &[u32]) -> Option<Self> {
        let mut log = Self::EMPTY;
        if ages.len() > N || ages.windows(2).any(|pair| pair.first() < pair.get(1)) {
            return None;
        }
        for &age in ages {
            log.push(age);
        }
        Some(log)
    }
}
