// `d1Store(db)`: the package's `Store` on Cloudflare D1 (SQLite). Every condition a write
// states is checked by the database in the statement or batch that writes: the version
// (compare-and-swap), insert-only-if-absent (primary keys), an alias claim (a guard
// statement in the batch). A D1 batch is one transaction, run alone.
import type { AliasClaim, Needs, UserRecord, UserStatus, Write } from "./confirmation_flow.js";
import { MIGRATIONS } from "./d1_schema.js";
import type { Budget, Store, StoredLookup } from "./store.js";

/** The part of a D1 prepared statement the store uses. */
export interface D1StatementLike {
  bind(...values: unknown[]): D1StatementLike;
  first<T = Record<string, unknown>>(): Promise<T | null>;
  run(): Promise<{ meta: { changes: number } }>;
}

/** The part of a D1 database (`env.DB`) the store uses. */
export interface D1Like {
  prepare(query: string): D1StatementLike;
  batch(statements: D1StatementLike[]): Promise<{ results: unknown[] }[]>;
}

/** `d1Store`'s options. */
export interface D1StoreOptions {
  /** How many phantoms (unknown users' rows) `prune` keeps; default 10,000, the server's. */
  phantomsKept?: number;
}

/** What `prune` deleted. */
export interface Pruned {
  /** Phantoms whose code had expired and whose rate windows had passed. */
  phantoms: number;
  /** Phantoms past the cap, those closest to their time first. */
  trimmed: number;
  /** Destination budgets whose hour had passed. */
  budgets: number;
}

/** `Store` on D1, with its schema and the deletion of rows whose time has passed. */
export interface D1Store extends Store {
  /**
   * Creates or updates the tables (`cognito_*`) to this version of the package; every other
   * method runs it first, once per database object and isolate. Concurrent isolates may run
   * it at once: each migration is one batch, recorded in `cognito_migrations`.
   */
  migrate(): Promise<void>;
  /**
   * Deletes the phantoms and budgets whose time has passed at `now` (a `Date`, or
   * milliseconds, as `controller.scheduledTime`), and trims the phantoms to the cap. Run it
   * from a Cron Trigger, every minute. Returns how many rows went.
   *
   * # Errors
   * `RangeError` for a number that is not milliseconds since 2000 (seconds, most likely).
   */
  prune(now: Date | number): Promise<Pruned>;
}

/** How many rows one DELETE removes (a D1 statement is bounded in time). */
const PRUNE_BATCH = 1000;
const PHANTOMS_KEPT = 10_000;
/** 2000-01-01 in milliseconds: a smaller `now` is seconds, not milliseconds. */
const Y2K_MS = 946_684_800_000;

/** Migrations under way or done, per database object (`env.DB` lives as long as the isolate). */
const migrated = new WeakMap<object, Promise<void>>();

/**
 * The package's `Store` on the D1 database `db` (`env.DB`): one user pool per database (the
 * tables have no pool column; two pools sharing one would share users and budgets).
 *
 * # Errors
 * `TypeError` for a `phantomsKept` that is not a whole number, 1 or more.
 */
export function d1Store(db: D1Like, options: D1StoreOptions = {}): D1Store {
  const cap = options.phantomsKept ?? PHANTOMS_KEPT;
  if (!Number.isSafeInteger(cap) || cap < 1) {
    throw new TypeError(`phantomsKept: expected a whole number of phantoms, 1 or more, not ${String(cap)}`);
  }
  const ready = () => {
    let done = migrated.get(db);
    if (!done) {
      done = migrate(db);
      migrated.set(db, done);
      done.catch(() => migrated.delete(db)); // a failure is retried by the next request
    }
    return done;
  };
  return {
    migrate: ready,
    read: async (needs) => (await ready(), read(db, needs)),
    apply: async (write) => (await ready(), apply(db, write)),
    spend: async (budget) => (await ready(), spend(db, budget)),
    prune: async (now) => (await ready(), prune(db, now, cap)),
  };
}

async function migrate(db: D1Like): Promise<void> {
  await db.prepare(
    "CREATE TABLE IF NOT EXISTS cognito_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
  ).run();
  // Each pass applies one migration or finds another isolate did: bounded by their number.
  for (let pass = 0; pass <= MIGRATIONS.length; pass += 1) {
    const row = await db.prepare("SELECT COALESCE(MAX(version), 0) AS version FROM cognito_migrations")
      .first<{ version: number }>();
    const version = row?.version ?? 0;
    // At or past this package's last (a newer one, in a gradual deployment, added to the
    // schema and took nothing away from it: see d1_schema.ts): nothing to do.
    const next = MIGRATIONS[version];
    if (!next) return;
    try {
      // The record first: an isolate that lost the race to apply it fails here, and reads again.
      await db.batch([
        db.prepare("INSERT INTO cognito_migrations (version, applied_at) VALUES (?1, ?2)")
          .bind(version + 1, Math.floor(Date.now() / 1000)),
        ...next.map((statement) => db.prepare(statement)),
      ]);
    } catch (error) {
      if (!/UNIQUE constraint failed: cognito_migrations\.version/.test(String(error))) throw error;
    }
  }
  throw new Error("cognito_migrations did not advance: another process keeps failing to migrate");
}

