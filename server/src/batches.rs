//! Deleting what has expired, a bounded batch at a time, so that the upkeep never holds the
//! writer for long: refresh tokens, failed sign-in counts, SRP challenges.

use confirmation_flow_store::{Param, Result, SqlStore};

/// Rows deleted per statement.
pub const BATCH: i64 = 1_000;
/// Statements per call: at most `BATCH × BATCHES` rows a minute.
const BATCHES: usize = 20;

/// Runs `sql` (`$1` the cut-off, `$2` [`BATCH`]: a `DELETE` of at most `$2` rows older than
/// `$1`) until a batch comes back short, or [`BATCHES`] have run; how many rows it deleted.
///
/// # Errors
/// A database error.
pub async fn delete(store: &SqlStore, sql: &str, cut_off: i64) -> Result<u64> {
    let mut deleted = 0;
    for _ in 0..BATCHES {
        let params = vec![Param::Int(cut_off), Param::Int(BATCH)];
        let changed = store.transaction(vec![(sql.to_owned(), params)]).await?;
        let batch = changed.first().copied().unwrap_or(0);
        deleted += batch;
        if batch < BATCH.unsigned_abs() {
            break;
        }
    }
    Ok(deleted)
}
