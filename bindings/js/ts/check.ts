// `checkOptions`: `handle`'s options checked whole, as strictly as the module checks a pool's
// policy: in plain JavaScript (or from `JSON.parse`) a misspelt option must not quietly mean
// its default, as `clientSecret` for `secret` would leave a client public, or `allowedOrigin`
// would allow every origin.
import { clientsOf, type HandleOptions } from "./options.js";

const OPTIONS = [
  "userPoolId", "region", "keys", "clients", "autoVerifiedAttributes", "aliasAttributes", "policy",
  "deliver", "waitUntil", "postConfirmation", "serves", "allowedOrigins", "maxBodyBytes", "now",
  "signingKey", "issuer",
];
const CLIENT = ["clientId", "secret", "preventUserExistenceErrors", "authSessionMinutes"];
/** The service's pattern for a pool's id. */
const POOL_ID = /^[\w-]+_[0-9a-zA-Z]+$/;
/** The most `maxBodyBytes` may be: the body is read whole before it is decoded. */
const MAX_BODY_LIMIT = 1024 * 1024;

/**
 * Checks `handle`'s options: every member known and of its type, `deliver` given. `handle`
 * runs it on every request; call it at start-up, or in a test, to fail sooner.
 *
 * # Errors
 * `TypeError` naming the member (never a secret's value).
 */
export function checkOptions(options: HandleOptions): void {
  const given = record(options, "options", OPTIONS);
  const poolId = given["userPoolId"];
  if (typeof poolId !== "string" || poolId.length > 55 || !POOL_ID.test(poolId)) {
    fail("options.userPoolId", "a pool id like us-east-1_EXAMPLE");
  }
  optional(given, "region", "string");
  optional(given, "signingKey", "string");
  if (given["signingKey"] === "") fail("options.signingKey", "an RSA private key, or no member at all");
  if (given["signingKey"] === undefined && Array.isArray(given["serves"]) && given["serves"].includes("InitiateAuth")) {
    fail("options.serves", "InitiateAuth only with a signingKey (it signs the tokens)");
  }
  optional(given, "issuer", "string");
  const keys = record(given["keys"], "options.keys", ["current", "older"]);
  key(keys["current"], "options.keys.current");
  if (keys["older"] !== undefined) list(keys["older"], "options.keys.older").forEach((older, i) => key(older, `options.keys.older[${i}]`));
  const ids = new Set<string>();
  const clients = typeof given["clients"] === "string" ? clientsOf(given["clients"]) : given["clients"];
  list(clients, "options.clients").forEach((value, i) => {
    const at = `options.clients[${i}]`;
    const client = record(value, at, CLIENT);
    const id = client["clientId"];
    if (typeof id !== "string" || id === "") fail(`${at}.clientId`, "a string");
    if (ids.has(id)) fail(`${at}.clientId`, `a client id named once (${id} is named twice)`);
    ids.add(id);
    if (client["secret"] !== undefined && client["secret"] !== null && typeof client["secret"] !== "string") {
      fail(`${at}.secret`, "a string or null");
    }
    optional(client, "preventUserExistenceErrors", "boolean", at);
    if (!["undefined", "number"].includes(typeof client["authSessionMinutes"]) && client["authSessionMinutes"] !== null) {
      fail(`${at}.authSessionMinutes`, "a number of minutes or null");
    }
    // A session handed out that nothing can redeem would leave Amplify's autoSignIn failing.
    if (typeof client["authSessionMinutes"] === "number" && !given["signingKey"]) {
      fail(`${at}.authSessionMinutes`, "a signingKey to redeem the sessions with (none is set)");
    }
  });
  for (const name of ["autoVerifiedAttributes", "aliasAttributes", "serves"]) {
    if (given[name] !== undefined) list(given[name], `options.${name}`);
  }
  if (typeof given["deliver"] !== "function") fail("options.deliver", "a function that sends a code");
  for (const name of ["waitUntil", "postConfirmation", "now"]) optional(given, name, "function");
  if (given["allowedOrigins"] !== undefined) {
    list(given["allowedOrigins"], "options.allowedOrigins").forEach((origin, i) => {
      if (origin !== "*" && !isOrigin(origin)) {
        fail(`options.allowedOrigins[${i}]`, `"*" or an origin like "https://app.example.com" (no path, no trailing /)`);
      }
    });
  }
  const limit = given["maxBodyBytes"];
  if (limit !== undefined && !(Number.isSafeInteger(limit) && (limit as number) > 0 && (limit as number) <= MAX_BODY_LIMIT)) {
    fail("options.maxBodyBytes", `a whole number of bytes from 1 to ${MAX_BODY_LIMIT}`);
  }
}

function fail(at: string, expected: string): never {
  throw new TypeError(`${at}: expected ${expected}`);
}

/** `value` as an object of no members but `known`. */
function record(value: unknown, at: string, known: readonly string[]): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail(at, "an object");
  for (const name of Object.keys(value)) {
    if (!known.includes(name)) fail(`${at}.${name}`, `no such member: one of ${known.join(", ")}`);
  }
  return value as Record<string, unknown>;
}

function list(value: unknown, at: string): unknown[] {
  if (!Array.isArray(value)) fail(at, "an array");
  return value;
}

function optional(given: Record<string, unknown>, name: string, type: string, at = "options"): void {
  if (given[name] !== undefined && typeof given[name] !== type) fail(`${at}.${name}`, `a ${type}`);
}

/** A key's shape; its bytes are checked when the pool is built. */
function key(value: unknown, at: string): void {
  const given = record(value, at, ["id", "secret"]);
  if (!Number.isSafeInteger(given["id"])) fail(`${at}.id`, "a whole number");
  if (typeof given["secret"] !== "string") fail(`${at}.secret`, "32 bytes in base64, a string");
}

/** Whether `text` is an origin as a browser sends it: scheme, host and port, nothing more. */
function isOrigin(text: unknown): boolean {
  if (typeof text !== "string") return false;
  try {
    return new URL(text).origin === text;
  } catch {
    return false;
  }
}
