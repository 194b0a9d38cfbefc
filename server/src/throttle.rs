//! Throttling on the request path and the phantom cap's trim: what `limits` (the
//! configuration's bounds) turns into at run time.

use std::time::Duration;

use tokio::sync::SemaphorePermit;

use crate::{App, answer::Answer, exceptions::ServerException};

/// `TooManyRequestsException`, as the service throttles.
#[must_use]
pub fn too_many_requests() -> Answer {
    Answer::refuse(ServerException::TooManyRequests, "Too many requests")
}

/// `LimitExceededException` with `message`: a quota (`limits.pools`, `clients_per_pool`,
/// `users_per_pool`) is reached.
#[must_use]
pub fn limit_exceeded(message: String) -> Answer {
    Answer::refuse(ServerException::LimitExceeded, message)
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

/// Trims every pool to `cap` phantoms, deleting those closest to being pruned, and the
/// guess budgets of the phantoms deleted; how many phantoms.
/// Off the request path on purpose: a count and a lock on every new phantom made an unknown
/// username's first request measurably slower than a real user's, and queued one pool's
/// callers behind another's flood.
///
/// # Errors
/// A database error.
pub async fn trim_phantoms(
    store: &confirmation_flow_store::SqlStore,
    cap: i64,
) -> confirmation_flow_store::Result<u64> {
    use confirmation_flow_store::{Param, Value};
    let over = store.rows(OVER_CAP.into(), vec![Param::Int(cap)]).await?;
    let mut trimmed = 0;
    for row in over {
        let (Some(Value::Text(pool)), Some(Value::Int(held))) = (row.first(), row.get(1)) else {
            continue;
        };
        let excess = held - cap;
        let changed = store
            .transaction(vec![
                (
                    TRIM.into(),
                    vec![Param::text(pool.clone()), Param::Int(excess)],
                ),
                (
                    crate::destinations::DELETE_ORPHANED.into(),
                    vec![Param::text(pool.clone())],
                ),
            ])
            .await?;
        trimmed += changed.first().copied().unwrap_or(0);
    }
    Ok(trimmed)
}
