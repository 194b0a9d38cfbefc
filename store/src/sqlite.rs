//! The SQLite backend, the embedded default. WAL with `synchronous = NORMAL` (a commit
//! writes the log but does not wait for the disk; a power cut may lose the last commits,
//! never corrupt the file), a busy timeout for other processes on the same file, and cached
//! prepared statements. Reads run on a small pool of reader connections and never wait on
//! the writer; every write goes to one writer thread, which commits whatever is queued in
//! one transaction, each change in its own savepoint (group commit). Answers wait for the
//! commit. In memory (`":memory:"`) there is one connection, the writer's, for everything.

use std::{
    path::{Path, PathBuf},
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicUsize, Ordering},
        mpsc,
    },
    time::{Duration, Instant},
};

use rusqlite::{
    Connection, ErrorCode, OptionalExtension, Row, TransactionBehavior, params, params_from_iter,
    types::{ToSqlOutput, ValueRef},
};
use tokio::sync::oneshot;

use crate::{
    Applied, Change, Read, Result, SeedUser, Snapshot, Store, UserRow, sqlite_sql as sql,
    types::{Param, Value, state, status},
};

/// How long a statement waits for another process's writer before it fails.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Each connection's page cache, in KiB when negative (SQLite's default is 2 MiB); pages
/// are cached as they are first read, so a small database uses little of it.
const CACHE_KIB: i64 = -65_536;
/// How often the log is written back into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(100);
/// The most bytes the log keeps: past this, the writer writes it back and truncates it
/// ([`LogBound`]), holding writes for as long as writing this much back takes, once per
/// this much written.
pub const LOG_MOST_BYTES: i64 = 16 << 20;
/// How long a truncation of the log waits for readers before it gives up for a while.
const TRUNCATE_WAIT: Duration = Duration::from_millis(200);
/// After a truncation that failed, the least time before the next: writes are held for
/// [`TRUNCATE_WAIT`] at most once in this long while a reader keeps the log.
const TRUNCATE_AGAIN_AFTER: Duration = Duration::from_secs(1);
/// The most changes one commit carries.
const MAX_BATCH: usize = 256;
/// Phantoms deleted per statement, so that pruning never holds the writer for long.
const PRUNE_BATCH: i64 = 1_000;

type Task = Box<dyn FnOnce(&mut Connection) + Send>;

/// Work for the writer thread.
enum Job {
    Apply(Box<Change>, oneshot::Sender<Result<Applied>>),
    Run(Task),
}

