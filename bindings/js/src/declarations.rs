//! The package's TypeScript declarations for what crosses the boundary as plain objects
//! (`Lookup`, `Outcome`, `Write`, ...) and for the functions whose declarations
//! wasm-bindgen would get wrong: written out once, beside the glue's own (`pkg/
//! confirmation_flow.d.ts`), and checked by `deno check test/deno/types.ts`.

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** An attribute a code goes to and verifies. */
export type AliasAttribute = "email" | "phone_number";

/** A Cognito user status. */
export type UserStatus =
  | "UNCONFIRMED" | "CONFIRMED" | "ARCHIVED" | "COMPROMISED" | "UNKNOWN"
  | "RESET_REQUIRED" | "FORCE_CHANGE_PASSWORD" | "EXTERNAL_PROVIDER";

/**
 * The operations the crate decides. `decode` serves `SignUp`, `ConfirmSignUp` and
 * `ResendConfirmationCode` unless told otherwise; `AdminConfirmSignUp` only when named, and
 * then the caller must authenticate the admin caller itself (no SigV4 is verified here).
 */
export type OperationName =
  | "SignUp" | "ConfirmSignUp" | "AdminConfirmSignUp" | "ResendConfirmationCode" | "InitiateAuth";

/** A session sign-in's members, as `InitiateAuth`'s body carries them (`signIn`). */
export interface SignInRequest {
  /** `ClientId`. */
  clientId: string;
  /** `AuthParameters.USERNAME`. */
  username: string;
  /** `AuthParameters.SECRET_HASH`, when the client has a secret. */
  secretHash?: string | null;
  /** `Session`, as `ConfirmSignUp` answered with it. */
  session: string;
}

/** A server key: an id (stored with every tag it makes) and 32 secret bytes. */
export interface ServerKey {
  id: number;
  secret: Uint8Array;
}

/** A policy; every member defaults to Cognito's number. */
export interface PolicyConfig {
  codeTtlSeconds?: number;
  codeLength?: number;
  alphabet?: "digits" | "crockfordBase32";
  attemptsPerCode?: number;
  submissionsPerWindow?: number;
  resendsPerWindow?: number;
  windowSeconds?: number;
}

/** A user pool, fixed per deployment. */
export interface PoolConfig {
  /** The region named in trigger events, e.g. `us-east-1`. */
  region: string;
  /** The pool's id, e.g. `us-east-1_EXAMPLE`. */
  userPoolId: string;
  /** The current key (new tags, sessions, phantom ids) and the older ones still in use. */
  keys: { current: ServerKey; older?: ServerKey[] };
  /** `AutoVerifiedAttributes`: where codes go (the phone first). */
  autoVerifiedAttributes: AliasAttribute[];
  /** `AliasAttributes`: a verified value of these is unique in the pool. Default none. */
  aliasAttributes?: AliasAttribute[];
  /** Code lifetime, attempts and rate windows. Default Cognito's. */
  policy?: PolicyConfig;
}

/** What to look up before `decide`, all from one consistent read if the store can. */
export interface Needs {
  operation: OperationName;
  /** The app client to look up; `null` for admin operations. */
  clientId: string | null;
  /** The user to look up, by username. */
  username: string;
  /** When the user does not exist: the phantom state to look up under this id. */
  phantomId: string | null;
  /** For which attributes to look up the *other* user who has this user's value verified. */
  aliasOwners: { email: boolean; phoneNumber: boolean };
}

/** The app client, as the caller's store has it. */
export interface AppClientRecord {
  clientId: string;
  /** The client secret, if the client has one (then every request needs a SecretHash). */
  secret?: string | null;
  /** `PreventUserExistenceErrors` = `ENABLED`: unknown users are answered as phantoms. */
  preventUserExistenceErrors?: boolean;
  /**
   * With `ALLOW_USER_AUTH` among the client's flows: its `AuthSessionValidity`, 3 to 15
   * minutes. `SignUp` then answers with a `Session`, which a `ConfirmSignUp` with the right
   * code turns into a sign-in session. Absent: the client hands out neither.
   */
  authSessionMinutes?: number | null;
}

/** The user, as the caller's store has it. */
export interface UserRecord {
  username: string;
  /** The stable id bound into the user's code tags (Cognito's `sub`). */
  subject: string;
  status: UserStatus;
  /** The stored state's JSON, exactly as a write stored it. */
  confirmation: string;
  email?: string | null;
  phoneNumber?: string | null;
  /** Every stored attribute, for the PostConfirmation event. */
  attributes?: Record<string, string> | null;
}

/** Everything looked up for one request, as `Needs` asked. */
export interface Lookup {
  client?: AppClientRecord | null;
  user?: UserRecord | null;
  /** When the user does not exist: the state stored under `Needs.phantomId`, if any. */
  phantom?: string | null;
  /** Who else holds the user's email or phone number as a verified alias. */
  aliasOwners?: { email?: string | null; phoneNumber?: string | null } | null;
}

/** The row a write targets. */
export type WriteTarget =
  | {
      kind: "user";
      username: string;
      subject: string;
      /**
       * On insert (`SignUp`, `expected: "absent"`): the email and phone number the new row
       * holds, as sent and already format-checked. `null` on every other write, which leaves
       * the row's attributes as they are.
       */
      attributes: { email: string | null; phoneNumber: string | null } | null;
    }
  | {
      kind: "phantom";
      id: string;
      /**
       * When the row may be deleted, in Unix seconds: its code has expired and its rate
       * windows have passed. Store it with the row and delete the rows past it now and then.
       */
      pruneAfterUnixSeconds: number;
    };

