//! SigV4's clock: `x-amz-date` (`YYYYMMDD'T'HHMMSS'Z'`, UTC) read and written, and the five
//! minutes of skew the service allows either way. Hand-written: twenty lines of calendar
//! arithmetic (days from a civil date, after Howard Hinnant's `days_from_civil`) against a
//! date-time crate for one format.

use std::time::SystemTime;

/// How far a request's `x-amz-date` may be from the server's clock, either way.
pub const SKEW_SECONDS: i64 = 5 * 60;

/// A valid `x-amz-date`: its text and the Unix second it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmzDate {
    text: String,
    seconds: i64,
}

impl AmzDate {
    /// `YYYYMMDD'T'HHMMSS'Z'`, a real date and time; `None` for anything else.
    #[must_use]
    pub fn parse(value: &[u8]) -> Option<Self> {
        let text = std::str::from_utf8(value).ok()?;
        let bytes = text.as_bytes();
        if bytes.len() != 16 || bytes.get(8) != Some(&b'T') || bytes.get(15) != Some(&b'Z') {
            return None;
        }
        let number = |range: std::ops::Range<usize>| -> Option<i64> {
            let digits = text.get(range)?;
            digits
                .bytes()
                .all(|byte| byte.is_ascii_digit())
                .then(|| digits.parse().ok())?
        };
        let (year, month, day) = (number(0..4)?, number(4..6)?, number(6..8)?);
        let (hour, minute, second) = (number(9..11)?, number(11..13)?, number(13..15)?);
        let days_in_month = match month {
            2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            1..=12 => 31,
            _ => return None,
        };
        if !(1..=days_in_month).contains(&day) || hour > 23 || minute > 59 || second > 59 {
            return None;
        }
        let seconds =
            days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
        Some(Self {
            text: text.to_owned(),
            seconds,
        })
    }

    /// The moment `seconds` after the Unix epoch (from 1970 to 9999).
    #[must_use]
    pub fn from_unix(seconds: i64) -> Self {
        let seconds = seconds.clamp(0, 253_402_300_799);
        let (days, rest) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
        let (year, month, day) = civil_from_days(days);
        Self {
            text: format!(
                "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
                rest / 3600,
                rest % 3600 / 60,
                rest % 60
            ),
            seconds,
        }
    }

    /// The header's text.
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }

    /// `YYYYMMDD`, as the credential scope names it.
    #[must_use]
    pub fn day(&self) -> &str {
        self.text.get(..8).unwrap_or("")
    }

    /// The Unix second.
    #[cfg(test)]
    #[must_use]
    pub const fn unix(&self) -> i64 {
        self.seconds
    }

    /// Whether this date is within [`SKEW_SECONDS`] of `now`.
    ///
    /// # Errors
    /// The service's message: `Signature expired: …` or `Signature not yet current: …`.
    pub fn within_skew(&self, now: SystemTime) -> Result<(), String> {
        let now = now
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |since| {
                i64::try_from(since.as_secs()).unwrap_or(i64::MAX)
            });
        let shown = |seconds: i64| Self::from_unix(seconds).text;
        if self.seconds < now - SKEW_SECONDS {
            return Err(format!(
                "Signature expired: {} is now earlier than {} ({} - 5 min.)",
                self.text,
                shown(now - SKEW_SECONDS),
                shown(now)
            ));
        }
        if self.seconds > now + SKEW_SECONDS {
            return Err(format!(
                "Signature not yet current: {} is still later than {} ({} + 5 min.)",
                self.text,
                shown(now + SKEW_SECONDS),
                shown(now)
            ));
        }
        Ok(())
    }
}

/// Days from 1970-01-01 to a proleptic Gregorian date (years 0 to 9999 here).
const fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The inverse of [`days_from_civil`].
const fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + if month <= 2 { 1 } else { 0 };
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use super::AmzDate;

    #[test]
    fn dates_read_and_written_as_other_tools_give_them() {
        // `date -u -d @1440938160 +%Y%m%dT%H%M%SZ` (AWS's test-suite moment), a leap day,
        // the epoch, and the last second of 9999.
        for (text, seconds) in [
            ("20150830T123600Z", 1_440_938_160),
            ("20240229T235959Z", 1_709_251_199),
            ("19700101T000000Z", 0),
            ("99991231T235959Z", 253_402_300_799),
            ("20000301T000000Z", 951_868_800),
        ] {
            let date = AmzDate::parse(text.as_bytes()).unwrap();
            assert_eq!(date.unix(), seconds, "{text}");
            assert_eq!(AmzDate::from_unix(seconds).text(), text);
        }
    }

    #[test]
    fn malformed_dates_are_refused() {
        for text in [
            "20150830T123600",
            "20150830 123600Z",
            "2015083OT123600Z",
            "20230229T000000Z",
            "20151301T000000Z",
            "20150830T240000Z",
            "20150830T126000Z",
            "+2015830T123600Z",
            "20150830T12360Z\u{e9}",
            "",
        ] {
            assert_eq!(AmzDate::parse(text.as_bytes()), None, "{text}");
        }
    }

    #[test]
    fn five_minutes_either_way_and_not_a_second_more() {
        let date = AmzDate::parse(b"20150830T123600Z").unwrap();
        let at = |seconds: u64| SystemTime::UNIX_EPOCH + Duration::from_secs(seconds);
        for now in [1_440_938_160 - 300, 1_440_938_160, 1_440_938_160 + 300] {
            assert_eq!(date.within_skew(at(now)), Ok(()));
        }
        assert_eq!(
            date.within_skew(at(1_440_938_160 + 301)),
            Err(
                "Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z \
                 (20150830T124101Z - 5 min.)"
                    .into()
            )
        );
        assert_eq!(
            date.within_skew(at(1_440_938_160 - 301)),
            Err(
                "Signature not yet current: 20150830T123600Z is still later than \
                 20150830T123559Z (20150830T123059Z + 5 min.)"
                    .into()
            )
        );
    }
}
