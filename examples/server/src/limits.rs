//! The bounds on work one caller can make the server do (`"limits"` in the config file),
//! and the one answer a request gets when it meets one: `TooManyRequestsException`
//! `Too many requests`, HTTP 400 as the service answers it.
//!
//! None of these is a rate limit per caller: a caller is not known here (admin calls are
//! signed, but by keys this example does not tell apart, and clients are public). They keep
//! one process answering under load; per-IP rates belong in the proxy in front.

use std::time::Duration;

use axum::http::StatusCode;
use serde::Deserialize;
use tokio::sync::SemaphorePermit;

use crate::{App, api::Answer};

/// What one process accepts at once, and what one pool may hold.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Password hashes computed at once (each takes 19 MiB for tens of milliseconds).
    /// Default: one per core.
    pub password_hashes_at_once: usize,
    /// Sign-ups waiting for a hash, beyond those being hashed; one more is answered
    /// `TooManyRequestsException` at once. Default: 64 per core.
    pub password_hashes_waiting: usize,
    /// Unknown-user phantoms one pool keeps: every `phantom_trim_seconds` a pool over it
    /// loses its phantoms closest to being pruned. Default 10,000.
    pub phantoms_per_pool: i64,
    /// How often pools are trimmed to `phantoms_per_pool`. Default 5 s.
    pub phantom_trim_seconds: u64,
    /// Reads of a whole pool (`ListUsers`, `DescribeUserPool`'s count) running at once.
    pub scans_at_once: usize,
    /// How long such a read may run (PostgreSQL: its `statement_timeout`).
    pub scan_timeout_seconds: u64,
}

impl Default for Limits {
    fn default() -> Self {
        let cores = cores();
        Self {
            password_hashes_at_once: cores,
            password_hashes_waiting: 64 * cores,
            phantoms_per_pool: 10_000,
            phantom_trim_seconds: 5,
            scans_at_once: 2,
            scan_timeout_seconds: 5,
        }
    }
}

/// The cores this process may use.
#[must_use]
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, usize::from)
}

impl Limits {
    /// Every bound is at least one and small enough not to be a typo.
    ///
    /// # Errors
    /// A message naming the bound.
    pub fn check(&self) -> Result<(), String> {
        let checks: [(&str, u64, u64); 6] = [
            ("phantom_trim_seconds", self.phantom_trim_seconds, 3600),
            (
                "password_hashes_at_once",
                count(self.password_hashes_at_once),
                1024,
            ),
            (
                "password_hashes_waiting",
                count(self.password_hashes_waiting),
                1 << 16,
            ),
            (
                "phantoms_per_pool",
                u64::try_from(self.phantoms_per_pool).unwrap_or(0),
                1 << 30,
            ),
            ("scans_at_once", count(self.scans_at_once), 1024),
            ("scan_timeout_seconds", self.scan_timeout_seconds, 3600),
        ];
        for (name, value, most) in checks {
            if !(1..=most).contains(&value) {
                return Err(format!("limits.{name} must be from 1 to {most}"));
            }
        }
        Ok(())
    }
}

fn count(value: usize) -> u64 {
    u64::try_from(value).unwrap_or(u64::MAX)
}

/// `TooManyRequestsException`, as the service throttles.
#[must_use]
pub fn too_many_requests() -> Answer {
    Answer::Error(
        "TooManyRequestsException".into(),
        "Too many requests".into(),
        StatusCode::BAD_REQUEST,
    )
}

/// A turn to read a whole pool, and how long the read may run. A turn is waited for as long
/// as a read may run; then the request is refused (`TooManyRequestsException`).
///
/// # Errors
/// `TooManyRequestsException`: every turn stayed taken.
pub async fn scan_turn(app: &App) -> Result<(SemaphorePermit<'_>, Duration), Answer> {
    let within = Duration::from_secs(app.config.limits.scan_timeout_seconds);
    match tokio::time::timeout(within, app.scans.acquire()).await {
        Ok(Ok(turn)) => Ok((turn, within)),
        _ => Err(too_many_requests()),
    }
}

/// The pools holding more phantoms than `$1`, and how many.
const OVER_CAP: &str = "SELECT pool_id, COUNT(*) FROM phantoms WHERE pool_id IS NOT NULL \
     GROUP BY pool_id HAVING COUNT(*) > $1";
/// The pool `$1`'s `$2` phantoms closest to being pruned.
const TRIM: &str = "DELETE FROM phantoms WHERE id IN \
     (SELECT id FROM phantoms WHERE pool_id = $1 ORDER BY prune_after, id LIMIT $2)";

/// Trims every pool to `cap` phantoms, deleting those closest to being pruned; how many.
/// Off the request path on purpose: a count and a lock on every new phantom made an unknown
/// username's first request measurably slower than a real user's, and queued one pool's
/// callers behind another's flood.
///
/// # Errors
/// A database error.
pub async fn trim_phantoms(store: &crate::store::Store, cap: i64) -> crate::store::Result<u64> {
    use crate::store::{Param, Value};
    let over = store.rows(OVER_CAP.into(), vec![Param::Int(cap)]).await?;
    let mut trimmed = 0;
    for row in over {
        let (Some(Value::Text(pool)), Some(Value::Int(held))) = (row.first(), row.get(1)) else {
            continue;
        };
        let excess = held - cap;
        let changed = store
            .transaction(vec![(
                TRIM.into(),
                vec![Param::text(pool.clone()), Param::Int(excess)],
            )])
            .await?;
        trimmed += changed.into_iter().sum::<u64>();
    }
    Ok(trimmed)
}