interface UserRow {
  username: string;
  sub: string;
  status: UserStatus;
  email: string | null;
  phone_number: string | null;
  email_verified: number;
  phone_number_verified: number;
  state: string;
}

/** One consistent read (a D1 batch is one transaction) of everything `needs` names. */
async function read(db: D1Like, needs: Needs): Promise<StoredLookup> {
  const [users, phantoms, owners] = await db.batch([
    db.prepare("SELECT * FROM cognito_users WHERE username = ?1").bind(needs.username),
    db.prepare("SELECT state FROM cognito_phantoms WHERE id = ?1").bind(needs.phantomId),
    db.prepare(
      `SELECT (SELECT o.username FROM cognito_users o WHERE ?2 AND o.email = u.email AND o.email_verified = 1
                 AND o.username <> u.username) AS email,
              (SELECT o.username FROM cognito_users o WHERE ?3 AND o.phone_number = u.phone_number
                 AND o.phone_number_verified = 1 AND o.username <> u.username) AS phone_number
       FROM cognito_users u WHERE u.username = ?1`,
    ).bind(needs.username, Number(needs.aliasOwners.email), Number(needs.aliasOwners.phoneNumber)),
  ]);
  const user = users?.results[0] as UserRow | undefined;
  const owner = owners?.results[0] as { email: string | null; phone_number: string | null } | undefined;
  return {
    user: user ? record(user) : null,
    phantom: (phantoms?.results[0] as { state: string } | undefined)?.state ?? null,
    aliasOwners: { email: owner?.email ?? null, phoneNumber: owner?.phone_number ?? null },
  };
}

/** A row as the package reads a user. */
function record(user: UserRow): UserRecord {
  const flag = (verified: number) => (verified ? "true" : "false");
  return {
    username: user.username,
    subject: user.sub,
    status: user.status,
    confirmation: user.state,
    email: user.email,
    phoneNumber: user.phone_number,
    attributes: {
      sub: user.sub,
      ...(user.email === null ? {} : { email: user.email, email_verified: flag(user.email_verified) }),
      ...(user.phone_number === null
        ? {}
        : { phone_number: user.phone_number, phone_number_verified: flag(user.phone_number_verified) }),
    },
  };
}

/**
 * Carries out `write` only if every condition it states holds; false: the request lost a
 * race. A condition is checked by the statement that writes: `WHERE version = ?` (then the
 * statement changed no row, and the guard after it fails the batch), a primary key (an
 * insert conflicts), or a guard that fails the batch when another user holds the alias.
 */
async function apply(db: D1Like, write: Write): Promise<boolean> {
  const { target, expected, state, version } = write;
  // After each statement whose change is a condition: when it changed nothing, this fails,
  // and with it the batch. Every write is a batch ending in it, phantoms' as users', so the
  // two take the same round trip.
  const guard = db.prepare("INSERT INTO cognito_lost_race (never) SELECT NULL WHERE changes() = 0");
  const statements: D1StatementLike[] = [];
  if (target.kind === "phantom") {
    const { id, pruneAfterUnixSeconds: pruneAfter } = target;
    statements.push(
      expected === "absent"
        ? db.prepare(
          "INSERT INTO cognito_phantoms (id, state, version, prune_after) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
        ).bind(id, state, version, pruneAfter)
        : db.prepare(
          "UPDATE cognito_phantoms SET state = ?2, version = ?3, prune_after = ?4 WHERE id = ?1 AND version = ?5",
        ).bind(id, state, version, pruneAfter, expected),
      guard,
    );
  } else if (expected === "absent") {
    statements.push(
      db.prepare(
        `INSERT INTO cognito_users (username, sub, status, email, phone_number, state, version)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING`,
      ).bind(
        target.username,
        target.subject,
        write.status ?? "UNCONFIRMED",
        target.attributes?.email ?? null,
        target.attributes?.phoneNumber ?? null,
        state,
        version,
      ),
      guard,
    );
  } else {
    const alias = write.alias;
    if (alias) statements.push(...claim(db, alias, target.username, guard));
    statements.push(
      db.prepare(
        `UPDATE cognito_users SET state = ?4, version = ?5, status = COALESCE(?6, status),
           email_verified = email_verified OR ?7, phone_number_verified = phone_number_verified OR ?8
         WHERE username = ?1 AND sub = ?2 AND version = ?3`,
      ).bind(
        target.username,
        target.subject,
        expected,
        state,
        version,
        write.status,
        Number(write.verify === "email"),
        Number(write.verify === "phone_number"),
      ),
      guard,
    );
  }
  try {
    await db.batch(statements);
    return true;
  } catch (error) {
    // A guard, or a primary key: a condition no longer held, the request lost a race.
    if (/constraint failed/.test(String(error))) return false;
    throw error;
  }
}

