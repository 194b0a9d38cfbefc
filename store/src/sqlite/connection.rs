//! Opening SQLite connections as this backend wants them, and loading users in bulk.

use std::{path::Path, time::Duration};

use rusqlite::{Connection, TransactionBehavior, params};

use crate::{Result, SeedUser, sqlite_sql as sql};

/// How long a statement waits for another process's writer before it fails.
pub(super) const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Each connection's page cache, in KiB when negative (SQLite's default is 2 MiB); pages
/// are cached as they are first read, so a small database uses little of it.
const CACHE_KIB: i64 = -65_536;

/// Creates the database file readable by this user only, if it does not exist yet (SQLite
/// gives its `-wal` and `-shm` files the same mode); one that exists must be this user's.
pub(super) fn create_private(path: &Path) -> Result<()> {
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

pub(super) fn configure(db: &Connection) -> Result<()> {
    db.busy_timeout(BUSY_TIMEOUT)?;
    db.pragma_update(None, "synchronous", "NORMAL")?;
    db.pragma_update(None, "cache_size", CACHE_KIB)?;
    db.set_prepared_statement_cache_capacity(32);
    Ok(())
}

/// Stores `users` in the pool `pool_id` in one transaction, replacing users of the same
/// name, then writes the log back (a bulk load's, not whichever request commits next).
pub(super) fn seed(
    db: &mut Connection,
    pool_id: &str,
    users: Vec<SeedUser>,
    now: i64,
) -> Result<()> {
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
}
