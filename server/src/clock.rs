//! The wall clock, in the two forms the server uses.

use std::time::SystemTime;

use confirmation_flow::Timestamp;

/// Now, in Unix milliseconds (failed sign-ins: their lock-outs start at one second).
#[must_use]
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Now, as the crate's [`Timestamp`] and as Unix seconds (what the database stores).
#[must_use]
pub fn now() -> (Timestamp, i64) {
    let seconds = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    (
        Timestamp::from_unix_seconds(seconds),
        i64::try_from(seconds).unwrap_or(i64::MAX),
    )
}
