//! The in-memory backend: every pool, client, user and phantom behind one lock, each change
//! checked and carried out while the lock is held, so a change is atomic by construction.
//! Gone when the process ends; for tests, examples and one-process embedders.
//!
//! It keeps the same conditions the SQL backends' schema keeps: a user's `sub` is unique, a
//! verified alias value belongs to one user of its pool, a sign-in alias (`login`) to one
//! user of its pool, and nothing is inserted into a pool that does not exist.

use std::sync::{Mutex, MutexGuard, PoisonError};

mod tables;

use tables::Tables;

use crate::{Applied, Change, Read, Result, Snapshot, Store};

/// A store in this process's memory.
#[derive(Debug, Default)]
pub struct Memory {
    tables: Mutex<Tables>,
}

impl Memory {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the pool `pool_id` (if new) and its app clients `client_ids`.
    pub fn add_pool(&self, pool_id: &str, client_ids: &[&str]) {
        let mut tables = self.lock();
        tables.pools.insert(pool_id.to_owned());
        for client_id in client_ids {
            tables
                .clients
                .insert((*client_id).to_owned(), pool_id.to_owned());
        }
    }

    /// Deletes the pool `pool_id` with its clients, users and phantoms, at once.
    pub fn delete_pool(&self, pool_id: &str) {
        let mut tables = self.lock();
        tables.pools.remove(pool_id);
        tables.clients.retain(|_, pool| pool != pool_id);
        let Tables {
            users,
            subs,
            logins,
            owners,
            ..
        } = &mut *tables;
        users.retain(|(pool, _), stored| {
            let kept = pool != pool_id;
            if !kept {
                subs.remove(&stored.row.sub);
            }
            kept
        });
        logins.retain(|(pool, _)| pool != pool_id);
        owners.retain(|(pool, _, _), _| pool != pool_id);
        tables.phantoms.retain(|_, (pool, _, _)| pool != pool_id);
    }

    /// Deletes the user `username` of the pool `pool_id`, with what it holds in the indexes.
    pub fn delete_user(&self, pool_id: &str, username: &str) {
        let mut tables = self.lock();
        let Some(stored) = tables
            .users
            .remove(&(pool_id.to_owned(), username.to_owned()))
        else {
            return;
        };
        tables.subs.remove(&stored.row.sub);
        if let Some(login) = stored.login {
            tables.logins.remove(&(pool_id.to_owned(), login));
        }
        tables
            .owners
            .retain(|(pool, _, _), owner| pool != pool_id || owner != username);
    }

    fn lock(&self) -> MutexGuard<'_, Tables> {
        // Every change is checked before anything is written, so a panic while the lock is
        // held (there is no code path to one) would leave no half-made change behind.
        self.tables.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Store for Memory {
    async fn read(&self, read: Read) -> Result<Snapshot> {
        self.lock().read(&read)
    }

    async fn apply(&self, change: Change) -> Result<Applied> {
        self.lock().apply(&change)
    }
}
