// A Cloudflare Worker serving Cognito's SignUp, ConfirmSignUp and ResendConfirmationCode
// (AWS JSON 1.1: `POST /` with `X-Amz-Target`) on D1, through confirmation-flow's one loop:
// decode once → read what `needs` names → decide → write with every condition checked by
// the database (lost: read and decide again) → answer → deliver the code (to a mail sender,
// after answering; never stored). Per destination, across accounts, at most 6 codes are
// delivered and 15 codes submitted an hour (`destination_budgets`, keyed on the address's
// canonical form: `addressKey`). A Cron Trigger deletes the phantoms and the budgets whose
// time has passed, and trims the phantoms to a cap (`PHANTOMS_KEPT`).
import {
  type After,
  afterTrigger,
  type AliasAttribute,
  decode,
  type FlowError,
  initSync,
  type Lookup,
  type Needs,
  type Operation,
  type OperationName,
  Pool,
  type UserStatus,
  type Write,
} from "confirmation-flow";
import wasm from "confirmation-flow/confirmation_flow_bg.wasm";

export interface Env {
  DB: D1Database;
  /** The server key: 32 bytes, base64 (a secret binding). */
  CONFIRMATION_KEY: string;
  /** The user pool's id, e.g. `us-east-1_EXAMPLE`. */
  USER_POOL_ID: string;
  /**
   * The mail sender, a service binding: `POST` with `{ username, attribute, destination,
   * code }` sends the code by email or SMS. The code is handed over and forgotten: it is
   * never written to D1 (only its keyed tag is, in the user's state).
   */
  MAILER: Fetcher;
  /**
   * How many phantoms (unknown users' rows) the scheduled handler keeps, a decimal string;
   * default 10,000, the example server's `limits.phantoms_per_pool`.
   */
  PHANTOMS_KEPT?: string;
}

initSync({ module: wasm });

/**
 * The operations served, as `decode` checks them (under `X-Amz-Target` or the bare name)
 * before it reads a body. Not AdminConfirmSignUp: it needs a verified SigV4 signature,
 * which this Worker does not check, and served to anyone it would confirm any user
 * without a code.
 */
const SERVED: OperationName[] = ["SignUp", "ConfirmSignUp", "ResendConfirmationCode"];
/** How often a request reads and decides again after losing a race. */
const RETRIES = 16;
/** The largest request body read, as the example server's default. */
const MAX_BODY = 64 * 1024;
/**
 * The largest body whose 413 is answered cleanly: up to this much of a too-large body is
 * read and thrown away before answering (`readAtMost`).
 */
const DRAINED_BODY = 1024 * 1024;
/** How many rows one DELETE removes (a statement of D1 is bounded in time). */
const PRUNE_BATCH = 1000;
/** The phantoms kept when `PHANTOMS_KEPT` does not say. */
const PHANTOMS_KEPT = 10_000;

/*
 * Budgets per destination, across accounts, as the example server keeps them
 * (server/src/destinations.rs): an email address gets no more codes, and no more
 * guesses at the codes sent to it, than one account gets, however many accounts name it.
 * Without them, twenty sign-ups naming a victim's address mail it twenty codes and buy
 * twenty budgets of guesses at them (a lucky one, with `ForceAliasCreation`, takes the
 * verified address from its owner). The hour is a fixed window from its first use.
 */
/** Codes delivered to one destination in an hour: one account's sign-up and five resends. */
const CODES_PER_HOUR = 6;
/** Code submissions for one destination in an hour: one account's rolling window. */
const GUESSES_PER_HOUR = 15;
/** The window, in seconds. */
const BUDGET_WINDOW = 60 * 60;
/**
 * What a submission past its destination's budget is decided with: no code the package
 * makes (six digits) is this, so it is compared and found wrong, with a wrong code's work
 * and answer, and it spends the user's attempt as a wrong code does.
 */
const NO_CODE = "over-the-destination-budget";

let pool: Pool | undefined;
/** Where codes go: also where a submission's guess is counted (`guessDestination`). */
const AUTO_VERIFIED: AliasAttribute[] = ["email"];

function poolOf(env: Env): Pool {
  const secret = Uint8Array.from(atob(env.CONFIRMATION_KEY), (c) => c.charCodeAt(0));
  pool ??= new Pool({
    region: "us-east-1",
    userPoolId: env.USER_POOL_ID,
    keys: { current: { id: 1, secret } },
    autoVerifiedAttributes: AUTO_VERIFIED,
    aliasAttributes: ["email"],
  });
  return pool;
}

