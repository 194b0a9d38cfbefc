//! The server's clock: the wall clock, or, for tests, the wall clock moved forward.
//!
//! Every rule reads time here — codes, rate windows, phantoms, sessions, tokens, lock-outs —
//! except SigV4, whose signatures are dated by the caller's real clock. A server started with
//! `test_clock` (on a loopback address only) serves `POST /_test/clock` (`{"advance_seconds":
//! n}`), which moves its clock forward; the offset is kept in the database and read by every
//! request, so all the processes on one database share one clock.

use std::{
    sync::atomic::{AtomicI64, Ordering},
    time::SystemTime,
};

use confirmation_flow::Timestamp;
use confirmation_flow_store::{Param, Result, SqlStore, Value};

/// The wall clock, in Unix milliseconds.
fn wall_ms() -> i64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The furthest a test may move the clock in one step: ten years.
pub const MAX_ADVANCE_SECONDS: i64 = 10 * 366 * 24 * 60 * 60;

const READ: &str = "SELECT offset_ms FROM test_clock WHERE id = 1";
const ADVANCE: &str = "INSERT INTO test_clock AS c (id, offset_ms) VALUES (1, $1) \
     ON CONFLICT (id) DO UPDATE SET offset_ms = c.offset_ms + excluded.offset_ms";

/// The time every rule of one server reads.
#[derive(Debug, Default)]
pub struct Clock {
    /// Whether tests may move it (`test_clock`).
    movable: bool,
    /// How far it has been moved, as last read from the database.
    offset_ms: AtomicI64,
}

impl Clock {
    /// The wall clock, movable by tests when `movable`.
    #[must_use]
    pub const fn new(movable: bool) -> Self {
        Self {
            movable,
            offset_ms: AtomicI64::new(0),
        }
    }

    /// Whether tests may move it.
    #[must_use]
    pub const fn movable(&self) -> bool {
        self.movable
    }

    /// Now, in Unix milliseconds (failed sign-ins: their lock-outs start at one second).
    #[must_use]
    pub fn now_ms(&self) -> i64 {
        wall_ms().saturating_add(self.offset_ms.load(Ordering::Relaxed))
    }

    /// Now, as the crate's [`Timestamp`] and as Unix seconds (what the database stores).
    #[must_use]
    pub fn now(&self) -> (Timestamp, i64) {
        let seconds = self.now_ms().div_euclid(1_000).max(0);
        (
            Timestamp::from_unix_seconds(seconds.unsigned_abs()),
            seconds,
        )
    }

    /// Reads how far tests have moved the clock, from `store` (a movable clock only).
    ///
    /// # Errors
    /// A database error.
    pub async fn refresh(&self, store: &SqlStore) -> Result<()> {
        if !self.movable {
            return Ok(());
        }
        let rows = store.rows(READ.into(), Vec::new()).await?;
        if let Some(Value::Int(offset)) = rows
            .into_iter()
            .next()
            .and_then(|row| row.into_iter().next())
        {
            self.offset_ms.store(offset, Ordering::Relaxed);
        }
        Ok(())
    }

    /// Moves the clock `seconds` forward for every process on `store`; now, after it.
    ///
    /// # Errors
    /// Not a movable clock, a step out of range, or a database error.
    pub async fn advance(&self, store: &SqlStore, seconds: i64) -> Result<(Timestamp, i64)> {
        if !self.movable {
            return Err("this server's clock is the wall clock (start it with test_clock)".into());
        }
        if !(1..=MAX_ADVANCE_SECONDS).contains(&seconds) {
            return Err(format!("advance_seconds must be from 1 to {MAX_ADVANCE_SECONDS}").into());
        }
        let params = vec![Param::Int(seconds.saturating_mul(1_000))];
        store.transaction(vec![(ADVANCE.into(), params)]).await?;
        self.refresh(store).await?;
        Ok(self.now())
    }
}