/// Reader connections, taken in turn.
struct Readers {
    connections: Vec<Mutex<Connection>>,
    next: AtomicUsize,
}

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
    /// Opens (creating with mode 0600) the file at `path`, or a database in memory, and
    /// applies the migrations.
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
        let readers = match path {
            Some(path) => {
                // One per thread that may read at once: the runtime's workers.
                let readers = std::thread::available_parallelism().map_or(4, usize::from);
                let connections = (0..readers)
                    .map(|_| {
                        let db = Connection::open(path)?;
                        configure(&db)?;
                        db.pragma_update(None, "query_only", true)?;
                        Ok(Mutex::new(db))
                    })
                    .collect::<Result<_>>()?;
                Some(Arc::new(Readers {
                    connections,
                    next: AtomicUsize::new(0),
                }))
            }
            None => None,
        };
        let (jobs, queue) = mpsc::channel();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || write_loop(writer, &checkpointing, &queue))?;
        Ok(Self {
            path: path.map(Path::to_path_buf),
            jobs,
            readers,
            _checkpoints: checkpoints,
        })
    }

    pub async fn read(&self, read: Read) -> Result<Snapshot> {
        self.on_reader(move |db| read_snapshot(db, &read)).await
    }

    pub async fn apply(&self, change: Change) -> Result<Applied> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job::Apply(Box::new(change), reply))
            .map_err(|_| "the SQLite writer has stopped")?;
        answer
            .await
            .map_err(|_| "the SQLite writer dropped a change")?
    }

    pub async fn load(&self, pool_id: String, username: String) -> Result<Option<UserRow>> {
        self.on_reader(move |db| {
            db.prepare_cached(sql::LOAD)?
                .query_row(params![pool_id, username], user_row)
                .optional()?
                .flatten()
                .transpose()
        })
        .await
    }

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

    pub async fn seed(&self, pool_id: String, users: Vec<SeedUser>, now: i64) -> Result<()> {
        self.on_writer(move |db| {
            let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
            {
                let mut insert = tx.prepare_cached(sql::SEED)?;
                for user in users {
                    let state = serde_json::to_string(&user.state)?;
                    let version = i64::try_from(user.state.version())?;
                    insert.execute(params![
                        pool_id,
                        user.username,
                        user.sub,
                        user.email,
                        state,
                        version,
                        now
                    ])?;
                }
            }
            tx.commit()?;
            // A bulk load's log is written back now, not by whichever request commits next.
            db.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
            Ok(())
        })
        .await
    }

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

    pub async fn transaction(&self, statements: Vec<(String, Vec<Param>)>) -> Result<Vec<u64>> {
        self.on_writer(move |db| {
            let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut changed = Vec::with_capacity(statements.len());
            for (sql, params) in &statements {
                let mut statement = tx.prepare_cached(&dialect(sql))?;
                changed.push(u64::try_from(statement.execute(params_from_iter(params))?)?);
            }
            tx.commit()?;
            Ok(changed)
        })
        .await
    }

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
        let count = readers.connections.len();
        let start = readers.next.fetch_add(1, Ordering::Relaxed);
        let free = (0..count).find_map(|offset| {
            readers.connections[(start + offset) % count]
                .try_lock()
                .ok()
        });
        // A panic cannot leave a read half-done: a poisoned reader is still usable.
        let db = match free {
            Some(db) => db,
            None => readers.connections[start % count]
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        };
        task(&db)
    }
}

/// The rows `sql` (in PostgreSQL's dialect) returns with `params`.
fn query_rows(db: &Connection, sql: &str, params: &[Param]) -> Result<Vec<Vec<Value>>> {
    let mut statement = db.prepare_cached(&dialect(sql))?;
    let count = statement.column_count();
    let mut rows = statement.query(params_from_iter(params))?;
    let mut found = Vec::new();
    while let Some(row) = rows.next()? {
        found.push(
            (0..count)
                .map(|index| value(row, index))
                .collect::<Result<_>>()?,
        );
    }
    Ok(found)
}

/// Creates the database file readable by this user only, if it does not exist yet (SQLite
/// gives its `-wal` and `-shm` files the same mode); one that exists must be this user's.
fn create_private(path: &Path) -> Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            let named = |problem: String| format!("{}: {problem}", path.display());
            let metadata = crate::files::owned_file(path).map_err(named)?;
            if crate::files::open_to_others(&metadata) {
                tracing::warn!(file = %path.display(), "the database can be read by other users: chmod 600 it");
            }
            Ok(())
        }
        Err(error) => Err(format!("{}: {error}", path.display()).into()),
    }
}

fn configure(db: &Connection) -> Result<()> {
    db.busy_timeout(BUSY_TIMEOUT)?;
    db.pragma_update(None, "synchronous", "NORMAL")?;
    db.pragma_update(None, "cache_size", CACHE_KIB)?;
    db.set_prepared_statement_cache_capacity(32);
    Ok(())
}

/// Writes the log back into the database every [`CHECKPOINT_EVERY`], without waiting for
/// readers or the writer (a passive checkpoint), until the store is dropped.
fn checkpoint_loop(db: &Connection, turn: &Mutex<()>, stopped: &mpsc::Receiver<()>) {
    while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(CHECKPOINT_EVERY) {
        let _turn = turn.lock().unwrap_or_else(PoisonError::into_inner);
        if let Err(error) = db.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            tracing::warn!(%error, "checkpoint failed; the log grows until one succeeds");
        }
    }
}