function answer(status: number, body: unknown): Response {
  const headers: Record<string, string> = { "content-type": "application/x-amz-json-1.1" };
  const type = (body as { __type?: string }).__type;
  if (type) headers["x-amzn-errortype"] = `${type}:`;
  return new Response(JSON.stringify(body), { status, headers });
}

/**
 * The body, or `undefined` once it is longer than `limit`: never more than that is held.
 *
 * A too-large body is not left unread: answered with the rest of it still coming, workerd
 * closes the connection on bytes it has not read, the kernel resets it, and the client,
 * still sending, sees the reset instead of its 413 (most often for a body streamed without
 * a Content-Length). So the rest is read and thrown away, one chunk at a time, until the
 * body ends; but only up to `DRAINED_BODY` in all. A body declared larger than that is not
 * read at all, and one streamed past it is cancelled: a client sending that much may see
 * the connection drop rather than read its 413, and no more of it is read for its sake.
 */
async function readAtMost(request: Request, limit: number): Promise<Uint8Array | undefined> {
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > limit) {
    if (declared <= DRAINED_BODY) await discard(reader, 0);
    else await reader.cancel().catch(() => {});
    return undefined;
  }
  const body = new Uint8Array(limit);
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return body.subarray(0, length);
    if (length + value.byteLength > limit) {
      await discard(reader, length + value.byteLength);
      return undefined;
    }
    body.set(value, length);
    length += value.byteLength;
  }
}

/**
 * Reads the rest of a body, `read` bytes of which have come, to its end, holding no chunk,
 * while no more than `DRAINED_BODY` have come in all; past that it cancels the rest.
 */
async function discard(reader: ReadableStreamDefaultReader<Uint8Array>, read: number): Promise<void> {
  try {
    while (read <= DRAINED_BODY) {
      const { done, value } = await reader.read();
      if (done) return;
      read += value.byteLength;
    }
    await reader.cancel();
  } catch {
    // The body broke off (the client went away, say): the 413 is answered all the same.
  }
}

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const target = request.headers.get("x-amz-target") ?? "";
    const body = await readAtMost(request, MAX_BODY);
    if (!body) {
      const message = `The request body is larger than ${MAX_BODY} bytes`;
      return answer(413, { __type: "RequestEntityTooLargeException", message });
    }
    try {
      // An operation not in SERVED is refused here: UnknownOperationException.
      using operation = decode(poolOf(env), target, body, SERVED);
      return await serve(env, ctx, operation, body);
    } catch (caught) {
      // The package's errors carry what to answer; anything else (D1 failing) is a 500.
      const error = caught as Partial<FlowError>;
      const status = error.httpStatus ?? 500;
      if (status >= 500) console.error(error.name, error.message);
      return answer(status, error.body ?? { __type: "InternalErrorException", message: "Internal error." });
    }
  },

  /**
   * A Cron Trigger (`[triggers] crons = ["* * * * *"]` in wrangler.toml): every minute,
   * as the example server does, delete the phantoms whose code has expired and whose rate
   * windows have passed. They hold nothing of value: a new one answers the same.
   */
  async scheduled(controller: ScheduledController, env: Env): Promise<void> {
    // `scheduledTime` is in milliseconds; the rows hold Unix seconds.
    const nowUnixSeconds = Math.floor(controller.scheduledTime / 1000);
    const prune = async (statement: D1PreparedStatement) => {
      let pruned = 0;
      for (;;) {
        const { meta } = await statement.run();
        pruned += meta.changes;
        if (meta.changes < PRUNE_BATCH) return pruned;
      }
    };
    const phantoms = await prune(env.DB.prepare(
      "DELETE FROM phantoms WHERE id IN (SELECT id FROM phantoms WHERE prune_after < ?1 LIMIT ?2)",
    ).bind(nowUnixSeconds, PRUNE_BATCH));
    if (phantoms > 0) console.log(`deleted ${phantoms} phantoms whose windows have passed`);
    // Past the cap, the phantoms closest to being pruned go, and their guess budgets with
    // them: every distinct unknown username writes a row, and without this a flood keeps
    // them all until their windows pass (a new phantom answers the same as the old one).
    const kept = Number.parseInt(env.PHANTOMS_KEPT ?? "", 10);
    const cap = Number.isSafeInteger(kept) && kept > 0 ? kept : PHANTOMS_KEPT;
    const trimmed = await prune(env.DB.prepare(
      `DELETE FROM phantoms WHERE id IN (SELECT id FROM phantoms ORDER BY prune_after, id
         LIMIT min(?2, max(0, (SELECT COUNT(*) FROM phantoms) - ?1)))`,
    ).bind(cap, PRUNE_BATCH));
    if (trimmed > 0) {
      console.log(`trimmed ${trimmed} phantoms to the cap of ${cap}`);
      await env.DB.prepare(
        `DELETE FROM destination_budgets WHERE destination >= 'phantom:' AND destination < 'phantom;'
           AND NOT EXISTS (SELECT 1 FROM phantoms p WHERE p.id = substr(destination_budgets.destination, 9))`,
      ).run();
    }
    // A budget whose window has passed starts again at zero: its row may go.
    const budgets = await prune(env.DB.prepare(
      `DELETE FROM destination_budgets WHERE rowid IN
         (SELECT rowid FROM destination_budgets WHERE window_start < ?1 LIMIT ?2)`,
    ).bind(nowUnixSeconds - BUDGET_WINDOW, PRUNE_BATCH));
    if (budgets > 0) console.log(`deleted ${budgets} destination budgets whose windows have passed`);
  },
} satisfies ExportedHandler<Env>;

