//! SRP challenges as stored (`srp_sign_in.rs` makes and answers them): one row per
//! challenge handed out and not yet answered, keyed by a keyed hash of its secret block,
//! deleted by the answer that uses it (single use), with its pool, and once expired.
//!
//! Its statements are written once, in PostgreSQL's `$n` form, for both backends.

use confirmation_flow_store::{Result, SqlStore, Value};

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

/// A challenge as stored.
pub struct Challenge {
    pub client_id: String,
    pub username: Option<String>,
    pub user_id: String,
    pub subject: String,
    pub a: String,
    pub verifier: String,
    pub expires_at: i64,
}

impl Challenge {
    /// A challenge from [`FIND`]'s columns.
    ///
    /// # Errors
    /// A column of another type than stored.
    pub fn of(row: Vec<Value>) -> std::result::Result<Self, &'static str> {
        let text = |value: Value| match value {
            Value::Text(text) => Ok(Some(text)),
            Value::Null => Ok(None),
            _ => Err("a stored challenge's text column is not text"),
        };
        let required = |value| text(value)?.ok_or("a stored challenge lacks a column");
        let Ok(
            [
                client_id,
                username,
                user_id,
                subject,
                a,
                verifier,
                Value::Int(expires_at),
            ],
        ) = <[Value; 7]>::try_from(row)
        else {
            return Err("a stored challenge does not load");
        };
        Ok(Self {
            client_id: required(client_id)?,
            username: text(username)?,
            user_id: required(user_id)?,
            subject: required(subject)?,
            a: required(a)?,
            verifier: required(verifier)?,
            expires_at,
        })
    }
}
