//! The PostgreSQL schema's migrations ([`MIGRATIONS`](crate::postgres_sql::MIGRATIONS)),
//! recorded in `schema_migrations` and applied in order, once, whichever process starts
//! first.

use super::Postgres;
use crate::{Result, postgres_sql as sql};

impl Postgres {
    /// Applies the migrations this build has and the database lacks, in one transaction
    /// under an advisory lock: processes starting at once apply each migration once.
    pub(super) async fn migrate(&self) -> Result<()> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&sql::MIGRATION_LOCK])
            .await?;
        // "already exists, skipping" is not news on every start.
        tx.batch_execute(
            "SET LOCAL client_min_messages = warning; SET LOCAL statement_timeout = 0; \
             SET LOCAL lock_timeout = 0",
        )
        .await?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY)",
        )
        .await?;
        let applied: i64 = tx
            .query_one(
                "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                &[],
            )
            .await?
            .try_get(0)?;
        for (version, migration) in (1_i64..).zip(sql::MIGRATIONS) {
            if version > applied {
                tx.batch_execute(migration).await?;
                tx.execute(
                    "INSERT INTO schema_migrations (version) VALUES ($1)",
                    &[&version],
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }
}
