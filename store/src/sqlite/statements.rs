//! The directory's plain statements on SQLite (pools, clients, budgets, whole-pool reads):
//! written in PostgreSQL's dialect for both backends, run on a reader, on a connection of
//! their own, or in one transaction on the writer.

use std::time::{Duration, Instant};

use rusqlite::{Connection, ErrorCode, TransactionBehavior, params_from_iter};

use super::{Sqlite, configure, rows::query_rows};
use crate::{
    Result,
    plan::sqlite_dialect,
    types::{Param, Value},
};

impl Sqlite {
    /// The rows `sql` (in PostgreSQL's dialect, `$n`) returns with `params`, on a reader:
    /// for a statement that reads a few rows by key.
    ///
    /// # Errors
    /// The statement fails, or returns a column of a type [`Value`] does not hold.
    pub async fn rows(&self, sql: String, params: Vec<Param>) -> Result<Vec<Vec<Value>>> {
        self.on_reader(move |db| query_rows(db, &sql, &params))
            .await
    }

    /// [`Self::rows`] for a statement that may read a whole pool: on a connection of its
    /// own, on a blocking thread (never on the async workers, nor holding a reader the
    /// requests need), stopped by SQLite once it has run for `limit`. In memory there is
    /// one connection, the writer's: the statement runs there, within the same limit.
    pub async fn scan(
        &self,
        sql: String,
        params: Vec<Param>,
        limit: Duration,
    ) -> Result<Vec<Vec<Value>>> {
        let deadline = Instant::now() + limit;
        let query = move |db: &mut Connection| -> Result<Vec<Vec<Value>>> {
            // Checked every few thousand virtual machine steps: a true answer interrupts.
            db.progress_handler(4_096, Some(move || Instant::now() >= deadline))?;
            let found = query_rows(db, &sql, &params);
            db.progress_handler(0, None::<fn() -> bool>)?;
            found.map_err(|error| match error.downcast_ref::<rusqlite::Error>() {
                Some(error)
                    if error.sqlite_error_code() == Some(ErrorCode::OperationInterrupted) =>
                {
                    format!("a whole-pool read ran longer than {limit:?}").into()
                }
                _ => error,
            })
        };
        let Some(path) = self.path.clone() else {
            return self.on_writer(query).await;
        };
        tokio::task::spawn_blocking(move || {
            let mut db = Connection::open(path)?;
            configure(&db)?;
            db.pragma_update(None, "query_only", true)?;
            query(&mut db)
        })
        .await?
    }

    /// Runs `statements` (in PostgreSQL's dialect) in one transaction on the writer: how many
    /// rows each changed.
    ///
    /// # Errors
    /// A statement fails (then none is applied).
    pub async fn transaction(&self, statements: Vec<(String, Vec<Param>)>) -> Result<Vec<u64>> {
        self.on_writer(move |db| {
            let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut changed = Vec::with_capacity(statements.len());
            for (sql, params) in &statements {
                let mut statement = tx.prepare_cached(&sqlite_dialect(sql))?;
                changed.push(u64::try_from(statement.execute(params_from_iter(params))?)?);
            }
            tx.commit()?;
            Ok(changed)
        })
        .await
    }

    /// See [`crate::SqlStore::guarded`].
    ///
    /// # Errors
    /// A statement fails (then none is applied).
    pub async fn guarded(&self, statements: Vec<crate::Guarded>) -> Result<bool> {
        self.on_writer(move |db| {
            let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
            for guarded in &statements {
                let mut statement = tx.prepare_cached(&sqlite_dialect(&guarded.sql))?;
                let changed = statement.execute(params_from_iter(&guarded.params))?;
                if guarded.must_change_one && changed != 1 {
                    // Dropping the transaction rolls it back.
                    return Ok(false);
                }
            }
            tx.commit()?;
            Ok(true)
        })
        .await
    }
}
