//! SRP challenges as stored (`srp_sign_in.rs` makes and answers them): one row per
//! challenge handed out and not yet answered, keyed by a keyed hash of its secret block,
//! deleted by the answer that uses it (single use), with its pool, and once expired.
//!
//! Its statements are written once, in PostgreSQL's `$n` form, for both backends.

use confirmation_flow_store::{Result, SqlStore};

/// A new challenge.
pub const INSERT: &str = "INSERT INTO srp_challenges (challenge_hash, pool_id, client_id, username, \
     user_id, subject, srp_a, verifier, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
/// A challenge by its hash, in its pool.
pub const FIND: &str = "SELECT client_id, username, user_id, subject, srp_a, verifier, expires_at \
     FROM srp_challenges WHERE challenge_hash = $1 AND pool_id = $2";
/// Spends a challenge: one answer gets it.
pub const SPEND: &str = "DELETE FROM srp_challenges WHERE challenge_hash = $1";
/// A batch of expired challenges; the condition repeated for PostgreSQL's re-check.
const PRUNE: &str = "DELETE FROM srp_challenges WHERE challenge_hash IN \
     (SELECT challenge_hash FROM srp_challenges WHERE expires_at <= $1 LIMIT $2) \
     AND expires_at <= $1";
/// A pool's challenges: run with the pool's deletion.
pub const DELETE_POOL_CHALLENGES: &str = "DELETE FROM srp_challenges WHERE pool_id = $1";

/// Deletes the challenges expired at `now`, a batch at a time; how many.
///
/// # Errors
/// A database error.
pub async fn prune(store: &SqlStore, now: i64) -> Result<u64> {
    crate::batches::delete(store, PRUNE, now).await
}
