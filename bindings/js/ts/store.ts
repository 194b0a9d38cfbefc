// What `handle` asks of a store, and nothing more: one consistent read, one conditional
// write, one conditional spend. `d1Store` and `memoryStore` are two; `scenarios` holds any
// other to the same promises.
import type { Needs, UserRecord, Write } from "./confirmation_flow.js";

/** What a store read for one request: everything `needs` names, from one consistent read. */
export interface StoredLookup {
  /**
   * The user named by `needs.username`, or `null` when there is none. Its `attributes` hold
   * every attribute the row keeps, as strings, `sub` included and each `email_verified` /
   * `phone_number_verified` as `"true"` or `"false"`: the PostConfirmation event carries
   * them, and the scenarios read them.
   */
  user: UserRecord | null;
  /**
   * When there is no such user: the state stored under `needs.phantomId` (an unknown user's
   * stand-in, so it answers as a user would), or `null`.
   */
  phantom: string | null;
  /**
   * For each attribute `needs.aliasOwners` asks about: the username of the *other* user who
   * holds this user's value of it verified, or `null`.
   */
  aliasOwners: { email: string | null; phoneNumber: string | null };
}

/** One unit of a destination's hourly budget to spend (`Store.spend`). */
export interface Budget {
  /**
   * The budget's key: the hex SHA-256 of an address's canonical form, never the address,
   * or `phantom:` and a phantom's id. At most 80 characters.
   */
  destination: string;
  /** Codes delivered to it, or codes submitted for it. */
  kind: "code" | "guess";
  /** How many units a window holds. */
  limit: number;
  /** A window's length: it starts at its first spend and lasts this long. */
  windowSeconds: number;
  /** Now, in Unix seconds. */
  nowUnixSeconds: number;
}

/**
 * A store `handle` can run on. Every method may be called by many requests at once, from
 * many isolates; each promise below must hold against all of them, in one transaction or
 * one statement. `scenarios` (from `confirmation-flow/scenarios`) tests them.
 */
export interface Store {
  /** Everything `needs` names, from one consistent read (a snapshot, or one transaction). */
  read(needs: Needs): Promise<StoredLookup>;
  /**
   * Stores `write` only if every condition it states still holds, all in one transaction:
   * the row's version is `write.expected` (or no row exists, for `"absent"`); under
   * `write.alias`, the value is verified by nobody else (`mustBeFree`), or is still verified
   * by `owner`, and then the flag of every other user who holds it is cleared (`takeFrom`:
   * one, unless aliases were switched on over users who already shared the value). `true`
   * once stored; `false` when a condition failed (the request lost a race: `handle` reads
   * and decides again).
   *
   * A user's row holds its username, `target.subject` (its `sub`), its status, its email
   * and phone number with their `*_verified` flags, the state and its version; a phantom's
   * row its state, version and `target.pruneAfterUnixSeconds`, after which it may go.
   */
  apply(write: Write): Promise<boolean>;
  /**
   * Spends one unit of `budget`: `true` if one was left. In one statement or transaction,
   * so two requests never take the last unit: when no window is open, or the open one
   * started `windowSeconds` or more ago, a new one starts with one unit spent; otherwise
   * one more is spent only while fewer than `limit` are.
   */
  spend(budget: Budget): Promise<boolean>;
}
