//! Failed sign-ins and the lock-out they lead to, as the service documents it: after five
//! failed sign-ins, each further failure locks sign-in out for 2^(n−5) seconds (n failures
//! so far), doubling up to about 15 minutes; an attempt during a lock-out is answered
//! `Password attempts exceeded` without its password being checked, and does not lengthen
//! it; 15 quiet minutes, or a successful sign-in, start the count afresh. (Amazon Cognito
//! Developer Guide, "User sign-in lockout behavior for failed attempts".)
//!
//! An attempt is counted **before** its password is checked, by one conditional statement
//! that takes the next failure only while sign-in is not locked out (SQLite's one writer runs
//! it whole; PostgreSQL re-checks its condition on the row it locks): however many requests
//! race, on however many processes, at most five passwords are checked before the first
//! lock-out, and one per lock-out after it. A successful sign-in then takes the count back.
//!
//! A user is counted under its username. Under `PreventUserExistenceErrors` a name nobody
//! holds is counted too, under a keyed hash of the pool and the name, so that it locks out
//! as a real user does: the answers say nothing of who exists.

use std::{fmt::Write as _, sync::LazyLock};

use confirmation_flow_store::{Param, Result, SqlStore};

/// Failures allowed before the first lock-out.
pub const FREE_FAILURES: i64 = 5;
/// The longest lock-out, and how long a quiet spell resets the count: 15 minutes.
pub const LONGEST_MS: i64 = 15 * 60 * 1_000;

/// The lock-out after `failures` failed sign-ins, in milliseconds: none before the fifth,
/// then 2^(failures−5) seconds, at most [`LONGEST_MS`].
#[must_use]
pub const fn lockout_ms(failures: i64) -> i64 {
    if failures < FREE_FAILURES {
        return 0;
    }
    let doublings = failures - FREE_FAILURES;
    if doublings >= 10 {
        return LONGEST_MS;
    }
    let ms = 1_000 << doublings;
    if ms < LONGEST_MS { ms } else { LONGEST_MS }
}

/// Who failed to sign in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    /// A user of the pool, by username.
    User(String),
    /// A name nobody in the pool holds, as its keyed hash (hex).
    Unknown(String),
}

impl Subject {
    /// How the subject is stored: `user:<username>` or `unknown:<hash>`.
    #[must_use]
    pub fn key(&self) -> String {
        match self {
            Self::User(username) => format!("user:{username}"),
            Self::Unknown(hash) => format!("unknown:{hash}"),
        }
    }

    /// A name nobody in the pool `pool_id` holds, by its keyed hash under `keys`: counted
    /// and locked out as a user is (`PreventUserExistenceErrors`), and stored as a hash,
    /// never as the name.
    #[must_use]
    pub fn unknown(keys: &crate::refresh_tokens::HashKeys, pool_id: &str, named: &str) -> Self {
        Self::Unknown(keys.current(&format!("sign-in-failures\0{pool_id}\0{named}")))
    }

    /// The subject [`Self::key`] stored as `key`.
    #[must_use]
    pub fn from_key(key: &str) -> Self {
        match key.strip_prefix("user:") {
            Some(username) => Self::User(username.to_owned()),
            None => Self::Unknown(key.trim_start_matches("unknown:").to_owned()),
        }
    }
}

/// Takes one more failure for (`$1` pool, `$2` subject) at `$3` (Unix milliseconds) unless
/// sign-in is locked out then: a first failure, a count started afresh after
/// [`LONGEST_MS`] of quiet, or one more; otherwise nothing (no row changed). The lock-out
/// lengths are [`lockout_ms`]'s, written into the statement once.
static COUNT: LazyLock<String> = LazyLock::new(|| {
    let mut lengths = String::new();
    for failures in FREE_FAILURES..FREE_FAILURES + 10 {
        // Writing to a String cannot fail.
        let _ = write!(lengths, " WHEN {failures} THEN {}", lockout_ms(failures));
    }
    format!(
        "INSERT INTO sign_in_failures AS f (pool_id, subject, failures, last_failure_ms) \
         VALUES ($1, $2, 1, $3) \
         ON CONFLICT (pool_id, subject) DO UPDATE SET \
         failures = CASE WHEN excluded.last_failure_ms - f.last_failure_ms >= {LONGEST_MS} \
                    THEN 1 ELSE f.failures + 1 END, \
         last_failure_ms = excluded.last_failure_ms \
         WHERE f.failures < {FREE_FAILURES} \
            OR excluded.last_failure_ms - f.last_failure_ms >= \
               CASE f.failures{lengths} ELSE {LONGEST_MS} END"
    )
});

const CLEAR: &str = "DELETE FROM sign_in_failures WHERE pool_id = $1 AND subject = $2";

/// The counts quiet since before `$1`, a batch of `$2` at a time, along their index.
/// The condition is repeated outside the sub-select: on PostgreSQL a count written while the
/// prune runs is re-checked on the row the delete locks, and kept.
const PRUNE: &str = "DELETE FROM sign_in_failures WHERE (pool_id, subject) IN \
     (SELECT pool_id, subject FROM sign_in_failures WHERE last_failure_ms < $1 LIMIT $2) \
     AND last_failure_ms < $1";

/// A user's count (`$1` pool, `$2` username): run with the user's deletion.
pub const DELETE_USER_FAILURES: &str =
    "DELETE FROM sign_in_failures WHERE pool_id = $1 AND subject = 'user:' || CAST($2 AS TEXT)";
/// A pool's counts: run with the pool's deletion.
pub const DELETE_POOL_FAILURES: &str = "DELETE FROM sign_in_failures WHERE pool_id = $1";

/// Counts a sign-in attempt of `subject` at `now_ms`, before its password is checked:
/// `true` if it was counted (check the password), `false` if sign-in is locked out.
///
/// # Errors
/// A database error.
pub async fn count(
    store: &SqlStore,
    pool_id: &str,
    subject: &Subject,
    now_ms: i64,
) -> Result<bool> {
    let params = vec![
        Param::text(pool_id),
        Param::Text(Some(subject.key())),
        Param::Int(now_ms),
    ];
    let changed = store.transaction(vec![(COUNT.clone(), params)]).await?;
    Ok(changed == [1])
}

/// Starts `subject`'s count afresh: its password was right.
///
/// # Errors
/// A database error.
pub async fn clear(store: &SqlStore, pool_id: &str, subject: &Subject) -> Result<()> {
    let params = vec![Param::text(pool_id), Param::Text(Some(subject.key()))];
    store.transaction(vec![(CLEAR.into(), params)]).await?;
    Ok(())
}

/// Deletes the counts quiet for [`LONGEST_MS`] at `now_ms` (they would start afresh), in
/// bounded batches; how many.
///
/// # Errors
/// A database error.
pub async fn prune(store: &SqlStore, now_ms: i64) -> Result<u64> {
    crate::batches::delete(store, PRUNE, now_ms - LONGEST_MS).await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The service's numbers: nothing before the fifth failure, then 1 s doubling, capped at
    /// about 15 minutes (2^10 s would be 17).
    #[test]
    fn lockouts_double_from_one_second_after_five_failures_up_to_fifteen_minutes() {
        let seconds: Vec<i64> = (0..18).map(|n| lockout_ms(n) / 1_000).collect();
        assert_eq!(
            seconds,
            [
                0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900
            ]
        );
        assert_eq!(lockout_ms(i64::MAX), LONGEST_MS);
    }
}
