// `handle`'s options: what a deployment fixes once (the pool, its keys and app clients),
// checked and turned into the package's `Pool` once per isolate.
import {
  type AliasAttribute,
  type AppClientRecord,
  Pool,
  type PolicyConfig,
  type TriggerOutcome,
} from "./confirmation_flow.js";

/**
 * The operations `handle` may serve: the public ones, which need no AWS credentials
 * (`InitiateAuth` only with a `signingKey`, and only its session sign-in).
 */
export type PublicOperation = "SignUp" | "ConfirmSignUp" | "ResendConfirmationCode" | "InitiateAuth";

/** A server key as secrets keep it: an id (stored with every tag) and 32 bytes in base64. */
export interface Base64Key {
  id: number;
  /** 32 random bytes, base64 (`openssl rand -base64 32`). */
  secret: string;
}

/** An app client of the pool. */
export interface AppClient {
  clientId: string;
  /** The client's secret, if it has one: then every request must carry a `SecretHash`. */
  secret?: string | null;
  /**
   * `PreventUserExistenceErrors`: unknown users are answered as users with a code would
   * be (a phantom). Default `true`, as the service's console creates clients.
   */
  preventUserExistenceErrors?: boolean;
  /**
   * With `ALLOW_USER_AUTH`: the client's `AuthSessionValidity`, 3 to 15 minutes. `SignUp`
   * then answers with a `Session` that a confirmation turns into a sign-in session.
   */
  authSessionMinutes?: number | null;
}

/** A code to deliver, by email or SMS, and then forget (it is never stored). */
export interface Delivery {
  username: string;
  attribute: AliasAttribute;
  /** The address or phone number. */
  destination: string;
  code: string;
}

/** Everything `handle` needs besides the request and the store. */
export interface HandleOptions {
  /** The pool's id, e.g. `us-east-1_EXAMPLE`. */
  userPoolId: string;
  /** The region named in trigger events; default the part of `userPoolId` before `_`. */
  region?: string;
  /** The current key (new codes, sessions, phantom ids) and older ones still in use. */
  keys: { current: Base64Key; older?: readonly Base64Key[] };
  /**
   * The pool's app clients, or that list as JSON text (as a Worker's variable or secret
   * holds it: a malformed one is then a logged 500, not an uncaught throw); a request
   * naming any other client is refused.
   */
  clients: readonly AppClient[] | string;
  /** `AutoVerifiedAttributes`: where codes go (the phone first). Default `["email"]`. */
  autoVerifiedAttributes?: readonly AliasAttribute[];
  /** `AliasAttributes`: a verified value of these belongs to one user. Default none. */
  aliasAttributes?: readonly AliasAttribute[];
  /** Code lifetime, attempts and rate windows; default the service's. */
  policy?: PolicyConfig;
  /**
   * Sends a code. Called after the answer is made, within the destination's hourly budget
   * (past it the code is dropped, and the answer does not say so); its failure is logged
   * without the code or the address.
   */
  deliver(delivery: Delivery): unknown;
  /**
   * Keeps the delivery running once the answer is returned: in a Worker,
   * `(promise) => ctx.waitUntil(promise)`. Without it, the delivery runs unawaited.
   */
  waitUntil?(promise: Promise<unknown>): void;
  /**
   * The PostConfirmation trigger, given the service's event once a user is confirmed.
   * What it returns (or a throw, as `functionError`) decides the answer, as the service
   * does; the user stays confirmed either way. Default: none.
   */
  postConfirmation?(event: Record<string, unknown>): Promise<TriggerOutcome | void> | TriggerOutcome | void;
  /** The operations served; default all four. Any other is `UnknownOperationException`. */
  serves?: readonly PublicOperation[];
  /** Browser origins allowed (CORS), e.g. `["https://app.example.com"]`; default `["*"]`. */
  allowedOrigins?: readonly string[];
  /** The largest request body read, in bytes; default 65,536, as the example server. */
  maxBodyBytes?: number;
  /** The clock, a `Date` or milliseconds (never seconds): default the runtime's. For tests. */
  now?(): Date | number;
  /**
   * The key that signs tokens: an RSA private key, PKCS #8 in base64 or PEM (a secret:
   * `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 | openssl pkcs8 -topk8
   * -nocrypt -outform DER | base64 -w0`). With it, `InitiateAuth` with `USER_AUTH` and the
   * `Session` a `ConfirmSignUp` answered with signs the user in (for a client with
   * `authSessionMinutes`), and `GET /<userPoolId>/.well-known/jwks.json` answers the key set.
   */
  signingKey?: string;
  /**
   * The tokens' `iss`; default where the pool answers: the request's origin and
   * `/<userPoolId>`, whose `/.well-known/` documents `handle` serves. Another issuer must
   * serve them itself for verifiers that discover keys from `iss`.
   */
  issuer?: string;
}

