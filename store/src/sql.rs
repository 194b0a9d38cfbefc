//! One store on either SQL backend, picked by the `database` setting at run time; and the
//! plain statements a server's directory runs on it (pools, clients, listings).
//!
//! A read is one statement (one consistent snapshot) of everything `Needs` asks for; a
//! [`Change`] is one transaction that checks every condition its `Write` states — the
//! version (compare-and-swap), insert-only-if-absent, and the alias claim, which the
//! database itself enforces with a unique index on verified alias values. A condition that
//! does not hold is [`Applied::LostRace`]: the loop reads and decides again.
//!
//! The backends depend only on the types (`types`, `change`); this module picks one.

pub use crate::database::Database;
use crate::{
    Applied, Change, Read, Result, SeedUser, Snapshot, Store, UserRow, budget,
    postgres::Postgres,
    sqlite::Sqlite,
    types::{Guarded, Param, Value},
};

/// A store on one of the SQL backends.
#[derive(Debug)]
pub enum SqlStore {
    Sqlite(Sqlite),
    Postgres(Postgres),
}

impl SqlStore {
    /// Opens the database, applying the schema's migrations.
    ///
    /// # Errors
    /// The database cannot be opened or migrated.
    pub async fn open(database: &Database) -> Result<Self> {
        Ok(match database {
            Database::File(path) => Self::Sqlite(Sqlite::open(Some(path))?),
            Database::Memory => Self::Sqlite(Sqlite::open(None)?),
            Database::Postgres(url) => Self::Postgres(Postgres::open(url).await?),
        })
    }

    /// One consistent read of everything `read` asks for. A user and an unknown user cost
    /// the same statement: the phantom row is read either way, and the alias owners are
    /// looked up either way (for an unknown user, of a value nobody holds).
    ///
    /// # Errors
    /// A database error, or a stored row that does not load.
    pub async fn read(&self, read: Read) -> Result<Snapshot> {
        match self {
            Self::Sqlite(store) => store.read(read).await,
            Self::Postgres(store) => store.read(&read).await,
        }
    }

    /// Carries out `change` in one transaction if every condition it states holds.
    ///
    /// # Errors
    /// A database error other than a violated condition.
    pub async fn apply(&self, change: Change) -> Result<Applied> {
        match self {
            Self::Sqlite(store) => store.apply(change).await,
            Self::Postgres(store) => store.apply(&change).await,
        }
    }

    /// The user of the pool `pool_id` named `username`, if any.
    ///
    /// # Errors
    /// A database error, or a stored row that does not load.
    pub async fn load(&self, pool_id: &str, username: &str) -> Result<Option<UserRow>> {
        match self {
            Self::Sqlite(store) => store.load(pool_id.to_owned(), username.to_owned()).await,
            Self::Postgres(store) => store.load(pool_id, username).await,
        }
    }

    /// The rows `sql` (PostgreSQL's `$n` placeholders; SQLite gets `?n`) returns: for the
    /// directory's statements, which are written once for both backends.
    ///
    /// # Errors
    /// A database error, or a column of a type a directory statement does not return.
    pub async fn rows(&self, sql: String, params: Vec<Param>) -> Result<Vec<Vec<Value>>> {
        match self {
            Self::Sqlite(store) => store.rows(sql, params).await,
            Self::Postgres(store) => store.rows(&sql, &params).await,
        }
    }

    /// [`Self::rows`] for a statement that may read a whole pool (`ListUsers`' filters,
    /// `DescribeUserPool`'s count): off the async workers and stopped after `limit`.
    ///
    /// # Errors
    /// A database error, or the statement ran longer than `limit`.
    pub async fn scan(
        &self,
        sql: String,
        params: Vec<Param>,
        limit: std::time::Duration,
    ) -> Result<Vec<Vec<Value>>> {
        match self {
            Self::Sqlite(store) => store.scan(sql, params, limit).await,
            Self::Postgres(store) => store.scan(&sql, &params, limit).await,
        }
    }

