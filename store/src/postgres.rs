//! The PostgreSQL backend, for several server processes on one database: a pool of
//! connections (`deadpool-postgres`), statements prepared once per connection, each read one
//! statement, each change one transaction at `READ COMMITTED`. A concurrent change to the
//! same row waits for the first and then finds the version moved (a lost race); a second
//! verified owner of an alias is refused by the unique index (a lost race too).

use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio_postgres::{NoTls, types::ToSql};

mod migrate;
mod rows;

use rows::{execute, lost_race, value};

use crate::{
    Applied, Change, Read, Result, SeedUser, Snapshot, Store, UserRow, columns, describe,
    plan::{Arg, plan},
    postgres_sql as sql, postgres_tls,
    types::{Param, Value},
};

/// Connections per process.
const CONNECTIONS: usize = 16;
/// How long a request waits for a connection, or for one to be made.
const WAIT: Duration = Duration::from_secs(5);
/// Rows per seeding statement.
const SEED_BATCH: usize = 5_000;
/// Phantoms deleted per statement.
const PRUNE_BATCH: i64 = 1_000;

/// A PostgreSQL database.
/// Every connection's bounds on one statement and on one wait for a lock (migrations lift
/// them; whole-pool reads set their own, `limits.scan_timeout_seconds`).
pub const STATEMENT_BOUNDS: &str = "-c statement_timeout=10s -c lock_timeout=10s";

#[derive(Debug)]
pub struct Postgres {
    pool: Pool,
}

