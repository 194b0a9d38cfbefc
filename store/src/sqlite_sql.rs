//! SQLite's schema, its migrations and its statements. `postgres_sql.rs` holds the same
//! schema and statements in PostgreSQL's dialect; the two are kept side by side.

use rusqlite::{
    Connection, OptionalExtension, TransactionBehavior, params, params_from_iter,
    types::{ToSqlOutput, ValueRef},
};

use crate::{
    Applied, Change, Result,
    plan::{Arg, plan, sqlite_statement},
};

/// The migrations, in order; each runs once, in a transaction, and is recorded.
const MIGRATIONS: &[&str] = &["
CREATE TABLE users (
    pool_id TEXT NOT NULL,
    username TEXT NOT NULL,
    sub TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    email TEXT,
    email_verified INTEGER NOT NULL DEFAULT 0,
    email_alias INTEGER NOT NULL DEFAULT 0,
    phone_number TEXT,
    phone_number_verified INTEGER NOT NULL DEFAULT 0,
    phone_number_alias INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (pool_id, username)
) WITHOUT ROWID;
-- A verified alias value belongs to one user of the pool: the database says so.
CREATE UNIQUE INDEX users_email_alias ON users (pool_id, email) WHERE email_alias;
CREATE UNIQUE INDEX users_phone_number_alias ON users (pool_id, phone_number) WHERE phone_number_alias;
CREATE TABLE phantoms (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    prune_after INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX phantoms_prune_after ON phantoms (prune_after);
", "
-- Pools and app clients, created through the API or seeded from the config file; their
-- settings are the service's JSON shapes. A user is inserted only into a pool that exists
-- (INSERT_USER), so a sign-up racing DeleteUserPool leaves nothing behind.
CREATE TABLE pools (
    pool_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    settings TEXT NOT NULL,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE clients (
    client_id TEXT PRIMARY KEY,
    pool_id TEXT NOT NULL,
    name TEXT NOT NULL,
    settings TEXT NOT NULL,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX clients_pool ON clients (pool_id, client_id);
ALTER TABLE users ADD COLUMN password_hash TEXT;
-- In a pool with UsernameAttributes, the email or phone number a user signs in with.
ALTER TABLE users ADD COLUMN login TEXT;
CREATE UNIQUE INDEX users_login ON users (pool_id, login) WHERE login IS NOT NULL;
", "
-- The pool a phantom was made in: deleted with the pool, and counted against its cap
-- (`limits.phantoms_per_pool`). Phantoms made before this have none; they are pruned.
ALTER TABLE phantoms ADD COLUMN pool_id TEXT;
CREATE INDEX phantoms_pool ON phantoms (pool_id, prune_after);
", "
-- What one destination (an email or phone number, whoever's account names it) has had
-- in its current hour: codes delivered, or code submissions (`destinations.rs`).
CREATE TABLE destination_budgets (
    pool_id TEXT NOT NULL,
    destination TEXT NOT NULL,
    kind TEXT NOT NULL,
    window_start INTEGER NOT NULL,
    spent INTEGER NOT NULL,
    PRIMARY KEY (pool_id, destination, kind)
) WITHOUT ROWID;
CREATE INDEX destination_budgets_window ON destination_budgets (window_start);
", "
-- Budgets are pruned by a sweep along the primary key (`budget::PRUNE`), not by this index:
-- kept, it was rewritten by every unit spent and cost more of the log than the budget's
-- own row (measured: 2.6 KB of log per change, of 7 KB).
DROP INDEX destination_budgets_window;
", "
-- Refresh tokens, stored only as keyed hashes (HMAC-SHA256 under a key derived from the
-- ring: the server's `refresh_tokens.rs`), never the token itself. Deleted with their user
-- or pool; pruned once expired (a revoked one is kept until then, so it is told as revoked).
CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    pool_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    username TEXT NOT NULL,
    sub TEXT NOT NULL,
    origin_jti TEXT NOT NULL,
    auth_time INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX refresh_tokens_user ON refresh_tokens (pool_id, username);
CREATE INDEX refresh_tokens_expires_at ON refresh_tokens (expires_at);
", "
-- Failed sign-ins of a user (`user:<username>`) or, under PreventUserExistenceErrors, of a
-- name nobody holds (`unknown:<keyed hash>`): counted before the password is checked, and
-- locking sign-in out as the service does (the server's `lockout.rs`). Deleted with their
-- user or pool, by a successful sign-in, and pruned after 15 quiet minutes.
CREATE TABLE sign_in_failures (
    pool_id TEXT NOT NULL,
    subject TEXT NOT NULL,
    failures INTEGER NOT NULL,
    last_failure_ms INTEGER NOT NULL,
    PRIMARY KEY (pool_id, subject)
) WITHOUT ROWID;
CREATE INDEX sign_in_failures_last ON sign_in_failures (last_failure_ms);
", "
-- The password's SRP verifier and salt (`USER_SRP_AUTH`: the server's `srp.rs`), made with its
-- hash; users from before have none and sign in with the other flows. And the SRP challenges
-- handed out and not yet answered: single-use (deleted when answered), keyed by a keyed hash
-- of their secret block, pruned once expired.
ALTER TABLE users ADD COLUMN srp_verifier TEXT;
CREATE TABLE srp_challenges (
    challenge_hash TEXT PRIMARY KEY,
    pool_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    username TEXT,
    user_id TEXT NOT NULL,
    subject TEXT NOT NULL,
    srp_a TEXT NOT NULL,
    verifier TEXT NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX srp_challenges_expires_at ON srp_challenges (expires_at);
", "
-- How far tests moved the server's clock (`test_clock`: the server's `clock.rs`); one row.
CREATE TABLE test_clock (id INTEGER PRIMARY KEY, offset_ms INTEGER NOT NULL);
", "
-- Bumped by every change to a pool's or client's settings: each process's cache of them is
-- emptied by its next request (the server's `generation.rs`); one row.
CREATE TABLE settings_generation (id INTEGER PRIMARY KEY, n INTEGER NOT NULL);
", "
-- Invitations (the server's `invitations.rs`): when a user's temporary password stops
-- working (NULL: the password is permanent); and the `NEW_PASSWORD_REQUIRED` challenges
-- handed out and not yet answered: single-use, keyed by a keyed hash of their session, bound
-- to the user (`sub`) and to the temporary password they were handed out for (a keyed hash of
-- its stored hash), pruned once expired.
ALTER TABLE users ADD COLUMN password_expires_at INTEGER;
CREATE TABLE password_challenges (
    session_hash TEXT PRIMARY KEY,
    pool_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    username TEXT NOT NULL,
    sub TEXT NOT NULL,
    password_binding TEXT NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX password_challenges_expires_at ON password_challenges (expires_at);
", "
-- Password resets (the server's `password_reset.rs`): the code of one reset at a time, as
-- the crate's `Confirmation`, compared and swapped on its version; per user (`subject` is
-- its `sub`) or, under `PreventUserExistenceErrors`, per phantom (its id), so that a name
-- nobody holds is counted as a user's is. Deleted by the reset it completes, with its user
-- or pool, and once its code and rate windows have passed (`prune_after`).
CREATE TABLE password_resets (
    pool_id TEXT NOT NULL,
    subject TEXT NOT NULL,
    state TEXT NOT NULL,
    version INTEGER NOT NULL,
    prune_after INTEGER NOT NULL,
    PRIMARY KEY (pool_id, subject)
) WITHOUT ROWID;
CREATE INDEX password_resets_prune_after ON password_resets (prune_after);
"];

/// Applies the migrations not yet applied, under the write lock (so processes starting
/// together apply each once).
pub(crate) fn migrate(db: &Connection) -> Result<()> {
    let legacy: Option<String> = db
        .query_row(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'meta'",
            [],
            |row| row.get(0),
        )
        .optional()?;
    if legacy.is_some() {
        return Err(
            "this database was made by an earlier version of the example server, which \
                    kept its key inside it; start with a new database file"
                .into(),
        );
    }
    let tx = rusqlite::Transaction::new_unchecked(db, TransactionBehavior::Immediate)?;
    tx.execute_batch("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)")?;
    let applied: i64 = tx.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
        [],
        |row| row.get(0),
    )?;
    for (version, migration) in (1_i64..).zip(MIGRATIONS) {
        if version > applied {
            tx.execute_batch(migration)?;
            tx.execute(
                "INSERT INTO schema_migrations (version) VALUES (?1)",
                params![version],
            )?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// Everything one request reads, in one statement: the user (or a row of nulls), the
/// phantom's state, the verified owners of the user's alias values, and whether the app
/// client (`?6`; for an admin operation, empty: the pool) still exists. For an unknown user
/// the owner queries look for the phantom id, which nobody holds: the same work.
///
/// The user is read in a `MATERIALIZED` CTE joined on a constant: with its conditions in the
/// `LEFT JOIN`'s `ON`, SQLite marks `?1` and `?2` as plan-sensitive, and a statement with
/// such parameters is re-prepared whenever its bindings are cleared — which the statement
/// cache does after every use (measured: one re-prepare per read, a quarter of a reader's
/// time).
pub(crate) const READ: &str = "
WITH u AS MATERIALIZED (
    SELECT username, sub, status, email, email_verified, phone_number, phone_number_verified,
           state, created_at, updated_at
    FROM users WHERE pool_id = ?1 AND username = ?2)
SELECT u.username, u.sub, u.status, u.email, u.email_verified, u.phone_number,
       u.phone_number_verified, u.state, u.created_at, u.updated_at,
       (SELECT p.state FROM phantoms p WHERE p.id = ?3),
       CASE WHEN ?4 THEN (SELECT o.username FROM users o
         WHERE o.pool_id = ?1 AND o.email = COALESCE(u.email, ?3) AND o.email_alias
           AND o.username <> ?2 LIMIT 1) END,
       CASE WHEN ?5 THEN (SELECT o.username FROM users o
         WHERE o.pool_id = ?1 AND o.phone_number = COALESCE(u.phone_number, ?3)
           AND o.phone_number_alias AND o.username <> ?2 LIMIT 1) END,
       CASE WHEN ?6 <> '' THEN EXISTS (SELECT 1 FROM clients c
         WHERE c.client_id = ?6 AND c.pool_id = ?1)
       ELSE EXISTS (SELECT 1 FROM pools p WHERE p.pool_id = ?1) END
FROM (SELECT 1) AS one LEFT JOIN u ON 1";

pub(crate) const LOAD: &str = "
SELECT username, sub, status, email, email_verified, phone_number, phone_number_verified,
       state, created_at, updated_at
FROM users WHERE pool_id = ?1 AND username = ?2";

pub(crate) const PRUNE: &str = "
DELETE FROM phantoms WHERE id IN (SELECT id FROM phantoms WHERE prune_after < ?1 LIMIT ?2)
  AND prune_after < ?1";

pub(crate) const SEED: &str = "
INSERT INTO users (pool_id, username, sub, status, email, state, version, created_at, updated_at)
VALUES (?1, ?2, ?3, 'UNCONFIRMED', ?4, ?5, ?6, ?7, ?7)
ON CONFLICT (pool_id, username) DO UPDATE SET
    sub = excluded.sub, status = 'UNCONFIRMED', email = excluded.email, email_verified = 0,
    email_alias = 0, phone_number = NULL, phone_number_verified = 0, phone_number_alias = 0,
    state = excluded.state, version = excluded.version, updated_at = excluded.updated_at";

/// Runs `change`'s statements ([`crate::plan`]); `LostRace` at the first that changes no
/// row (a unique index refusing a row is an error the caller turns into a lost race).
pub(crate) fn apply(db: &Connection, change: &Change) -> Result<Applied> {
    for step in plan(change) {
        let mut statement = db.prepare_cached(sqlite_statement(step.sql))?;
        if statement.execute(params_from_iter(&step.args))? != 1 && step.must_change {
            return Ok(Applied::LostRace);
        }
    }
    Ok(Applied::Done)
}

/// An argument bound as it is, borrowed: SQLite keeps booleans as integers.
impl rusqlite::ToSql for Arg<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match *self {
            Arg::Text(Some(text)) => ValueRef::Text(text.as_bytes()),
            Arg::Text(None) | Arg::MaybeInt(None) => ValueRef::Null,
            Arg::Int(int) | Arg::MaybeInt(Some(int)) => ValueRef::Integer(int),
            Arg::Bool(flag) => ValueRef::Integer(i64::from(flag)),
        }))
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::{Connection, StatementStatus};

    use crate::plan::sqlite_dialect;

    use super::*;

    /// The statements a request runs, by name, in SQLite's dialect.
    fn per_request() -> Vec<(&'static str, String)> {
        let writes = crate::plan::ALL.iter();
        let writes = writes.map(|&(name, sql)| (name, sqlite_dialect(sql)));
        [("READ", READ.to_owned()), ("LOAD", LOAD.to_owned())]
            .into_iter()
            .chain(writes)
            .collect()
    }

    fn migrated() -> Connection {
        let db = Connection::open_in_memory().expect("an in-memory database");
        migrate(&db).expect("the migrations apply");
        db
    }

    /// The cost must not grow with the pool: no statement a request runs scans a table.
    #[test]
    fn every_request_statement_searches_an_index() {
        let db = migrated();
        for (name, sql) in per_request() {
            let mut plan = db
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .expect("the statement prepares");
            let mut rows = plan.raw_query();
            while let Some(row) = rows.next().expect("the plan reads") {
                let step: String = row.get(3).expect("a plan step");
                // READ's constant row and its one-row user CTE are the only scans allowed.
                let one_row = ["SCAN CONSTANT ROW", "SCAN one", "SCAN u LEFT-JOIN"];
                assert!(
                    !step.starts_with("SCAN") || one_row.contains(&step.as_str()),
                    "{name} scans: {step}"
                );
            }
        }
    }

    /// A cached statement whose plan depends on a parameter is re-prepared on every use
    /// (the cache clears its bindings): none of a request's statements may be one.
    #[test]
    fn request_statements_are_prepared_once() {
        let db = migrated();
        for (name, sql) in per_request() {
            let mut reprepared = 0;
            for _ in 0..3 {
                let mut statement = db.prepare_cached(&sql).expect("the statement prepares");
                for index in 1..=statement.parameter_count() {
                    statement
                        .raw_bind_parameter(index, 1)
                        .expect("a parameter binds");
                }
                statement.raw_query().next().expect("the statement runs");
                reprepared = statement.get_status(StatementStatus::RePrepare);
            }
            assert_eq!(reprepared, 0, "{name} is re-prepared on every use");
        }
    }
}
