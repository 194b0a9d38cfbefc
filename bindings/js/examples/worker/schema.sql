-- The Worker's D1 schema. Every condition a `Write` states is checked by the database in
-- the statement (or batch) that writes: the version (compare-and-swap), insert-only-if-
-- absent (primary keys), and a verified alias belonging to one user (partial unique
-- indexes).
CREATE TABLE IF NOT EXISTS clients (
  client_id TEXT PRIMARY KEY,
  secret TEXT,
  prevent_user_existence_errors INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS users (
  username TEXT PRIMARY KEY,
  sub TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL,
  email TEXT,
  email_verified INTEGER NOT NULL DEFAULT 0,
  phone_number TEXT,
  phone_number_verified INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL,
  version INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS users_verified_email ON users (email) WHERE email_verified = 1;
CREATE UNIQUE INDEX IF NOT EXISTS users_verified_phone ON users (phone_number) WHERE phone_number_verified = 1;
CREATE TABLE IF NOT EXISTS phantoms (
  id TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  version INTEGER NOT NULL,
  -- Unix seconds: after this the row may be deleted (the Worker's `scheduled` handler).
  prune_after INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS phantoms_prune_after ON phantoms (prune_after);
-- Budgets per destination, across accounts (src/worker.ts, `spend`): codes delivered to an
-- address and codes submitted for it, per fixed hour from the window's first use. Spent
-- by one conditional upsert (`ON CONFLICT DO UPDATE ... WHERE`), so no two requests take
-- the last unit. `destination` is the hex SHA-256 of the attribute, a zero byte and the
-- address in lower case (never the address), or `phantom:` and a phantom's id.
CREATE TABLE IF NOT EXISTS destination_budgets (
  destination TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('code', 'guess')),
  -- Unix seconds: the window's start; an hour later the row may be deleted (`scheduled`).
  window_start INTEGER NOT NULL,
  spent INTEGER NOT NULL,
  PRIMARY KEY (destination, kind)
);
CREATE INDEX IF NOT EXISTS destination_budgets_window_start ON destination_budgets (window_start);
-- No table of codes: a code goes to the mail sender (MAILER) and is forgotten; the user's
-- state holds only its keyed tag.
-- Never holds a row: inserting NULL into it when the statement before changed nothing
-- fails the batch, so a multi-statement write is all or nothing (see src/worker.ts).
CREATE TABLE IF NOT EXISTS lost_race (never INTEGER NOT NULL);
