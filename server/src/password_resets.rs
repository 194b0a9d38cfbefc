//! Password resets as stored (`password_reset.rs` issues and redeems them): one row per user
//! (keyed by its `sub`) or, under `PreventUserExistenceErrors`, per phantom (keyed by its
//! id), holding the crate's `Confirmation` for the reset code, compared and swapped on its
//! version like every state of the crate's. The reset it completes deletes it, with the
//! same compare-and-swap; so do the user's deletion, the pool's, and, once its code and its
//! rate windows have passed, the upkeep.
//!
//! Its statements are written once, in PostgreSQL's `$n` form, for both backends.

use confirmation_flow::Confirmation;
use confirmation_flow_store::{Guarded, Param, SqlStore, Value, types::state};

use crate::answer::{Answer, internal};

/// How long a reset code lives, as the service's do (its quotas page: one hour), and how
/// long its rate windows are: the row is kept this long after its last change.
pub const LIFETIME_SECONDS: u64 = 60 * 60;

const READ: &str = "SELECT state FROM password_resets WHERE pool_id = $1 AND subject = $2";
/// Only into a pool that exists (a reset asked for while its pool is deleted is not left
/// behind).
const INSERT: &str = "INSERT INTO password_resets (pool_id, subject, state, version, \
     prune_after) SELECT $1::text, $2::text, $3::text, $4::bigint, $5::bigint \
     WHERE EXISTS (SELECT 1 FROM pools WHERE pool_id = $1) ON CONFLICT DO NOTHING";
/// Compare-and-swap on the state read, not its version alone: a row deleted (spent, ended
/// by a new password, pruned) and made again starts again at the same versions, and a write
/// decided on the old row must not land on the new one. A state holds its code's random tag
/// and its times, so no two rows' states are equal.
const UPDATE: &str = "UPDATE password_resets SET state = $3, version = $4, prune_after = $5 \
     WHERE pool_id = $1 AND subject = $2 AND version = $6 AND state = $7";
/// Spends a reset: the one that completes it, on the state it was decided on.
const SPEND: &str = "DELETE FROM password_resets \
     WHERE pool_id = $1 AND subject = $2 AND version = $3 AND state = $4";
/// A user's reset, by username (`$2`): run with any change of their password, and with
/// their deletion (before it: the `sub` is read from the user's row). Every transaction
/// that writes both writes the reset first, then the user, so that two never wait on each
/// other's rows in opposite orders.
pub const DELETE_USER_RESETS: &str = "DELETE FROM password_resets WHERE pool_id = $1 AND \
     subject IN (SELECT sub FROM users WHERE pool_id = $1 AND username = $2)";
/// A pool's resets: run with the pool's deletion.
pub const DELETE_POOL_RESETS: &str = "DELETE FROM password_resets WHERE pool_id = $1";
/// A batch of resets whose code and windows have passed; the condition repeated for
/// PostgreSQL's re-check.
const PRUNE: &str = "DELETE FROM password_resets WHERE (pool_id, subject) IN \
     (SELECT pool_id, subject FROM password_resets WHERE prune_after <= $1 LIMIT $2) \
     AND prune_after <= $1";

/// The reset state stored for `subject` (a `sub` or a phantom id) in `pool_id`, if any.
///
/// # Errors
/// A database error, or a state that does not load.
pub async fn read(
    store: &SqlStore,
    pool_id: &str,
    subject: &str,
) -> Result<Option<Confirmation>, Answer> {
    let params = vec![Param::text(pool_id), Param::text(subject)];
    let rows = store.rows(READ.into(), params).await.map_err(internal)?;
    match rows.into_iter().next().map(<[Value; 1]>::try_from) {
        None => Ok(None),
        Some(Ok([Value::Text(stored)])) => state(&stored).map(Some).map_err(internal),
        Some(_) => Err(internal("a stored reset does not load")),
    }
}

/// The statement that stores `after` for `subject` in `pool_id` over `before` (the state
/// read, or none): it changes one row, or the reset changed since it was read.
///
/// # Errors
/// A state that does not serialise.
pub fn write(
    pool_id: &str,
    subject: &str,
    before: Option<&Confirmation>,
    after: &Confirmation,
    now: i64,
) -> Result<Guarded, Answer> {
    let prune_after = now.saturating_add(LIFETIME_SECONDS.cast_signed());
    let mut params = vec![
        Param::text(pool_id),
        Param::text(subject),
        Param::text(serde_json::to_string(after).map_err(internal)?),
        Param::Int(version(after)?),
        Param::Int(prune_after),
    ];
    Ok(match before {
        None => Guarded::one(INSERT, params),
        Some(before) => {
            params.push(Param::Int(version(before)?));
            params.push(Param::text(
                serde_json::to_string(before).map_err(internal)?,
            ));
            Guarded::one(UPDATE, params)
        }
    })
}

/// The statement that spends the reset of `subject`, read as `before`.
///
/// # Errors
/// A version past what the database holds.
pub fn spend(pool_id: &str, subject: &str, before: &Confirmation) -> Result<Guarded, Answer> {
    let params = vec![
        Param::text(pool_id),
        Param::text(subject),
        Param::Int(version(before)?),
        Param::text(serde_json::to_string(before).map_err(internal)?),
    ];
    Ok(Guarded::one(SPEND, params))
}

fn version(state: &Confirmation) -> Result<i64, Answer> {
    i64::try_from(state.version()).map_err(internal)
}

/// Deletes the resets whose code and windows passed before `now` (less a quarter of an
/// hour: a process whose clock runs ahead of the others' prunes nothing they still count
/// with), a batch at a time; how many.
///
/// # Errors
/// A database error.
pub async fn prune(store: &SqlStore, now: i64) -> confirmation_flow_store::Result<u64> {
    crate::batches::delete(store, PRUNE, now.saturating_sub(15 * 60)).await
}

/// Before the `attempt`th try of a reset decision (from 0): nothing for the first; after a
/// lost race, the store's driver's jittered wait, so the losers of one race spread out.
/// `false` once the driver's attempts are spent.
pub async fn another_try(attempt: u32) -> bool {
    let driver = confirmation_flow_store::Driver::default();
    if attempt > 0 && attempt < driver.attempts {
        tokio::time::sleep(driver.wait(attempt)).await;
    }
    attempt < driver.attempts
}
