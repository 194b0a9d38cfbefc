//! Moments from JavaScript. The package takes time as a `Date` or as milliseconds
//! (`Date.now()`), never as seconds: read in the wrong unit, a code issued "now" would expire
//! in the year 58,896. Within the moments taken (2000 to 9999) the units cannot be mistaken:
//! every such count of milliseconds is at least 946,684,800,000 and every count of seconds
//! at most 253,402,300,799 ([`looks_like_seconds`]). [`from_millis`] checks a time value and
//! turns it into the crate's whole seconds.

use alloc::format;

use confirmation_flow::Timestamp;

use crate::error::Error;

/// The earliest moment taken, 2000-01-01T00:00:00Z, in milliseconds. Earlier ones are
/// refused: the likeliest is a count of seconds handed to `new Date(…)`, which reads it as
/// milliseconds and lands in January 1970.
pub const EARLIEST_MILLIS: f64 = 946_684_800_000.0;

/// The latest moment taken, 9999-12-31T23:59:59.999Z, in milliseconds. Later ones are
/// refused: the likeliest is a count of milliseconds scaled up once more.
pub const LATEST_MILLIS: f64 = 253_402_300_799_999.0;

/// Whether `number` is a count of seconds from 2000 to 9999, which no count of milliseconds
/// in that range can be.
#[must_use]
pub fn looks_like_seconds(number: f64) -> bool {
    (EARLIEST_MILLIS / 1000.0..=LATEST_MILLIS / 1000.0).contains(&number)
}

/// The moment `millis` (a `Date`'s time value, milliseconds since the Unix epoch), in
/// whole seconds, rounded down; `what` names it in the error.
///
/// # Errors
/// [`Error::Range`] for `NaN` (an invalid `Date`) and for a moment before 2000 or after
/// 9999 (see [`EARLIEST_MILLIS`] and [`LATEST_MILLIS`]).
pub fn from_millis(millis: f64, what: &str) -> Result<Timestamp, Error> {
    // NaN is outside every range.
    if !(EARLIEST_MILLIS..=LATEST_MILLIS).contains(&millis) {
        return Err(Error::Range(format!(
            "{what}: expected a valid Date from 2000 to 9999, got a time value of {millis} ms \
             (new Date(seconds) reads seconds as milliseconds)"
        )));
    }
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "checked above: a positive number below 2⁵³, whose cast drops only a fraction"
    )]
    let seconds = (millis / 1000.0) as u64;
    Ok(Timestamp::from_unix_seconds(seconds))
}

#[cfg(test)]
mod tests {
    use confirmation_flow::Timestamp;

    use super::{EARLIEST_MILLIS, LATEST_MILLIS, from_millis};
    use crate::error::Error;

    #[test]
    fn a_moment_is_whole_seconds_rounded_down() {
        let at = |millis| from_millis(millis, "now");
        assert_eq!(
            at(1_767_225_600_999.0),
            Ok(Timestamp::from_unix_seconds(1_767_225_600))
        );
        assert_eq!(
            at(EARLIEST_MILLIS),
            Ok(Timestamp::from_unix_seconds(946_684_800))
        );
        assert_eq!(
            at(LATEST_MILLIS),
            Ok(Timestamp::from_unix_seconds(253_402_300_799))
        );
    }

    #[test]
    fn seconds_and_milliseconds_of_the_moments_taken_cannot_be_mistaken() {
        assert!(super::looks_like_seconds(1_767_225_600.0));
        assert!(!super::looks_like_seconds(1_767_225_600_000.0));
        const {
            assert!(
                LATEST_MILLIS / 1000.0 < EARLIEST_MILLIS,
                "the ranges do not meet"
            );
        };
    }

    #[test]
    fn moments_out_of_range_are_refused() {
        for millis in [
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            -1.0,
            0.0,
            // Seconds read as milliseconds (new Date(seconds)): January 1970.
            1_767_225_600.0,
            EARLIEST_MILLIS - 1.0,
            LATEST_MILLIS + 1.0,
            // Milliseconds read as microseconds, and the largest Date there is.
            1_767_225_600_000_000.0,
            8.64e15,
        ] {
            let refused = from_millis(millis, "now");
            assert!(matches!(refused, Err(Error::Range(_))), "{millis}");
        }
    }
}
