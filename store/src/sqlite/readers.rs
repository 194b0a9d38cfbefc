//! The reader connections of a SQLite file: one per thread that may read at once, taken in
//! turn; and all of them at once, for the writer to truncate the log with none reading.

use std::{
    path::Path,
    sync::{
        Mutex, MutexGuard, PoisonError,
        atomic::{AtomicUsize, Ordering},
    },
};

use rusqlite::Connection;

use super::connection::configure;
use crate::Result;

/// Reader connections, taken in turn.
pub(super) struct Readers {
    connections: Vec<Mutex<Connection>>,
    next: AtomicUsize,
}

impl Readers {
    /// One read-only connection to `path` per thread that may read at once: the runtime's
    /// workers.
    pub(super) fn open(path: &Path) -> Result<Self> {
        let count = std::thread::available_parallelism().map_or(4, usize::from);
        let connections = (0..count)
            .map(|_| {
                let db = Connection::open(path)?;
                configure(&db)?;
                db.pragma_update(None, "query_only", true)?;
                Ok(Mutex::new(db))
            })
            .collect::<Result<_>>()?;
        Ok(Self {
            connections,
            next: AtomicUsize::new(0),
        })
    }

    /// A free reader, or, when all are busy, the next one once it is free. A panic cannot
    /// leave a read half-done: a poisoned reader is still usable.
    pub(super) fn take(&self) -> MutexGuard<'_, Connection> {
        let count = self.connections.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let free = (0..count).find_map(|offset| {
            self.connections
                .get((start + offset) % count)
                .and_then(|reader| reader.try_lock().ok())
        });
        free.unwrap_or_else(|| {
            self.connections[start % count]
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
        })
    }

    /// Every reader, once each is free: none reads until they are dropped. In index order,
    /// one at a time, and no reader takes two: no deadlock.
    pub(super) fn all(&self) -> Vec<MutexGuard<'_, Connection>> {
        self.connections
            .iter()
            .map(|reader| reader.lock().unwrap_or_else(PoisonError::into_inner))
            .collect()
    }
}
