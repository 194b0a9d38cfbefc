//! `RateLog`: the times of recent events, for "at most N in any rolling window".

use core::{fmt, time::Duration};

use crate::time::Timestamp;

/// The last `N` events, oldest first, each as its age in seconds at an anchor: the time of
/// the state's last change, which the state keeps. A sliding log rather than a fixed bucket,
/// so the limit holds in *every* window of the policy's length, not only in aligned hours.
///
/// Ages rather than times keep the log small (a state is copied on every change): an event
/// is pruned once it leaves the window, so its age is always below the window, at most
/// [`MAX_WINDOW`](crate::MAX_WINDOW), and fits a `u32`.
///
/// Slots past `len` may hold events already pruned: equality and `Debug` read
/// only [`ages`](Self::ages), and so must anything added (a derived `Hash` would not).
#[derive(Clone, Copy)]
pub(crate) struct RateLog<const N: usize> {
    ages: [u32; N],
    len: u8,
}

impl<const N: usize> PartialEq for RateLog<N> {
    fn eq(&self, other: &Self) -> bool {
        self.ages() == other.ages()
    }
}

impl<const N: usize> Eq for RateLog<N> {}

impl<const N: usize> fmt::Debug for RateLog<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.ages()).finish()
    }
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

    /// Re-anchors this log from `anchor` to `now` (not earlier) and drops the events that
    /// have left the window at `now`. Every change prunes both logs, so a stored log only
    /// holds events younger than the window. In place: the kept events move to the front.
    pub(crate) fn prune(&mut self, now: Timestamp, window: Duration, anchor: Timestamp) {
        let elapsed = u32::try_from(now.saturating_since(anchor).as_secs()).unwrap_or(u32::MAX);
        let window = u32::try_from(window.as_secs()).unwrap_or(u32::MAX);
        let recorded = usize::from(self.len);
        self.len = 0;
        for index in 0..recorded {
            let Some(&age) = self.ages.get(index) else {
                break;
            };
            let age = age.saturating_add(elapsed);
            if age < window {
                self.push(age);
            }
        }
    }

    /// Records an event now (age 0, for a log anchored now); if the log is full, the
    /// oldest event goes first (with every limit at most `N`, an event older than `N`
    /// newer ones decides nothing).
    pub(crate) fn record_now(&mut self) {
        if N == 0 {
            return;
        }
        if usize::from(self.len) >= N {
            self.ages.rotate_left(1);
            self.len = self.len.saturating_sub(1);
        }
        self.push(0);
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

#[cfg(test)]
mod tests {

    use core::time::Duration;

    use super::RateLog;
    use crate::time::Timestamp;

    const HOUR: Duration = Duration::from_secs(3600);

    #[test]
    fn a_pruned_log_equals_the_log_of_the_events_it_kept() {
        // Pruning compacts in place and leaves what it dropped past the end; equality (what
        // `Submission::changed` and the model tests compare) must see only the events.
        let anchor = Timestamp::from_unix_seconds(10_000);
        let mut log = RateLog::<4>::from_ages(&[3000, 2000, 100]).unwrap();
        log.prune(
            anchor.saturating_add(Duration::from_secs(700)),
            HOUR,
            anchor,
        );
        assert_eq!(log.ages(), [2700, 800]);
        assert_eq!(log, RateLog::from_ages(&[2700, 800]).unwrap());
        assert_ne!(log, RateLog::from_ages(&[2700, 800, 0]).unwrap());
    }

    #[test]
    fn a_full_log_drops_its_oldest_event_for_a_new_one() {
        let mut log = RateLog::<3>::from_ages(&[30, 20, 10]).unwrap();
        log.record_now();
        assert_eq!(log.ages(), [20, 10, 0]);
        let mut none = RateLog::<0>::EMPTY;
        none.record_now();
        assert_eq!(none.ages(), [0_u32; 0]);
        let mut short = RateLog::<3>::from_ages(&[5]).unwrap();
        short.record_now();
        assert_eq!(short.ages(), [5, 0]);
    }
}