const PUBLIC: readonly string[] = ["SignUp", "ConfirmSignUp", "ResendConfirmationCode", "InitiateAuth"];

/** Pools by their settings: built once per isolate, as keys are checked and expanded. */
const pools = new Map<string, Pool>();
/** More distinct settings than this in one isolate is a misuse; the cache starts over. */
const POOLS_KEPT = 8;

/**
 * The `Pool` for these options, built on first use.
 *
 * # Errors
 * `TypeError` for a key that is not 32 bytes of base64; `ConfigError` for settings the
 * package refuses.
 */
export function poolOf(options: HandleOptions): Pool {
  const settings = {
    region: options.region ?? options.userPoolId.split("_")[0] ?? "",
    userPoolId: options.userPoolId,
    keys: options.keys,
    autoVerifiedAttributes: autoVerified(options),
    aliasAttributes: options.aliasAttributes ?? [],
    policy: options.policy,
  };
  const id = JSON.stringify(settings);
  let pool = pools.get(id);
  if (!pool) {
    const key = ({ id, secret }: Base64Key, at: string) => ({ id, secret: keyBytes(secret, at) });
    pool = new Pool({
      region: settings.region,
      userPoolId: settings.userPoolId,
      autoVerifiedAttributes: [...settings.autoVerifiedAttributes],
      aliasAttributes: [...settings.aliasAttributes],
      keys: {
        current: key(options.keys.current, "keys.current"),
        older: (options.keys.older ?? []).map((older, index) => key(older, `keys.older[${index}]`)),
      },
      ...(options.policy === undefined ? {} : { policy: options.policy }),
    });
    if (pools.size >= POOLS_KEPT) pools.clear();
    pools.set(id, pool);
  }
  return pool;
}

/** `AutoVerifiedAttributes`, with its default. */
export function autoVerified(options: HandleOptions): readonly AliasAttribute[] {
  return options.autoVerifiedAttributes ?? ["email"];
}

/** 32 bytes from their base64, or a `TypeError` naming `at` (never the secret). */
function keyBytes(base64: unknown, at: string): Uint8Array {
  let binary: string;
  try {
    if (typeof base64 !== "string") throw new TypeError();
    binary = atob(base64);
  } catch {
    throw new TypeError(`${at}.secret: expected a string of base64`);
  }
  if (binary.length !== 32) throw new TypeError(`${at}.secret: expected 32 bytes, got ${binary.length}`);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** The app client named, as a look-up carries it, or `null`. */
export function clientOf(options: HandleOptions, clientId: string | null): AppClientRecord | null {
  const client = clientsOf(options.clients).find((candidate) => candidate.clientId === clientId);
  if (!client) return null;
  return {
    clientId: client.clientId,
    secret: client.secret ?? null,
    preventUserExistenceErrors: client.preventUserExistenceErrors ?? true,
    authSessionMinutes: client.authSessionMinutes ?? null,
  };
}

/**
 * The operations served, checked: only public ones.
 *
 * # Errors
 * `TypeError` naming an operation that needs AWS credentials (`AdminConfirmSignUp`):
 * `handle` checks no SigV4 signature, and served to anyone it would confirm any user.
 */
export function served(options: HandleOptions): PublicOperation[] {
  const serves = options.serves ?? (PUBLIC as PublicOperation[]);
  for (const name of serves) {
    if (!PUBLIC.includes(name)) {
      throw new TypeError(`serves: ${String(name)} is not served by handle (it needs a SigV4-signed caller)`);
    }
  }
  return [...serves];
}

/** The last lists of clients read from JSON, by their text. */
const parsedClients = new Map<string, readonly AppClient[]>();

/**
 * `clients`, read from its JSON when it is text (once per text and isolate).
 *
 * # Errors
 * `TypeError` for text that is not JSON (its shape is `checkOptions`'s to check).
 */
export function clientsOf(clients: readonly AppClient[] | string): readonly AppClient[] {
  if (typeof clients !== "string") return clients;
  let parsed = parsedClients.get(clients);
  if (!parsed) {
    try {
      parsed = JSON.parse(clients) as readonly AppClient[];
    } catch {
      throw new TypeError("options.clients: expected an array, or its JSON text (this text is not JSON)");
    }
    if (parsedClients.size >= POOLS_KEPT) parsedClients.clear();
    parsedClients.set(clients, parsed);
  }
  return parsed;
}
