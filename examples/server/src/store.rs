//! Users and their confirmation state in SQLite. Every state write is a compare-and-swap on
//! the state's `version`, inside a transaction with whatever must change with it.

use std::sync::Mutex;

use confirmation_flow::Confirmation;
use rusqlite::{Connection, OptionalExtension, params};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY,
    sub TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    email TEXT,
    email_verified INTEGER NOT NULL DEFAULT 0,
    phone_number TEXT,
    phone_number_verified INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);";

/// A user as stored.
#[derive(Clone, Debug)]
pub struct UserRow {
    pub username: String,
    pub sub: String,
    pub status: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub phone_number: Option<String>,
    pub phone_number_verified: bool,
    pub state: Confirmation,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What a confirmation changes, all in one transaction.
pub struct Commit<'a> {
    pub username: &'a str,
    pub expected_version: u64,
    pub state: Confirmation,
    pub status: Option<&'a str>,
    /// `email` or `phone_number`: set its `_verified` flag.
    pub verify: Option<&'static str>,
    /// Another user who loses the alias: clear their flag for the same attribute.
    pub unverify: Option<&'a str>,
    pub now: i64,
}

pub struct Store {
    db: Mutex<Connection>,
}

type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

impl Store {
    pub fn open(path: &str) -> Result<Self> {
        let db = if path == ":memory:" {
            Connection::open_in_memory()?
        } else {
            Connection::open(path)?
        };
        db.execute_batch(SCHEMA)?;
        Ok(Self { db: Mutex::new(db) })
    }

    fn db(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written (transactions roll
        // back), so a poisoned lock is still safe to use.
        self.db
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The server key, made once from the OS's CSPRNG and kept with the data it protects.
    pub fn server_key(&self) -> Result<[u8; 32]> {
        let db = self.db();
        let stored: Option<Vec<u8>> = db
            .query_row(
                "SELECT value FROM meta WHERE name = 'server_key'",
                [],
                |row| row.get(0),
            )
            .optional()?;
        if let Some(key) = stored.and_then(|bytes| <[u8; 32]>::try_from(bytes).ok()) {
            return Ok(key);
        }
        let key = crate::random_bytes::<32>();
        db.execute(
            "INSERT OR REPLACE INTO meta (name, value) VALUES ('server_key', ?1)",
            params![key.to_vec()],
        )?;
        Ok(key)
    }

    /// Inserts a new user; `false` if the username is taken.
    pub fn insert(&self, user: &UserRow) -> Result<bool> {
        let state = serde_json::to_string(&user.state)?;
        let inserted = self.db().execute(
            "INSERT OR IGNORE INTO users (username, sub, status, email, phone_number, state, version, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
            params![user.username, user.sub, user.status, user.email, user.phone_number, state, version(&user.state)?, user.created_at],
        )?;
        Ok(inserted == 1)
    }

    pub fn load(&self, username: &str) -> Result<Option<UserRow>> {
        type Columns = (
            String,
            String,
            String,
            Option<String>,
            bool,
            Option<String>,
            bool,
            String,
            i64,
            i64,
        );
        let columns: Option<Columns> = self
            .db()
            .query_row(
                "SELECT username, sub, status, email, email_verified, phone_number, phone_number_verified, state, created_at, updated_at
                 FROM users WHERE username = ?1",
                params![username],
                |row| {
                    Ok((
                        row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?,
                        row.get(5)?, row.get(6)?, row.get(7)?, row.get(8)?, row.get(9)?,
                    ))
                },
            )
            .optional()?;
        let Some((
            username,
            sub,
            status,
            email,
            email_verified,
            phone_number,
            phone_number_verified,
            state,
            created_at,
            updated_at,
        )) = columns
        else {
            return Ok(None);
        };
        // Stored state is untrusted: it goes through the crate's validating load.
        let state: Confirmation = serde_json::from_str(&state)?;
        Ok(Some(UserRow {
            username,
            sub,
            status,
            email,
            email_verified,
            phone_number,
            phone_number_verified,
            state,
            created_at,
            updated_at,
        }))
    }

    /// Who else holds `value` as a verified `attribute` (`email` or `phone_number`).
    pub fn alias_owner(
        &self,
        attribute: &str,
        value: &str,
        except: &str,
    ) -> Result<Option<String>> {
        let sql = format!(
            "SELECT username FROM users WHERE {attribute} = ?1 AND {attribute}_verified = 1 AND username != ?2 LIMIT 1"
        );
        Ok(self
            .db()
            .query_row(&sql, params![value, except], |row| row.get(0))
            .optional()?)
    }

    /// Applies `commit` if the stored version is still `expected_version`; `false` if another
    /// request changed the row first (the caller re-reads and re-runs).
    pub fn commit(&self, commit: &Commit<'_>) -> Result<bool> {
        let mut db = self.db();
        let tx = db.transaction()?;
        let state = serde_json::to_string(&commit.state)?;
        let updated = tx.execute(
            "UPDATE users SET state = ?1, version = ?2, status = COALESCE(?3, status), updated_at = ?4
             WHERE username = ?5 AND version = ?6",
            params![state, version(&commit.state)?, commit.status, commit.now, commit.username, i64::try_from(commit.expected_version)?],
        )?;
        if updated != 1 {
            return Ok(false);
        }
        if let Some(attribute) = commit.verify {
            tx.execute(
                &format!("UPDATE users SET {attribute}_verified = 1 WHERE username = ?1"),
                params![commit.username],
            )?;
            if let Some(owner) = commit.unverify {
                tx.execute(
                    &format!("UPDATE users SET {attribute}_verified = 0 WHERE username = ?1"),
                    params![owner],
                )?;
            }
        }
        tx.commit()?;
        Ok(true)
    }
}

fn version(state: &Confirmation) -> Result<i64> {
    Ok(i64::try_from(state.version())?)
}
