//! PostgreSQL's schema, its migrations and its statements: the same as `sqlite_sql.rs`, in
//! PostgreSQL's dialect (booleans, `$n`, typed parameters, byte-wise `"C"` collation for
//! keys and alias values).

/// The migrations, in order; each runs once, in a transaction, and is recorded.
pub(crate) const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE users (
    pool_id TEXT COLLATE "C" NOT NULL,
    username TEXT COLLATE "C" NOT NULL,
    sub TEXT COLLATE "C" NOT NULL UNIQUE,
    status TEXT NOT NULL,
    email TEXT COLLATE "C",
    email_verified BOOLEAN NOT NULL DEFAULT false,
    email_alias BOOLEAN NOT NULL DEFAULT false,
    phone_number TEXT COLLATE "C",
    phone_number_verified BOOLEAN NOT NULL DEFAULT false,
    phone_number_alias BOOLEAN NOT NULL DEFAULT false,
    state TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (pool_id, username)
);
-- A verified alias value belongs to one user of the pool: the database says so.
CREATE UNIQUE INDEX users_email_alias ON users (pool_id, email) WHERE email_alias;
CREATE UNIQUE INDEX users_phone_number_alias ON users (pool_id, phone_number) WHERE phone_number_alias;
CREATE TABLE phantoms (
    id TEXT COLLATE "C" PRIMARY KEY,
    state TEXT NOT NULL,
    version BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    prune_after BIGINT NOT NULL
);
CREATE INDEX phantoms_prune_after ON phantoms (prune_after);
"#,
    r#"
