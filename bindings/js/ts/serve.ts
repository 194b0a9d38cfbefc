// The embedding loop, carried out once: read what the request needs, spend its guess,
// decide, write with every condition checked (lost: read and decide again), then the
// trigger, the reply, and the code's delivery after the answer.
import {
  type After,
  afterTrigger,
  decode,
  type Lookup,
  type Operation,
  type Pool,
  type Reply,
  type TriggerOutcome,
} from "./confirmation_flow.js";
import {
  addressKey,
  BUDGET_WINDOW_SECONDS,
  CODES_PER_HOUR,
  guessDestination,
  GUESSES_PER_HOUR,
} from "./destinations.js";
import { autoVerified, clientOf, type HandleOptions } from "./options.js";
import type { Budget, Store } from "./store.js";
import { signedIn } from "./tokens.js";

/** 2000-01-01 in milliseconds: the earliest moment the module takes. */
const MILLIS_OF_2000 = 946_684_800_000;
/** How often a request reads and decides again after losing a race. */
const RETRIES = 16;
/**
 * What a submission past its destination's budget is decided with: no code the package
 * makes is this, so it is compared and found wrong, with a wrong code's work and answer,
 * and it spends the user's attempt as a wrong code does.
 */
const NO_CODE = "over-the-destination-budget";

/**
 * A request's decided reply, once its write is stored and the trigger has run (for a
 * sign-in, with the tokens, whose `iss` is `issuedBy`).
 */
export async function serve(
  pool: Pool,
  store: Store,
  options: HandleOptions,
  operation: Operation,
  body: Uint8Array,
  issuedBy: string,
): Promise<Reply> {
  const needs = operation.needs;
  const now = (): Date => {
    const given = options.now?.() ?? new Date();
    if (typeof given !== "number") return given;
    // Milliseconds; a smaller count is seconds (or no moment the module takes).
    if (!(given >= MILLIS_OF_2000)) {
      throw new RangeError(`options.now: ${given} is not milliseconds since 1970 (after 2000): seconds? return Date.now() or a Date`);
    }
    return new Date(given);
  };
  // A ConfirmSignUp whose submission is counted (its outcome writes: the client and its
  // SecretHash passed, the user can still confirm) spends a guess of its destination's
  // budget before the write; past the budget the outcome is dropped unstored and the request
  // decided again as this: the same request with a code that cannot match (a wrong code's
  // answer, work and attempt). A refusal that counts nothing spends nothing.
  let overBudget: Operation | undefined;
  /** Where a guess was spent: once, unless a retry's read names another destination. */
  const spentAt = new Set<string>();
  try {
    for (let attempt = 0; attempt < RETRIES; attempt += 1) {
      if (attempt > 1) await backOff(attempt);
      const lookup: Lookup = { client: clientOf(options, needs.clientId), ...(await store.read(needs)) };
      const outcome = (overBudget ?? operation).decide(lookup, now());
      if (needs.operation === "ConfirmSignUp" && outcome.write && !overBudget) {
        const destination = await guessDestination(lookup, needs, autoVerified(options));
        if (destination !== null && !spentAt.has(destination)) {
          spentAt.add(destination);
          if (!(await store.spend(budget(destination, "guess", now())))) {
            overBudget = withNoCode(pool, operation, body);
            attempt -= 1; // not a lost race: decide again at once, on a new read
            continue;
          }
        }
      }
      if (outcome.write && !(await store.apply(outcome.write))) continue;
      const { reply, after } = outcome.applied(); // the write is stored, or there is none
      if (after.kind === "deliver") {
        const delivering = deliver(store, options, after, now());
        if (options.waitUntil) options.waitUntil(delivering);
      }
      if (after.kind === "signIn") return signedIn(options, issuedBy, reply, after, lookup.user, now());
      if (after.kind !== "postConfirmation" || !options.postConfirmation) return reply;
      return afterTrigger(reply, await trigger(options.postConfirmation, after.event));
    }
    throw new Error(`lost ${RETRIES} races in a row: the store is too contended, or its apply never succeeds`);
  } finally {
    overBudget?.free();
  }
}

