//! The SQLite backend, the embedded default. WAL with `synchronous = NORMAL` (a commit
//! writes the log but does not wait for the disk; a power cut may lose the last commits,
//! never corrupt the file), a busy timeout for other processes on the same file, and cached
//! prepared statements. Reads run on a small pool of reader connections and never wait on
//! the writer; every write goes to one writer thread, which commits whatever is queued in
//! one transaction, each change in its own savepoint (group commit). Answers wait for the
//! commit. In memory (`Sqlite::open(None)`) there is one connection, the writer's, for
//! everything.

use std::{
    path::{Path, PathBuf},
    sync::{Arc, Mutex, mpsc},
};

use rusqlite::{Connection, params};
use tokio::sync::oneshot;

mod connection;
mod readers;
mod rows;
mod statements;
mod writer;

use connection::{BUSY_TIMEOUT, configure, create_private, seed};
use readers::Readers;

use rows::{load_user, read_snapshot};
pub use writer::LOG_MOST_BYTES;
use writer::{Job, Task, checkpoint_loop, write_loop};

use crate::{Applied, Change, Read, Result, SeedUser, Snapshot, Store, UserRow, sqlite_sql as sql};

/// Phantoms deleted per statement, so that pruning never holds the writer for long.
const PRUNE_BATCH: i64 = 1_000;

/// A SQLite database.
pub struct Sqlite {
    /// The file, for the connections whole-pool reads open (none in memory).
    path: Option<PathBuf>,
    jobs: mpsc::Sender<Job>,
    readers: Option<Arc<Readers>>,
    /// Dropped with the store, which stops the checkpoint thread.
    _checkpoints: Option<mpsc::Sender<()>>,
}