/// Keeps the log near [`LOG_MOST_BYTES`]: once it holds more than `at_bytes`, writes it all
/// back and truncates it, on the writer's connection between two writes (no write of this
/// process lands meanwhile). A passive checkpoint never wraps a log that is always being
/// written and read, so without this the log only grows under a flood.
///
/// A reader holding an older snapshot (a scan, another process, an operator's shell) keeps
/// the log from being truncated, and waiting for it would hold every write: so the attempt
/// waits [`TRUNCATE_WAIT`] at most (the reads of requests take far less; the passive
/// checkpoint under way is waited for, by turn), and after one that failed the next is tried
/// once the log has grown by another quarter of [`LOG_MOST_BYTES`] and
/// [`TRUNCATE_AGAIN_AFTER`] has passed: writes are held a fifth of the time at most while a
/// reader keeps the log, which then grows until it lets go (as any SQLite log must).
struct LogBound {
    log: PathBuf,
    at_bytes: u64,
    not_before: Instant,
}

impl LogBound {
    fn new(log: PathBuf) -> Self {
        Self {
            log,
            at_bytes: LOG_MOST_BYTES.unsigned_abs(),
            not_before: Instant::now(),
        }
    }

    fn keep(&mut self, db: &Connection, turn: &Mutex<()>) {
        let held = std::fs::metadata(&self.log).map_or(0, |metadata| metadata.len());
        if held <= self.at_bytes || Instant::now() < self.not_before {
            return;
        }
        let _turn = turn.lock().unwrap_or_else(PoisonError::into_inner);
        let truncated = db.busy_timeout(TRUNCATE_WAIT).and_then(|()| {
            let busy = db.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| {
                row.get::<_, i64>(0)
            });
            db.busy_timeout(BUSY_TIMEOUT)?;
            busy
        });
        let most = LOG_MOST_BYTES.unsigned_abs();
        if let Ok(0) = truncated {
            tracing::debug!(held, "the log was written back and truncated");
            self.at_bytes = most;
            return;
        }
        self.at_bytes = held.saturating_add(most / 4);
        self.not_before = Instant::now() + TRUNCATE_AGAIN_AFTER;
        if let Err(error) = truncated {
            tracing::warn!(%error, held, "the log could not be truncated");
        } else {
            tracing::warn!(
                held,
                "the log could not be truncated: a reader holds an older snapshot \
                 (tried again once it has grown by another 4 MiB, a second later)"
            );
        }
    }
}