/** One unit of `destination`'s `kind` budget, now. */
function budget(destination: string, kind: Budget["kind"], now: Date): Budget {
  const limit = kind === "code" ? CODES_PER_HOUR : GUESSES_PER_HOUR;
  return { destination, kind, limit, windowSeconds: BUDGET_WINDOW_SECONDS, nowUnixSeconds: Math.floor(now.getTime() / 1000) };
}

/** Waits a random while, up to 2^attempt ms (at most 64): racers spread out. */
function backOff(attempt: number): Promise<void> {
  const ms = Math.random() * 2 ** Math.min(attempt, 6);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** How long the trigger may take, as the service gives a Lambda trigger: 5 seconds. */
const TRIGGER_TIMEOUT_MS = 5000;
const TRIGGER_OUTCOMES: readonly string[] = ["succeeded", "functionError", "invocationFailed", "invalidOutput"];

/**
 * The trigger's outcome: what it returned when that is a `TriggerOutcome`, else (nothing,
 * or the event back, as a Lambda trigger returns it) `succeeded`; a throw is the function's
 * error; past 5 seconds, a failed invocation.
 */
async function trigger(
  postConfirmation: NonNullable<HandleOptions["postConfirmation"]>,
  event: Record<string, unknown>,
): Promise<TriggerOutcome> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<TriggerOutcome>((resolve) => {
    timer = setTimeout(() => resolve({ kind: "invocationFailed", reason: "timed out after 5 seconds" }), TRIGGER_TIMEOUT_MS);
  });
  const ran = (async (): Promise<TriggerOutcome> => {
    try {
      const returned: unknown = await postConfirmation(event);
      const kind = (returned as { kind?: unknown } | null | undefined)?.kind;
      return typeof kind === "string" && TRIGGER_OUTCOMES.includes(kind) ? (returned as TriggerOutcome) : { kind: "succeeded" };
    } catch (error) {
      return { kind: "functionError", error: error instanceof Error ? error.message : String(error) };
    }
  })();
  try {
    return await Promise.race([ran, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Hands a code to `options.deliver`, within its destination's budget: past it the code is
 * not delivered (the answer, already made, says nothing of it). Never rejects; a failure is
 * logged without the code or the address.
 */
async function deliver(
  store: Store,
  options: HandleOptions,
  delivery: Extract<After, { kind: "deliver" }>,
  now: Date,
): Promise<void> {
  const { username, destination, code } = delivery;
  try {
    const key = await addressKey(destination.attribute, destination.value);
    if (!(await store.spend(budget(key, "code", now)))) {
      console.log(`a code for ${username} not delivered: its destination has had its codes for this hour`);
      return;
    }
    const sent = await options.deliver({ username, attribute: destination.attribute, destination: destination.value, code });
    // A `fetch` to a mail sender answers; a refusal is not a throw.
    if (sent instanceof Response && !sent.ok) console.error(`the mail sender refused the code for ${username}: ${sent.status}`);
  } catch (error) {
    // What the sender threw, without the code should it repeat it.
    console.error(`the delivery of a code for ${username} failed: ${String(error).replaceAll(code, "<code>")}`);
  }
}

/**
 * `operation`, a ConfirmSignUp, decoded again with its code replaced by one that cannot
 * match; every other member as it was (the package's decoder and `JSON.parse` both keep a
 * repeated member's last value).
 */
function withNoCode(pool: Pool, operation: Operation, body: Uint8Array): Operation {
  const request = JSON.parse(new TextDecoder().decode(body)) as Record<string, unknown>;
  const wrong = decode(pool, "ConfirmSignUp", JSON.stringify({ ...request, ConfirmationCode: NO_CODE }));
  const [was, is] = [operation.needs, wrong.needs];
  if (is.username !== was.username || is.clientId !== was.clientId || is.phantomId !== was.phantomId) {
    wrong.free();
    throw new Error("a request decoded again named another user");
  }
  return wrong;
}