impl Sqlite {
    /// Opens (creating with mode 0600) the file at `path`, or with `None` a database in
    /// memory for this process only, and applies the migrations.
    ///
    /// # Errors
    /// The file cannot be opened or is another user's, or a migration fails.
    pub fn open(path: Option<&Path>) -> Result<Self> {
        let writer = match path {
            Some(path) => {
                create_private(path)?;
                let db = Connection::open(path)?;
                // Before switching to WAL, which needs the file to itself for a moment: a
                // second process starting at once waits instead of failing.
                db.busy_timeout(BUSY_TIMEOUT)?;
                // WAL is a property of the file: set once, kept by every later connection.
                let mode: String =
                    db.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
                if !mode.eq_ignore_ascii_case("wal") {
                    return Err(format!(
                        "{}: cannot use WAL (journal mode {mode})",
                        path.display()
                    )
                    .into());
                }
                db
            }
            None => Connection::open_in_memory()?,
        };
        configure(&writer)?;
        sql::migrate(&writer)?;
        // One checkpoint at a time in this process: the writer's truncation waits for the
        // passive one under way instead of failing on it.
        let checkpointing = Arc::new(Mutex::new(()));
        let checkpoints = match path {
            Some(path) => {
                // The log is written back by a thread of its own, not by whichever request
                // commits when it is full (measured: the write-back and its fsync were the
                // long tail at a million users).
                writer.pragma_update(None, "wal_autocheckpoint", 0)?;
                // A log that was reset is cut back to this size, not kept at its largest.
                writer.pragma_update(None, "journal_size_limit", LOG_MOST_BYTES)?;
                let db = Connection::open(path)?;
                configure(&db)?;
                let (stop, stopped) = mpsc::channel();
                let turn = Arc::clone(&checkpointing);
                std::thread::Builder::new()
                    .name("sqlite-checkpoint".into())
                    .spawn(move || checkpoint_loop(&db, &turn, &stopped))?;
                Some(stop)
            }
            None => None,
        };
        let readers = path.map(Readers::open).transpose()?.map(Arc::new);
        let (jobs, queue) = mpsc::channel();
        let held = readers.clone();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || write_loop(writer, held, &checkpointing, &queue))?;
        Ok(Self {
            path: path.map(Path::to_path_buf),
            jobs,
            readers,
            _checkpoints: checkpoints,
        })
    }

    /// [`Store::read`]: one statement on a reader connection.
    ///
    /// # Errors
    /// The database fails, or a stored row does not load.
    pub async fn read(&self, read: Read) -> Result<Snapshot> {
        self.on_reader(move |db| read_snapshot(db, &read)).await
    }

    /// [`Store::apply`]: queued for the writer, which commits it with
    /// whatever else is queued, each change in a savepoint of its own.
    ///
    /// # Errors
    /// The database fails, or the writer has stopped.
    pub async fn apply(&self, change: Change) -> Result<Applied> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job::Apply(Box::new(change), reply))
            .map_err(|_| "the SQLite writer has stopped")?;
        answer
            .await
            .map_err(|_| "the SQLite writer dropped a change")?
    }

    /// The user `username` of `pool_id` as stored, if there is one.
    ///
    /// # Errors
    /// The database fails, or the row does not load.
    pub async fn load(&self, pool_id: String, username: String) -> Result<Option<UserRow>> {
        self.on_reader(move |db| load_user(db, &pool_id, &username))
            .await
    }

    /// Deletes the phantoms whose windows have all passed by `now` (Unix seconds), in
    /// batches between other writes: how many. Call it now and then (the server does every
    /// few minutes); without it, unknown users' phantoms accumulate.
    ///
    /// # Errors
    /// The database fails.
    pub async fn prune(&self, now: i64) -> Result<u64> {
        let mut pruned = 0;
        loop {
            let deleted = self
                .on_writer(move |db| {
                    Ok(db
                        .prepare_cached(sql::PRUNE)?
                        .execute(params![now, PRUNE_BATCH])?)
                })
                .await?;
            pruned += u64::try_from(deleted)?;
            if i64::try_from(deleted)? < PRUNE_BATCH {
                return Ok(pruned);
            }
        }
    }

    /// Stores `users` in `pool_id` in one transaction (a bulk load: tests, benchmarks,
    /// imports), replacing users of the same name, then writes the log back.
    ///
    /// # Errors
    /// The database fails.
    pub async fn seed(&self, pool_id: String, users: Vec<SeedUser>, now: i64) -> Result<()> {
        self.on_writer(move |db| seed(db, &pool_id, users, now))
            .await
    }

    /// Whether a reader (in memory, the writer) answers a trivial statement.
    ///
    /// # Errors
    /// It does not.
    pub async fn health(&self) -> Result<()> {
        self.on_reader(|db| Ok(db.query_row("SELECT 1", [], |_| Ok(()))?))
            .await
    }

    /// Runs `task` on the writer thread.
    async fn on_writer<T: Send + 'static>(
        &self,
        task: impl FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let (reply, answer) = oneshot::channel();
        let job: Task = Box::new(move |db| {
            // The request may have given up (a timeout): nobody to tell, nothing to undo.
            let _ = reply.send(task(db));
        });
        self.jobs
            .send(Job::Run(job))
            .map_err(|_| "the SQLite writer has stopped")?;
        answer
            .await
            .map_err(|_| "the SQLite writer dropped a task")?
    }

    /// Runs `task` on a free reader connection, on this thread, or on the writer thread when
    /// the database is in memory.
    ///
    /// A read is one indexed statement in WAL mode, which never waits for the writer: a few
    /// microseconds, less than handing it to another thread and back costs (measured: the
    /// hand-off through the blocking pool was most of the server's time).
    async fn on_reader<T: Send + 'static>(
        &self,
        task: impl FnOnce(&Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let Some(readers) = &self.readers else {
            return self.on_writer(move |db| task(db)).await;
        };
        let db = readers.take();
        task(&db)
    }
}

impl std::fmt::Debug for Sqlite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sqlite")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl Store for Sqlite {
    async fn read(&self, read: Read) -> Result<Snapshot> {
        Self::read(self, read).await
    }

    async fn apply(&self, change: Change) -> Result<Applied> {
        Self::apply(self, change).await
    }
}