async function serve(env: Env, ctx: ExecutionContext, operation: Operation, body: Uint8Array): Promise<Response> {
  const db = env.DB;
  const needs = operation.needs;
  // A ConfirmSignUp spends a guess of its destination's budget before its code is compared,
  // found from the read the decision uses; past the budget it is decided as this: the same
  // request with a code that cannot match (a wrong code's answer, work and attempt).
  let overBudget: Operation | undefined;
  /** Where a guess was spent: once, unless a retry's read names another destination. */
  const spentAt = new Set<string>();
  try {
    for (let attempt = 0; attempt < RETRIES; attempt += 1) {
      const lookup = await read(db, needs);
      if (operation.name === "ConfirmSignUp" && !overBudget) {
        const destination = await guessDestination(lookup, needs);
        if (destination !== null && !spentAt.has(destination)) {
          spentAt.add(destination);
          if (!(await spend(db, destination, "guess", GUESSES_PER_HOUR))) overBudget = withNoCode(env, operation, body);
        }
      }
      const outcome = (overBudget ?? operation).decide(lookup);
      if (outcome.write && !(await write(db, outcome.write))) continue;
      const { reply: decided, after } = outcome.applied(); // the write is stored, or there is none
      // No PostConfirmation trigger here; with one, invoke it with `after.event` and pass
      // what it did to afterTrigger. Its failure is the answer; the user stays confirmed.
      const reply = after.kind === "postConfirmation" ? afterTrigger(decided, { kind: "succeeded" }) : decided;
      // The code goes to the mail sender once the answer has gone, and is then forgotten.
      if (after.kind === "deliver") ctx.waitUntil(deliver(env, after));
      return answer(reply.httpStatus, reply.body);
    }
    throw new Error("too many lost races");
  } finally {
    overBudget?.free();
  }
}

/**
 * Hands a code to the mail sender, within its destination's budget: past it the code is
 * not delivered (the answer, already given, says nothing of it). A failure is logged,
 * without the code or the address.
 */
async function deliver(env: Env, delivery: Extract<After, { kind: "deliver" }>): Promise<void> {
  const { username, destination, code } = delivery;
  try {
    const key = await addressKey(destination.attribute, destination.value);
    if (!(await spend(env.DB, key, "code", CODES_PER_HOUR))) {
      console.log(`a code for ${username} not delivered: its destination has had its codes for this hour`);
      return;
    }
    const sent = await env.MAILER.fetch("https://mailer/", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username, attribute: destination.attribute, destination: destination.value, code }),
    });
    if (!sent.ok) console.error(`the mail sender refused the code for ${username}: ${sent.status}`);
  } catch (error) {
    console.error(`the mail sender failed for ${username}: ${String(error)}`);
  }
}

/**
 * The budget key of an email address or phone number: the hex SHA-256 of the attribute's
 * name, a zero byte and the address's canonical form, exactly as the example server
 * computes it (`of_address` in server/src/destination_keys.rs says why each step), so the
 * table lists no address. server/tests/destination-keys.json holds both to the same keys.
 */
async function addressKey(attribute: string, value: string): Promise<string> {
  const text = new TextEncoder().encode(`${attribute}\0${canonicalAddress(attribute, value)}`);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", text));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * One spelling per mailbox (SignUp has refused malformed addresses already), in the steps
 * of `of_address` in server/src/destination_keys.rs: an email NFKC-normalised and lower-cased;
 * U+200C and U+200D dropped; its local part (before the last `@`) cut at its first `+`;
 * a domain with a non-ASCII character replaced by its UTS-46 A-label form (the WHATWG URL
 * host parser's, as the server's `idna` computes it: `gmail。com` is `gmail.com`,
 * `bücher.de` is `xn--bcher-kva.de`), or left as it is where that fails, then one trailing
 * `.` dropped; `googlemail.com` read as `gmail.com`, whose local parts lose their dots.
 * A phone number stays as given (E.164): this Worker verifies and sends to email only, and
 * libphonenumber's reading (the server's key: `+4407911123456` is `+447911123456`) is
 * too large a dependency for a key it does not use.
 */