/**
 * The statements that check an alias claim in the write's batch: `mustBeFree` fails it when
 * another user holds the value verified; `takeFrom` fails it unless `owner` still does, and
 * clears the flag of every other holder (one, unless aliases were switched on over users
 * who already shared a value).
 */
function claim(db: D1Like, alias: AliasClaim, username: string, guard: D1StatementLike): D1StatementLike[] {
  const column = alias.attribute === "email" || alias.attribute === "phone_number" ? alias.attribute : undefined;
  if (!column) throw new TypeError(`an alias claim on ${String(alias.attribute)}: not email or phone_number`);
  const fails = (condition: string) =>
    db.prepare(`INSERT INTO cognito_lost_race (never) SELECT NULL WHERE ${condition}`);
  const holder = (who: string) =>
    `SELECT 1 FROM cognito_users WHERE ${column} = ?1 AND ${column}_verified = 1 AND username ${who} ?2`;
  if (alias.kind === "mustBeFree") return [fails(`EXISTS (${holder("<>")})`).bind(alias.value, username)];
  return [
    fails(`NOT EXISTS (${holder("=")})`).bind(alias.value, alias.owner),
    db.prepare(
      `UPDATE cognito_users SET ${column}_verified = 0 WHERE ${column} = ?1 AND ${column}_verified = 1 AND username <> ?2`,
    ).bind(alias.value, username),
    guard,
  ];
}

/**
 * Spends one unit in one statement, so no two requests can take the last one: it inserts
 * the row with one spent, or, on the row there, starts a new window when the last has
 * passed, else adds one only while fewer than the limit are spent (`DO UPDATE ... WHERE`;
 * a row left unchanged returns nothing).
 */
async function spend(db: D1Like, budget: Budget): Promise<boolean> {
  const spent = await db.prepare(
    `INSERT INTO cognito_destination_budgets (destination, kind, window_start, window_seconds, spent)
     VALUES (?1, ?2, ?3, ?4, 1)
     ON CONFLICT (destination, kind) DO UPDATE SET
       spent = CASE WHEN ?3 - window_start >= ?4 THEN 1 ELSE spent + 1 END,
       window_start = CASE WHEN ?3 - window_start >= ?4 THEN ?3 ELSE window_start END,
       window_seconds = ?4
     WHERE ?3 - window_start >= ?4 OR spent < ?5
     RETURNING spent`,
  ).bind(budget.destination, budget.kind, budget.nowUnixSeconds, budget.windowSeconds, budget.limit).first();
  return spent !== null;
}

async function prune(db: D1Like, now: Date | number, cap: number): Promise<Pruned> {
  const ms = now instanceof Date ? now.getTime() : now;
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms < Y2K_MS) {
    throw new RangeError(`prune: now must be a Date or milliseconds since 1970 (after 2000), not ${String(now)}`);
  }
  const nowUnixSeconds = Math.floor(ms / 1000);
  const all = async (statement: D1StatementLike) => {
    let deleted = 0;
    for (;;) {
      const { meta } = await statement.run();
      deleted += meta.changes;
      if (meta.changes < PRUNE_BATCH) return deleted;
    }
  };
  const phantoms = await all(db.prepare(
    `DELETE FROM cognito_phantoms WHERE id IN
       (SELECT id FROM cognito_phantoms WHERE prune_after < ?1 LIMIT ?2)`,
  ).bind(nowUnixSeconds, PRUNE_BATCH));
  // Past the cap, the phantoms closest to being pruned go, and their guess budgets with
  // them: every distinct unknown username writes a row, and without this a flood keeps
  // them all until their windows pass (a new phantom answers the same as the old one).
  const trimmed = await all(db.prepare(
    `DELETE FROM cognito_phantoms WHERE id IN (SELECT id FROM cognito_phantoms ORDER BY prune_after, id
       LIMIT min(?2, max(0, (SELECT COUNT(*) FROM cognito_phantoms) - ?1)))`,
  ).bind(cap, PRUNE_BATCH));
  if (trimmed > 0) {
    await db.prepare(
      `DELETE FROM cognito_destination_budgets WHERE destination >= 'phantom:' AND destination < 'phantom;'
         AND NOT EXISTS (SELECT 1 FROM cognito_phantoms p WHERE p.id = substr(destination, 9))`,
    ).run();
  }
  // A budget whose window has passed starts again at zero: its row may go.
  const budgets = await all(db.prepare(
    `DELETE FROM cognito_destination_budgets WHERE rowid IN
       (SELECT rowid FROM cognito_destination_budgets WHERE window_start + window_seconds <= ?1 LIMIT ?2)`,
  ).bind(nowUnixSeconds, PRUNE_BATCH));
  return { phantoms, trimmed, budgets };
}