-- See sqlite_sql::MIGRATIONS.
CREATE TABLE pools (
    pool_id TEXT COLLATE "C" PRIMARY KEY,
    name TEXT NOT NULL,
    settings TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE clients (
    client_id TEXT COLLATE "C" PRIMARY KEY,
    pool_id TEXT COLLATE "C" NOT NULL,
    name TEXT NOT NULL,
    settings TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX clients_pool ON clients (pool_id, client_id);
ALTER TABLE users ADD COLUMN password_hash TEXT;
ALTER TABLE users ADD COLUMN login TEXT COLLATE "C";
CREATE UNIQUE INDEX users_login ON users (pool_id, login) WHERE login IS NOT NULL;
"#,
    r#"
-- See sqlite_sql::MIGRATIONS.
ALTER TABLE phantoms ADD COLUMN pool_id TEXT COLLATE "C";
CREATE INDEX phantoms_pool ON phantoms (pool_id, prune_after);
"#,
    r#"
-- See sqlite_sql::MIGRATIONS.
CREATE TABLE destination_budgets (
    pool_id TEXT COLLATE "C" NOT NULL,
    destination TEXT COLLATE "C" NOT NULL,
    kind TEXT COLLATE "C" NOT NULL,
    window_start BIGINT NOT NULL,
    spent BIGINT NOT NULL,
    PRIMARY KEY (pool_id, destination, kind)
);
CREATE INDEX destination_budgets_window ON destination_budgets (window_start);
"#,
    "
-- See sqlite_sql::MIGRATIONS.
DROP INDEX destination_budgets_window;
",
    r#"
-- See sqlite_sql::MIGRATIONS.
CREATE TABLE refresh_tokens (
    token_hash TEXT COLLATE "C" PRIMARY KEY,
    pool_id TEXT COLLATE "C" NOT NULL,
    client_id TEXT COLLATE "C" NOT NULL,
    username TEXT COLLATE "C" NOT NULL,
    sub TEXT COLLATE "C" NOT NULL,
    origin_jti TEXT NOT NULL,
    auth_time BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX refresh_tokens_user ON refresh_tokens (pool_id, username);
CREATE INDEX refresh_tokens_expires_at ON refresh_tokens (expires_at);
"#,
    r#"
-- See sqlite_sql::MIGRATIONS.
CREATE TABLE sign_in_failures (
    pool_id TEXT COLLATE "C" NOT NULL,
    subject TEXT COLLATE "C" NOT NULL,
    failures BIGINT NOT NULL,
    last_failure_ms BIGINT NOT NULL,
    PRIMARY KEY (pool_id, subject)
);
CREATE INDEX sign_in_failures_last ON sign_in_failures (last_failure_ms);
"#,
    r#"
-- See sqlite_sql::MIGRATIONS.
ALTER TABLE users ADD COLUMN srp_verifier TEXT;
CREATE TABLE srp_challenges (
    challenge_hash TEXT COLLATE "C" PRIMARY KEY,
    pool_id TEXT COLLATE "C" NOT NULL,
    client_id TEXT COLLATE "C" NOT NULL,
    username TEXT COLLATE "C",
    user_id TEXT NOT NULL,
    subject TEXT NOT NULL,
    srp_a TEXT NOT NULL,
    verifier TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX srp_challenges_expires_at ON srp_challenges (expires_at);
"#,
    "
-- See sqlite_sql::MIGRATIONS.
CREATE TABLE test_clock (id BIGINT PRIMARY KEY, offset_ms BIGINT NOT NULL);
",
    "
-- See sqlite_sql::MIGRATIONS.
CREATE TABLE settings_generation (id BIGINT PRIMARY KEY, n BIGINT NOT NULL);
",
    r#"
-- See sqlite_sql::MIGRATIONS.
ALTER TABLE users ADD COLUMN password_expires_at BIGINT;
CREATE TABLE password_challenges (
    session_hash TEXT COLLATE "C" PRIMARY KEY,
    pool_id TEXT COLLATE "C" NOT NULL,
    client_id TEXT COLLATE "C" NOT NULL,
    username TEXT COLLATE "C" NOT NULL,
    sub TEXT NOT NULL,
    password_binding TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX password_challenges_expires_at ON password_challenges (expires_at);
"#,
    r#"
-- See sqlite_sql::MIGRATIONS.
CREATE TABLE password_resets (
    pool_id TEXT COLLATE "C" NOT NULL,
    subject TEXT COLLATE "C" NOT NULL,
    state TEXT NOT NULL,
    version BIGINT NOT NULL,
    prune_after BIGINT NOT NULL,
    PRIMARY KEY (pool_id, subject)
);
CREATE INDEX password_resets_prune_after ON password_resets (prune_after);
"#,
];

/// Serialises migrations between processes starting together (an advisory lock id).
pub(crate) const MIGRATION_LOCK: i64 = 0x00c0_f1a5_0000_0001;

/// See `sqlite_sql::READ`.
pub(crate) const READ: &str = "
SELECT u.username, u.sub, u.status, u.email, u.email_verified, u.phone_number,
       u.phone_number_verified, u.state, u.created_at, u.updated_at,
       (SELECT p.state FROM phantoms p WHERE p.id = $3),
       (SELECT o.username FROM users o
         WHERE $4 AND o.pool_id = $1 AND o.email = COALESCE(u.email, $3) AND o.email_alias
           AND o.username <> $2 LIMIT 1),
       (SELECT o.username FROM users o
         WHERE $5 AND o.pool_id = $1 AND o.phone_number = COALESCE(u.phone_number, $3)
           AND o.phone_number_alias AND o.username <> $2 LIMIT 1),
       CASE WHEN $6 <> '' THEN EXISTS (SELECT 1 FROM clients c
         WHERE c.client_id = $6 AND c.pool_id = $1)
       ELSE EXISTS (SELECT 1 FROM pools p WHERE p.pool_id = $1) END
FROM (SELECT $2::text AS wanted) AS w LEFT JOIN users u ON u.pool_id = $1 AND u.username = w.wanted";

pub(crate) const LOAD: &str = "
SELECT username, sub, status, email, email_verified, phone_number, phone_number_verified,
       state, created_at, updated_at
FROM users WHERE pool_id = $1 AND username = $2";

/// The outer condition is repeated: under READ COMMITTED a row updated since the
/// sub-query's snapshot is re-checked against the outer `WHERE` only.
pub(crate) const PRUNE: &str = "
DELETE FROM phantoms WHERE id IN (SELECT id FROM phantoms WHERE prune_after < $1 LIMIT $2)
  AND prune_after < $1";

pub(crate) const SEED: &str = "
INSERT INTO users (pool_id, username, sub, status, email, state, version, created_at, updated_at)
SELECT $1, u.username, u.sub, 'UNCONFIRMED', u.email, u.state, u.version, $2, $2
FROM UNNEST($3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[])
     AS u (username, sub, email, state, version)
ON CONFLICT (pool_id, username) DO UPDATE SET
    sub = excluded.sub, status = 'UNCONFIRMED', email = excluded.email, email_verified = false,
    email_alias = false, phone_number = NULL, phone_number_verified = false,
    phone_number_alias = false, state = excluded.state, version = excluded.version,
    updated_at = excluded.updated_at";