impl Postgres {
    /// Connects to `url`, over TLS when its `sslmode` asks (`postgres_tls.rs`), and applies
    /// the migrations.
    pub async fn open(url: &str) -> Result<Self> {
        let mut connection = postgres_tls::connection(url)?;
        // Every statement of a request is an indexed point read or write: bounded, so that a
        // lock held elsewhere or a slow server cannot hold a connection past the request.
        let options = connection.config.get_options().unwrap_or("").to_owned();
        connection
            .config
            .options(format!("{options} {STATEMENT_BOUNDS}").trim());
        let manager_config = ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        };
        let (manager, tls) = match connection.tls {
            None => (
                Manager::from_config(connection.config, NoTls, manager_config),
                "plaintext".to_owned(),
            ),
            Some(tls) => (
                Manager::from_config(connection.config, tls.connector, manager_config),
                format!("TLS ({})", tls.described),
            ),
        };
        let pool = Pool::builder(manager)
            .max_size(CONNECTIONS)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(WAIT))
            .create_timeout(Some(WAIT))
            .build()?;
        // The first connection says what went wrong, and how it was tried: a certificate
        // refused is a TLS error, not a database one.
        drop(
            pool.get()
                .await
                .map_err(|error| format!("cannot connect over {tls}: {}", describe(&error)))?,
        );
        let store = Self { pool };
        store.migrate().await?;
        Ok(store)
    }

    pub async fn read(&self, read: &Read) -> Result<Snapshot> {
        let client = self.pool.get().await?;
        let statement = client.prepare_cached(sql::READ).await?;
        let row = client
            .query_one(
                &statement,
                &[
                    &read.pool_id,
                    &read.username,
                    &read.phantom,
                    &read.email_owner,
                    &read.phone_number_owner,
                    &read.client_id,
                ],
            )
            .await?;
        columns::snapshot(&row)
    }

    pub async fn apply(&self, change: &Change) -> Result<Applied> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let applied = match self.statements(&tx, change).await {
            Ok(applied) => applied,
            Err(error) if lost_race(&error) => Applied::LostRace,
            Err(error) => return Err(error.into()),
        };
        match applied {
            Applied::Done => tx.commit().await?,
            Applied::LostRace => tx.rollback().await?,
        }
        Ok(applied)
    }

    /// `change`'s statements, inside `tx`.
    /// Runs `change`'s statements ([`crate::plan`]); `LostRace` at the first that changes
    /// no row.
    async fn statements(
        &self,
        tx: &deadpool_postgres::Transaction<'_>,
        change: &Change,
    ) -> std::result::Result<Applied, tokio_postgres::Error> {
        for step in plan(change) {
            let args: Vec<&(dyn ToSql + Sync)> = step
                .args
                .iter()
                .map(|arg| -> &(dyn ToSql + Sync) {
                    match arg {
                        Arg::Text(text) => text,
                        Arg::Int(int) => int,
                        Arg::MaybeInt(int) => int,
                        Arg::Bool(flag) => flag,
                    }
                })
                .collect();
            if execute(tx, step.sql, &args).await? != 1 && step.must_change {
                return Ok(Applied::LostRace);
            }
        }
        Ok(Applied::Done)
    }

    pub async fn load(&self, pool_id: &str, username: &str) -> Result<Option<UserRow>> {
        let client = self.pool.get().await?;
        let statement = client.prepare_cached(sql::LOAD).await?;
        match client.query_opt(&statement, &[&pool_id, &username]).await? {
            Some(row) => columns::user(&row),
            None => Ok(None),
        }
    }

    pub async fn prune(&self, now: i64) -> Result<u64> {
        let client = self.pool.get().await?;
        let statement = client.prepare_cached(sql::PRUNE).await?;
        let mut pruned = 0;
        loop {
            let deleted = client.execute(&statement, &[&now, &PRUNE_BATCH]).await?;
            pruned += deleted;
            if i64::try_from(deleted)? < PRUNE_BATCH {
                return Ok(pruned);
            }
        }
    }

    pub async fn seed(&self, pool_id: &str, users: &[SeedUser], now: i64) -> Result<()> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let statement = tx.prepare_cached(sql::SEED).await?;
        for batch in users.chunks(SEED_BATCH) {
            let column =
                |field: fn(&SeedUser) -> String| batch.iter().map(field).collect::<Vec<_>>();
            let states = batch
                .iter()
                .map(|user| serde_json::to_string(&user.state))
                .collect::<std::result::Result<Vec<_>, _>>()?;
            let versions = batch
                .iter()
                .map(|user| i64::try_from(user.state.version()))
                .collect::<std::result::Result<Vec<_>, _>>()?;
            let (usernames, subs, emails) = (
                column(|user| user.username.clone()),
                column(|user| user.sub.clone()),
                column(|user| user.email.clone()),
            );
            tx.execute(
                &statement,
                &[
                    &pool_id, &now, &usernames, &subs, &emails, &states, &versions,
                ],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn rows(&self, sql: &str, params: &[Param]) -> Result<Vec<Vec<Value>>> {
        let client = self.pool.get().await?;
        let statement = client.prepare_cached(sql).await?;
        let params: Vec<_> = params.iter().map(Param::as_sql).collect();
        let rows = client.query(&statement, &params).await?;
        rows.iter()
            .map(|row| (0..row.len()).map(|index| value(row, index)).collect())
            .collect()
    }

    /// [`Self::rows`] for a statement that may read a whole pool: the server stops it once it
    /// has run for `limit` (`statement_timeout`, for this transaction only), so that it
    /// neither holds a connection nor keeps the database busy for a caller who gave up.
    pub async fn scan(
        &self,
        sql: &str,
        params: &[Param],
        limit: Duration,
    ) -> Result<Vec<Vec<Value>>> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let milliseconds = limit.as_millis().max(1);
        tx.batch_execute(&format!("SET LOCAL statement_timeout = {milliseconds}"))
            .await?;
        let statement = tx.prepare_cached(sql).await?;
        let params: Vec<_> = params.iter().map(Param::as_sql).collect();
        let rows = tx.query(&statement, &params).await?;
        tx.commit().await?;
        rows.iter()
            .map(|row| (0..row.len()).map(|index| value(row, index)).collect())
            .collect()
    }

    pub async fn transaction(&self, statements: &[(String, Vec<Param>)]) -> Result<Vec<u64>> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let mut changed = Vec::with_capacity(statements.len());
        for (sql, params) in statements {
            let params: Vec<_> = params.iter().map(Param::as_sql).collect();
            changed.push(execute(&tx, sql, &params).await?);
        }
        tx.commit().await?;
        Ok(changed)
    }

    pub async fn guarded(&self, statements: &[crate::Guarded]) -> Result<bool> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        for guarded in statements {
            let params: Vec<_> = guarded.params.iter().map(Param::as_sql).collect();
            let changed = execute(&tx, &guarded.sql, &params).await?;
            if guarded.must_change_one && changed != 1 {
                tx.rollback().await?;
                return Ok(false);
            }
        }
        tx.commit().await?;
        Ok(true)
    }

    pub async fn health(&self) -> Result<()> {
        self.pool.get().await?.simple_query("SELECT 1").await?;
        Ok(())
    }
}

impl Store for Postgres {
    async fn read(&self, read: Read) -> Result<Snapshot> {
        Self::read(self, &read).await
    }

    async fn apply(&self, change: Change) -> Result<Applied> {
        Self::apply(self, &change).await
    }
}
