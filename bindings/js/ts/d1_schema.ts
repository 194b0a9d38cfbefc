// The D1 schema, as migrations: appended to, never edited (a database records the last it
// ran in `cognito_migrations`). `d1Store(db).migrate()` runs those it has not. A migration
// only adds (tables, columns with defaults, indexes), never drops or renames: in a gradual
// deployment the previous version of the package runs on the schema a newer one migrated.

/** Each migration's statements, run in one batch (one transaction). */
export const MIGRATIONS: readonly (readonly string[])[] = [
  [
    // A user: its state is the package's JSON (a code's keyed tag, never the code).
    `CREATE TABLE cognito_users (
      username TEXT PRIMARY KEY,
      sub TEXT NOT NULL UNIQUE,
      status TEXT NOT NULL,
      email TEXT,
      email_verified INTEGER NOT NULL DEFAULT 0,
      phone_number TEXT,
      phone_number_verified INTEGER NOT NULL DEFAULT 0,
      state TEXT NOT NULL,
      version INTEGER NOT NULL
    )`,
    // Who holds an email or phone number verified (a write's alias claim reads it). Not
    // unique: without `AliasAttributes` two users may verify one address, as in the service.
    "CREATE INDEX cognito_users_email ON cognito_users (email) WHERE email_verified = 1",
    "CREATE INDEX cognito_users_phone_number ON cognito_users (phone_number) WHERE phone_number_verified = 1",
    // An unknown user's stand-in; `prune_after` (Unix seconds): when its row may go.
    `CREATE TABLE cognito_phantoms (
      id TEXT PRIMARY KEY,
      state TEXT NOT NULL,
      version INTEGER NOT NULL,
      prune_after INTEGER NOT NULL
    )`,
    "CREATE INDEX cognito_phantoms_prune_after ON cognito_phantoms (prune_after)",
    // Budgets per destination, across accounts: `destination` is the hex SHA-256 of an
    // address's canonical form (never the address) or `phantom:` and a phantom's id; a
    // window (Unix seconds) starts at its first spend.
    `CREATE TABLE cognito_destination_budgets (
      destination TEXT NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('code', 'guess')),
      window_start INTEGER NOT NULL,
      window_seconds INTEGER NOT NULL,
      spent INTEGER NOT NULL,
      PRIMARY KEY (destination, kind)
    )`,
    `CREATE INDEX cognito_destination_budgets_window_end
      ON cognito_destination_budgets (window_start + window_seconds)`,
    // Never holds a row: inserting NULL into it when the statement before changed nothing
    // fails the batch, so a write of several statements is all or nothing.
    "CREATE TABLE cognito_lost_race (never INTEGER NOT NULL)",
  ],
];