/** The condition on an alias the write verifies. */
export type AliasClaim =
  | { kind: "mustBeFree"; attribute: AliasAttribute; value: string }
  | { kind: "takeFrom"; attribute: AliasAttribute; value: string; owner: string };

/** One row to write, and every condition to check in the same transaction. */
export interface Write {
  target: WriteTarget;
  /** The version the row must still hold (compare-and-swap), or "absent": insert. */
  expected: number | "absent";
  /** The new state's JSON, to store as it is. */
  state: string;
  /** The new state's version: the row's new version. */
  version: number;
  /** The user's new status, when it changes. */
  status: UserStatus | null;
  /** Set this attribute's `*_verified` flag on the row. */
  verify: AliasAttribute | null;
  /** The alias condition: the value must still be free, or is taken from its owner. */
  alias: AliasClaim | null;
}

/** An AWS JSON 1.1 error body. */
export interface ErrorBody {
  __type: string;
  message: string;
}

/** A Cognito exception: its `__type`, message and the HTTP status to answer with. */
export interface CognitoException {
  name: string;
  message: string;
  httpStatus: number;
}

/** What to answer: always `body` with `httpStatus`. */
export type Reply =
  | { kind: "success"; httpStatus: 200; body: Record<string, unknown> }
  | { kind: "exception"; httpStatus: number; exception: CognitoException; body: ErrorBody };

/** What follows a successful write. */
export type After =
  | { kind: "nothing" }
  | {
      kind: "deliver";
      username: string;
      destination: { attribute: AliasAttribute; value: string };
      /** The code: deliver it, then forget it. */
      code: string;
    }
  | {
      kind: "postConfirmation";
      /** The trigger's event, in the service's JSON shape. */
      event: Record<string, unknown>;
    }
  | {
      kind: "signIn";
      /** Who signed in, with a session from `signIn`: mint their tokens, answer with them. */
      username: string;
      subject: string;
      clientId: string;
    };

/**
 * One decision, whose order is its API. Store `write` (if any) in one transaction checking
 * every condition; if one fails, the request lost a race: drop this outcome, look up and
 * decide again. Only then does `applied()` give the reply and what follows: the trigger of
 * a `postConfirmation` (then `afterTrigger`); answer with `reply`; deliver a code.
 */
export interface Outcome {
  /** What to store; `null` when the request changes nothing. */
  readonly write: Write | null;
  /**
   * The reply and what follows it. Call it once `write` is stored, or when there is none;
   * after a lost race, drop the outcome instead. It needs no `this`, so it may be
   * destructured with `write`.
   */
  readonly applied: () => { reply: Reply; after: After };
}

/** What the caller saw when it invoked the PostConfirmation trigger. */
export type TriggerOutcome =
  | { kind: "succeeded" }
  | { kind: "functionError"; error: string }
  | { kind: "invocationFailed"; reason: string }
  | { kind: "invalidOutput" };

/** A new code and the state holding its tag. */
export interface Issued {
  /** The state's JSON, to store. */
  state: string;
  /** The code, to deliver and forget. */
  code: string;
}

/** What a stored state says (its tags left out). */
export interface StateInfo {
  status: "pending" | "code_mismatch" | "confirmed" | "expired" | "too_many_attempts";
  /** The status at the time asked about (a pending code past its deadline is expired). */
  statusAt: "pending" | "code_mismatch" | "confirmed" | "expired" | "too_many_attempts";
  version: number;
  keyId: number;
  /** When the code was issued, in Unix seconds. */
  issuedAtUnixSeconds: number;
  /** The code's deadline, in Unix seconds. */
  expiresAtUnixSeconds: number;
  /** The last change, in Unix seconds. */
  lastChangedAtUnixSeconds: number;
  attemptsUsed: number;
}

/**
 * Every error this package throws. `name` is the AWS `__type` for faults of the request
 * (`InvalidParameterException`, `SerializationException`, `UnknownOperationException`),
 * else `StateError`, `TypeError`, `RangeError` (a moment that is not a valid `Date` from
 * 2000 to 9999), `ConfigError`, `RandomnessError` or `UnsupportedError`.
 * Answer with `body` and `httpStatus`: for faults that are not the request's, they say
 * only `InternalErrorException` / 500; the details are in `message`, for the log.
 */
export interface FlowError extends Error {
  httpStatus: number;
  body: ErrorBody;
}

/**
 * Decodes `body` (the AWS JSON 1.1 request body, text or bytes) as a request of
 * `operation` — its name, `ConfirmSignUp`, or the whole `X-Amz-Target` header — and
 * validates it once, for `pool`.
 *
 * `serves` lists the operations the caller serves, by bare name; by default `SignUp`,
 * `ConfirmSignUp` and `ResendConfirmationCode`. An operation outside it is refused before
 * the body is read, under either spelling, exactly as an operation the crate does not
 * know: `UnknownOperationException`. List `AdminConfirmSignUp` only behind your own
 * authentication of the admin caller (the service asks for a SigV4-signed request; this
 * package checks no signature): served to anyone, it confirms any user without a code.
 *
 * Throws `UnknownOperationException`, `SerializationException` (not a JSON object of the
 * operation's shape) or `InvalidParameterException` (members that break the service
 * model), each with `httpStatus` 400 and the `body` to answer with; a `TypeError` for a
 * `serves` that is not an array of operation names.
 */
export function decode(
  pool: Pool,
  operation: string,
  body: string | Uint8Array,
  serves?: readonly OperationName[] | null,
): Operation;
"#;
