//! The SQLite backend's writer: one thread that commits whatever is queued in one
//! transaction, each change in its own savepoint (group commit); and the log's upkeep: a
//! passive checkpoint every [`CHECKPOINT_EVERY`] on a thread of its own, and a bound on the
//! log's size kept between two writes ([`LogBound`]).

use std::{
    path::PathBuf,
    sync::{Arc, Mutex, PoisonError, mpsc},
    time::{Duration, Instant},
};

use rusqlite::{Connection, ErrorCode, TransactionBehavior};
use tokio::sync::oneshot;

use super::{connection::BUSY_TIMEOUT, readers::Readers};
use crate::{Applied, Change, Result, sqlite_sql as sql};

/// How often the log is written back into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(100);
/// The most bytes the log keeps: past this, the writer writes it back and truncates it
/// (`LogBound`), holding writes for as long as writing this much back takes, once per
/// this much written.
pub const LOG_MOST_BYTES: i64 = 16 << 20;
/// How long a truncation of the log waits for readers before it gives up for a while.
const TRUNCATE_WAIT: Duration = Duration::from_millis(200);
/// After a truncation that failed, the least time before the next: writes are held for
/// [`TRUNCATE_WAIT`] at most once in this long while a reader keeps the log.
const TRUNCATE_AGAIN_AFTER: Duration = Duration::from_secs(1);
/// The most changes one commit carries.
const MAX_BATCH: usize = 256;
pub(super) type Task = Box<dyn FnOnce(&mut Connection) + Send>;

/// Work for the writer thread.
pub(super) enum Job {
    Apply(Box<Change>, oneshot::Sender<Result<Applied>>),
    Run(Task),
}

/// Writes the log back into the database every [`CHECKPOINT_EVERY`], without waiting for
/// readers or the writer (a passive checkpoint), until the store is dropped.
pub(super) fn checkpoint_loop(db: &Connection, turn: &Mutex<()>, stopped: &mpsc::Receiver<()>) {
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
    /// This process's readers: held while the log is truncated, so that none of them keeps
    /// it (their reads take microseconds; SQLite's busy handler, polling every few
    /// milliseconds, would rarely find a moment with none of them reading).
    readers: Arc<Readers>,
    at_bytes: u64,
    not_before: Instant,
}

impl LogBound {
    fn new(log: PathBuf, readers: Arc<Readers>) -> Self {
        Self {
            log,
            readers,
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
        let _readers = self.readers.all();
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
pub(super) fn write_loop(
    mut db: Connection,
    readers: Option<Arc<Readers>>,
    checkpointing: &Mutex<()>,
    queue: &mpsc::Receiver<Job>,
) {
    let mut bound = db
        .path()
        .filter(|path| !path.is_empty())
        .zip(readers)
        .map(|(path, readers)| LogBound::new(PathBuf::from(format!("{path}-wal")), readers));
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
            // A unique index or key only, as on PostgreSQL: a NOT NULL or CHECK violation is
            // the same on every try, an error, not a race to run again.
            Some(rusqlite::Error::SqliteFailure(failure, _))
                if failure.code == ErrorCode::ConstraintViolation
                    && [
                        rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE,
                        rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY,
                    ]
                    .contains(&failure.extended_code) =>
            {
                Ok(Applied::LostRace)
            }
            _ => Err(error),
        },
        ok => ok,
    }
}
