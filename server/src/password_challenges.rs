//! `NEW_PASSWORD_REQUIRED` challenges as stored (`new_password.rs` makes and answers them):
//! one row per challenge handed out and not yet answered, keyed by a keyed hash of its
//! session, deleted by the answer that uses it (single use), with its pool, and once
//! expired.
//!
//! Its statements are written once, in PostgreSQL's `$n` form, for both backends.

use confirmation_flow_store::SqlStore;

pub const INSERT: &str = "INSERT INTO password_challenges (session_hash, pool_id, client_id, \
     username, sub, password_binding, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";
/// Spends a challenge: one answer gets it.
pub const SPEND: &str = "DELETE FROM password_challenges WHERE session_hash = $1";
/// A challenge by its hash: the first thing an answer reads, so that an answer without a
/// live session learns nothing of the user it names.
pub const FIND: &str = "SELECT pool_id, client_id, username, sub, password_binding, expires_at \
     FROM password_challenges WHERE session_hash = $1";
/// A batch of expired challenges; the condition repeated for PostgreSQL's re-check.
const PRUNE: &str = "DELETE FROM password_challenges WHERE session_hash IN \
     (SELECT session_hash FROM password_challenges WHERE expires_at <= $1 LIMIT $2) \
     AND expires_at <= $1";
/// A pool's challenges: run with the pool's deletion.
pub const DELETE_POOL_CHALLENGES: &str = "DELETE FROM password_challenges WHERE pool_id = $1";

/// Deletes the challenges expired at `now`, a batch at a time; how many.
///
/// # Errors
/// A database error.
pub async fn prune(store: &SqlStore, now: i64) -> confirmation_flow_store::Result<u64> {
    crate::batches::delete(store, PRUNE, now).await
}