function canonicalAddress(attribute: string, value: string): string {
  if (attribute !== "email") return value;
  const folded = value.normalize("NFKC").toLowerCase().replace(/[\u200c\u200d]/g, "");
  const at = folded.lastIndexOf("@");
  if (at < 0) return folded;
  const local = folded.slice(0, at);
  const plus = local.indexOf("+");
  const mailbox = plus < 0 ? local : local.slice(0, plus);
  const domain = asciiDomain(folded.slice(at + 1));
  return domain === "gmail.com" || domain === "googlemail.com"
    ? `${mailbox.replaceAll(".", "")}@gmail.com`
    : `${mailbox}@${domain}`;
}

/**
 * A domain's UTS-46 ToASCII form (non-transitional, forbidden domain code points failing:
 * the URL standard's "domain to ASCII"), or the domain itself where it is ASCII already
 * or that fails; then without one trailing `.`. The host is parsed with a last label `x`
 * added, so that one ending in a number is not read as an IPv4 address, and only where no
 * character would end the host or be percent-decoded (those fail ToASCII anyway).
 */
function asciiDomain(domain: string): string {
  let ascii = domain;
  if (!/^[\x00-\x7f]*$/.test(domain) && !/[\x00-\x20%#/:<>?@[\\\]^|\x7f]/.test(domain)) {
    try {
      ascii = new URL(`http://${domain}.x`).hostname.slice(0, -2);
    } catch {
      ascii = domain;
    }
  }
  return ascii.endsWith(".") ? ascii.slice(0, -1) : ascii;
}

/**
 * Where the code a ConfirmSignUp is compared against was sent, as a budget key: the user's
 * destination (the pool's auto-verified attribute: the phone when it is one and the user
 * has one, else the email); for a user with neither, the account's own; for an unknown
 * user, its phantom's own id (a made-up address reaches nobody). `null` for an unknown
 * user with no phantom (`UserNotFoundException` either way) and for an unknown app client
 * (refused before any code is compared, as the example server refuses it before counting).
 */
async function guessDestination(lookup: Lookup, needs: Needs): Promise<string | null> {
  if (!lookup.client) return null;
  const user = lookup.user;
  if (!user) return needs.phantomId === null ? null : `phantom:${needs.phantomId}`;
  const verified = AUTO_VERIFIED;
  if (verified.includes("phone_number") && user.phoneNumber) return addressKey("phone_number", user.phoneNumber);
  if (verified.includes("email") && user.email) return addressKey("email", user.email);
  // Nowhere a code can have been sent: the account's own budget (the server's
  // `destinations::of_account`), so this user's answer costs a budget write, as an unknown
  // user's does, and takes its time.
  return addressKey("account", user.username);
}

/**
 * Spends one of `destination`'s `kind` budget for this hour: whether there was one. One
 * statement, so no two requests can take the last one: it inserts the row with one spent,
 * or, on the row there, starts a new window when the last has passed, else adds one only
 * while fewer than `budget` are spent (`DO UPDATE ... WHERE`; a row left unchanged returns
 * nothing).
 */
async function spend(db: D1Database, destination: string, kind: "code" | "guess", budget: number): Promise<boolean> {
  const now = Math.floor(Date.now() / 1000);
  const spent = await db.prepare(
    `INSERT INTO destination_budgets (destination, kind, window_start, spent) VALUES (?1, ?2, ?3, 1)
     ON CONFLICT (destination, kind) DO UPDATE SET
       spent = CASE WHEN ?3 - window_start >= ?4 THEN 1 ELSE spent + 1 END,
       window_start = CASE WHEN ?3 - window_start >= ?4 THEN ?3 ELSE window_start END
     WHERE ?3 - window_start >= ?4 OR spent < ?5
     RETURNING spent`,
  ).bind(destination, kind, now, BUDGET_WINDOW, budget).first();
  return spent !== null;
}

/**
 * `operation`, a ConfirmSignUp, decoded again with its code replaced by one that cannot
 * match; every other member as it was (the package's decoder and `JSON.parse` both keep a
 * repeated member's last value).
 */
function withNoCode(env: Env, operation: Operation, body: Uint8Array): Operation {
  const request = JSON.parse(new TextDecoder().decode(body)) as Record<string, unknown>;
  const wrong = decode(poolOf(env), "ConfirmSignUp", JSON.stringify({ ...request, ConfirmationCode: NO_CODE }));
  const [was, is] = [operation.needs, wrong.needs];
  if (is.username !== was.username || is.clientId !== was.clientId || is.phantomId !== was.phantomId) {
    wrong.free();
    throw new Error("a request decoded again named another user");
  }
  return wrong;
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
async function read(db: D1Database, needs: Needs): Promise<Lookup> {
  const [clients, users, phantoms, owners] = await db.batch([
    db.prepare("SELECT client_id, secret, prevent_user_existence_errors FROM clients WHERE client_id = ?1")
      .bind(needs.clientId),
    db.prepare("SELECT * FROM users WHERE username = ?1").bind(needs.username),
    db.prepare("SELECT state FROM phantoms WHERE id = ?1").bind(needs.phantomId),
    db.prepare(
      `SELECT (SELECT o.username FROM users o WHERE ?2 AND o.email = u.email AND o.email_verified = 1
                 AND o.username <> u.username) AS email,
              (SELECT o.username FROM users o WHERE ?3 AND o.phone_number = u.phone_number
                 AND o.phone_number_verified = 1 AND o.username <> u.username) AS phone_number
       FROM users u WHERE u.username = ?1`,
    ).bind(needs.username, Number(needs.aliasOwners.email), Number(needs.aliasOwners.phoneNumber)),
  ]);
  const client = clients.results[0] as
    | { client_id: string; secret: string | null; prevent_user_existence_errors: number }
    | undefined;
  const user = users.results[0] as UserRow | undefined;
  const owner = owners.results[0] as { email: string | null; phone_number: string | null } | undefined;
  const flag = (verified: number) => (verified ? "true" : "false");
  return {
    client: client
      ? {
        clientId: client.client_id,
        secret: client.secret,
        preventUserExistenceErrors: client.prevent_user_existence_errors === 1,
      }
      : null,
    user: user
      ? {
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
      }
      : null,
    phantom: (phantoms.results[0] as { state: string } | undefined)?.state ?? null,
    aliasOwners: { email: owner?.email ?? null, phoneNumber: owner?.phone_number ?? null },
  };
}

/**
 * Carries out `write` only if every condition it states holds; false: the request lost a
 * race. A condition is checked by the statement that writes: `WHERE version = ?` (then the
 * statement changed no row), a primary key (an insert conflicts), or the unique index on
 * verified aliases (a constraint fails the batch).
 */
async function write(db: D1Database, write: Write): Promise<boolean> {
  const changed = async (statement: D1PreparedStatement) => (await statement.run()).meta.changes === 1;
  const { target, expected, state, version } = write;
  if (target.kind === "phantom") {
    // With the time the row may be deleted after (Unix seconds): see `scheduled`.
    const { id, pruneAfterUnixSeconds: pruneAfter } = target;
    return changed(
      expected === "absent"
        ? db.prepare(
          "INSERT INTO phantoms (id, state, version, prune_after) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
        ).bind(id, state, version, pruneAfter)
        : db.prepare("UPDATE phantoms SET state = ?2, version = ?3, prune_after = ?4 WHERE id = ?1 AND version = ?5")
          .bind(id, state, version, pruneAfter, expected),
    );
  }
  if (expected === "absent") {
    // SignUp: the row holds the write's attributes too (and, in a real pool, a password hash).
    return changed(
      db.prepare(
        `INSERT INTO users (username, sub, status, email, phone_number, state, version)
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
    );
  }
  // When the previous statement changed nothing, this one fails, and with it the batch.
  const guard = db.prepare("INSERT INTO lost_race (never) SELECT NULL WHERE changes() = 0");
  const statements: D1PreparedStatement[] = [];
  if (write.alias?.kind === "takeFrom") {
    const column = write.alias.attribute;
    statements.push(
      db.prepare(`UPDATE users SET ${column}_verified = 0 WHERE username = ?1 AND ${column} = ?2 AND ${column}_verified = 1`)
        .bind(write.alias.owner, write.alias.value),
      guard,
    );
  }
  statements.push(
    db.prepare(
      `UPDATE users SET state = ?4, version = ?5, status = COALESCE(?6, status),
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
  try {
    await db.batch(statements);
    return true;
  } catch (error) {
    // The guard, or the unique index on verified aliases (`mustBeFree`): a lost race.
    if (String(error).includes("constraint failed")) return false;
    throw error;
  }
}