    /// Runs `statements` in one transaction; how many rows each changed.
    ///
    /// # Errors
    /// A database error (then nothing was changed).
    pub async fn transaction(&self, statements: Vec<(String, Vec<Param>)>) -> Result<Vec<u64>> {
        match self {
            Self::Sqlite(store) => store.transaction(statements).await,
            Self::Postgres(store) => store.transaction(&statements).await,
        }
    }

    /// Runs `statements` in one transaction, in order, and keeps their changes only if each
    /// that must change exactly one row did: `Ok(false)` (nothing applied) at the first that
    /// did not, as a lost compare-and-swap.
    ///
    /// # Errors
    /// A database error (then nothing was changed).
    pub async fn guarded(&self, statements: Vec<Guarded>) -> Result<bool> {
        match self {
            Self::Sqlite(store) => store.guarded(statements).await,
            Self::Postgres(store) => store.guarded(&statements).await,
        }
    }

    /// Deletes the phantoms whose windows have passed by `now`; how many.
    ///
    /// # Errors
    /// A database error.
    pub async fn prune(&self, now: i64) -> Result<u64> {
        match self {
            Self::Sqlite(store) => store.prune(now).await,
            Self::Postgres(store) => store.prune(now).await,
        }
    }

    /// Deletes the budgets whose window started before `started_before` (Unix seconds):
    /// how many. It walks the table along its primary key, a slice at a time, each slice a
    /// write of its own between the requests' writes. A budget deleted is the same as one
    /// whose window has passed ([`budget::SPEND`] starts a new one), and the delete re-checks the
    /// window on the row it deletes, so a unit spent meanwhile is never lost. Call it now
    /// and then (the server does every minute); without it, budgets accumulate.
    ///
    /// # Errors
    /// The database fails.
    pub async fn prune_budgets(&self, started_before: i64) -> Result<u64> {
        // Before every key: a budget's kind is never empty.
        let mut after = [String::new(), String::new(), String::new()];
        let mut pruned = 0;
        loop {
            let key = |[pool, destination, kind]: &[String; 3]| {
                [pool, destination, kind].map(|part| Param::text(part.as_str()))
            };
            let end = self
                .rows(
                    budget::SLICE_END.to_owned(),
                    [&key(&after)[..], &[Param::Int(budget::PRUNE_SLICE - 1)]].concat(),
                )
                .await?;
            let end = match end.into_iter().next().as_deref() {
                Some(
                    [
                        Value::Text(pool),
                        Value::Text(destination),
                        Value::Text(kind),
                    ],
                ) => Some([pool.clone(), destination.clone(), kind.clone()]),
                Some(other) => return Err(format!("a budget's key reads as {other:?}").into()),
                None => None,
            };
            let (sql, params) = match &end {
                Some(end) => (
                    budget::PRUNE_UP_TO,
                    [&key(&after)[..], &key(end), &[Param::Int(started_before)]].concat(),
                ),
                None => (
                    budget::PRUNE_REST,
                    [&key(&after)[..], &[Param::Int(started_before)]].concat(),
                ),
            };
            let deleted = self.transaction(vec![(sql.to_owned(), params)]).await?;
            pruned += deleted.into_iter().sum::<u64>();
            match end {
                Some(end) => after = end,
                None => return Ok(pruned),
            }
        }
    }

    /// Stores `users` as they are (unconfirmed, email unverified, no phone number), in
    /// batches, replacing users of the same name: for benchmarks and tests.
    ///
    /// # Errors
    /// A database error, or a `sub` already stored for another user.
    pub async fn seed(&self, pool_id: &str, users: Vec<SeedUser>, now: i64) -> Result<()> {
        match self {
            Self::Sqlite(store) => store.seed(pool_id.to_owned(), users, now).await,
            Self::Postgres(store) => store.seed(pool_id, &users, now).await,
        }
    }

    /// Whether the database answers.
    ///
    /// # Errors
    /// The database does not answer.
    pub async fn health(&self) -> Result<()> {
        match self {
            Self::Sqlite(store) => store.health().await,
            Self::Postgres(store) => store.health().await,
        }
    }
}

impl Store for SqlStore {
    async fn read(&self, read: Read) -> Result<Snapshot> {
        Self::read(self, read).await
    }

    async fn apply(&self, change: Change) -> Result<Applied> {
        Self::apply(self, change).await
    }
}