/// The writer thread: until every sender is gone, runs tasks, and commits queued changes
/// together.
fn write_loop(mut db: Connection, checkpointing: &Mutex<()>, queue: &mpsc::Receiver<Job>) {
    let mut bound = db
        .path()
        .filter(|path| !path.is_empty())
        .map(|path| LogBound::new(PathBuf::from(format!("{path}-wal"))));
    let mut next = None;
    loop {
        if let Some(bound) = &mut bound {
            bound.keep(&db, checkpointing);
        }
        let job = match next.take() {
            Some(job) => job,
            None => match queue.recv() {
                Ok(job) => job,
                Err(mpsc::RecvError) => return,
            },
        };
        match job {
            Job::Run(task) => task(&mut db),
            Job::Apply(change, reply) => {
                let mut batch = vec![(change, reply)];
                while batch.len() < MAX_BATCH {
                    match queue.try_recv() {
                        Ok(Job::Apply(change, reply)) => batch.push((change, reply)),
                        Ok(other) => {
                            next = Some(other);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                commit(&mut db, batch);
            }
        }
    }
}

/// One transaction for `batch`, each change in a savepoint of its own: a change whose
/// condition fails is rolled back alone. Every answer is sent after the commit.
fn commit(db: &mut Connection, batch: Vec<(Box<Change>, oneshot::Sender<Result<Applied>>)>) {
    let run = |db: &mut Connection| -> Result<Vec<Result<Applied>>> {
        let mut tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut results = Vec::with_capacity(batch.len());
        for (change, _) in &batch {
            let savepoint = tx.savepoint()?;
            let result = lost_race_on_conflict(sql::apply(&savepoint, change));
            if matches!(result, Ok(Applied::Done)) {
                savepoint.commit()?;
            } else if let Err(error) = &result
                && savepoint.is_autocommit()
            {
                // SQLite rolled the whole transaction back (a full disk, an I/O error): the
                // changes already reported done are gone too, and what follows would run
                // outside any transaction. Every change of the batch fails.
                return Err(format!("the batch was rolled back: {error}").into());
            }
            // Otherwise dropping the savepoint rolls it back.
            results.push(result);
        }
        tx.commit()?;
        Ok(results)
    };
    match run(db) {
        Ok(results) => {
            for ((_, reply), result) in batch.into_iter().zip(results) {
                let _ = reply.send(result);
            }
        }
        Err(error) => {
            let message = error.to_string();
            for (_, reply) in batch {
                let _ = reply.send(Err(message.clone().into()));
            }
        }
    }
}

/// A unique index refusing the row (a second verified owner of an alias, a `sub` taken) is
/// a lost race, not an error.
fn lost_race_on_conflict(result: Result<Applied>) -> Result<Applied> {
    match result {
        Err(error) => match error.downcast_ref::<rusqlite::Error>() {
            Some(rusqlite::Error::SqliteFailure(failure, _))
                if failure.code == ErrorCode::ConstraintViolation =>
            {
                Ok(Applied::LostRace)
            }
            _ => Err(error),
        },
        ok => ok,
    }
}

fn read_snapshot(db: &Connection, read: &Read) -> Result<Snapshot> {
    let mut statement = db.prepare_cached(sql::READ)?;
    let row = statement.query_row(
        params![
            read.pool_id,
            read.username,
            read.phantom,
            read.email_owner,
            read.phone_number_owner,
            read.client_id
        ],
        |row| {
            Ok((
                user_row(row)?,
                row.get::<_, Option<String>>(10)?,
                row.get::<_, Option<String>>(11)?,
                row.get::<_, Option<String>>(12)?,
                row.get::<_, bool>(13)?,
            ))
        },
    )?;
    let (user, phantom, email_owner, phone_number_owner, live) = row;
    Ok(Snapshot {
        live,
        user: user.transpose()?,
        phantom: phantom.as_deref().map(state).transpose()?,
        email_owner,
        phone_number_owner,
    })
}

/// The user in columns 0 to 9, if the row has one; stored values go through the crate's
/// validating load.
fn user_row(row: &Row<'_>) -> rusqlite::Result<Option<Result<UserRow>>> {
    let Some(username) = row.get::<_, Option<String>>(0)? else {
        return Ok(None);
    };
    let (status_name, state_json): (String, String) = (row.get(2)?, row.get(7)?);
    let load = || -> Result<UserRow> {
        Ok(UserRow {
            username,
            sub: row.get(1)?,
            status: status(&status_name)?,
            email: row.get(3)?,
            email_verified: row.get(4)?,
            phone_number: row.get(5)?,
            phone_number_verified: row.get(6)?,
            state: state(&state_json)?,
            created_at: row.get(8)?,
            updated_at: row.get(9)?,
        })
    };
    Ok(Some(load()))
}

/// A directory statement in SQLite's dialect: `$n` placeholders become `?n`, and
/// PostgreSQL's row lock clause goes (SQLite's one writer serialises every write).
fn dialect(sql: &str) -> String {
    sql.replace('$', "?").replace(" FOR KEY SHARE", "")
}

impl rusqlite::ToSql for Param {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Self::Text(text) => match text {
                Some(text) => ToSqlOutput::Borrowed(ValueRef::Text(text.as_bytes())),
                None => ToSqlOutput::Borrowed(ValueRef::Null),
            },
            Self::Int(int) => ToSqlOutput::Borrowed(ValueRef::Integer(*int)),
        })
    }
}

/// Column `index` of `row` (SQLite keeps booleans as integers: the reader says which).
fn value(row: &Row<'_>, index: usize) -> Result<Value> {
    Ok(match row.get_ref(index)? {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(int) => Value::Int(int),
        ValueRef::Text(text) => Value::Text(String::from_utf8(text.to_vec())?),
        ValueRef::Real(_) | ValueRef::Blob(_) => {
            return Err(format!("column {index}: a type no directory statement returns").into());
        }
    })
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
