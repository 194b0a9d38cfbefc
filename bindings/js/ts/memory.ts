// `memoryStore()`: the package's `Store` in an isolate's memory, for tests and local runs
// (Node, Deno). It keeps every promise of `Store` within one isolate: each method runs to
// its end without awaiting, so none interleaves with another.
import type { AliasAttribute, Needs, UserStatus, Write } from "./confirmation_flow.js";
import type { Budget, Store, StoredLookup } from "./store.js";

interface UserRow {
  sub: string;
  status: UserStatus;
  email: string | null;
  phoneNumber: string | null;
  verified: Record<AliasAttribute, boolean>;
  state: string;
  version: number;
}

/**
 * A `Store` in memory: users, phantoms and budgets in `Map`s, gone with the isolate. Not for
 * a Worker: each isolate would keep users, attempts and budgets of its own, so a username
 * could be taken once per isolate and a code guessed 5 times per isolate.
 */
export function memoryStore(): Store {
  const users = new Map<string, UserRow>();
  const phantoms = new Map<string, { state: string; version: number }>();
  const budgets = new Map<string, { windowStart: number; spent: number }>();
  const value = (row: UserRow, attribute: AliasAttribute) => (attribute === "email" ? row.email : row.phoneNumber);
  /** The other user holding `row`'s `attribute` verified. */
  const owner = (username: string, row: UserRow, attribute: AliasAttribute): string | null => {
    const wanted = value(row, attribute);
    if (wanted === null) return null;
    for (const [name, other] of users) {
      if (name !== username && other.verified[attribute] && value(other, attribute) === wanted) return name;
    }
    return null;
  };
  return {
    read(needs: Needs): Promise<StoredLookup> {
      const row = users.get(needs.username);
      const flag = (verified: boolean) => (verified ? "true" : "false");
      return Promise.resolve({
        user: row
          ? {
            username: needs.username,
            subject: row.sub,
            status: row.status,
            confirmation: row.state,
            email: row.email,
            phoneNumber: row.phoneNumber,
            attributes: {
              sub: row.sub,
              ...(row.email === null ? {} : { email: row.email, email_verified: flag(row.verified.email) }),
              ...(row.phoneNumber === null
                ? {}
                : { phone_number: row.phoneNumber, phone_number_verified: flag(row.verified.phone_number) }),
            },
          }
          : null,
        phantom: needs.phantomId === null ? null : (phantoms.get(needs.phantomId)?.state ?? null),
        aliasOwners: {
          email: row && needs.aliasOwners.email ? owner(needs.username, row, "email") : null,
          phoneNumber: row && needs.aliasOwners.phoneNumber ? owner(needs.username, row, "phone_number") : null,
        },
      });
    },

    apply(write: Write): Promise<boolean> {
      const { target, expected, state, version } = write;
      if (target.kind === "phantom") {
        const row = phantoms.get(target.id);
        if (expected === "absent" ? row !== undefined : row?.version !== expected) return Promise.resolve(false);
        phantoms.set(target.id, { state, version });
        return Promise.resolve(true);
      }
      const row = users.get(target.username);
      if (expected === "absent") {
        if (row !== undefined || [...users.values()].some((other) => other.sub === target.subject)) {
          return Promise.resolve(false);
        }
        users.set(target.username, {
          sub: target.subject,
          status: write.status ?? "UNCONFIRMED",
          email: target.attributes?.email ?? null,
          phoneNumber: target.attributes?.phoneNumber ?? null,
          verified: { email: false, phone_number: false },
          state,
          version,
        });
        return Promise.resolve(true);
      }
      if (!row || row.sub !== target.subject || row.version !== expected) return Promise.resolve(false);
      // The alias claim, as `d1Store` checks it: `mustBeFree` fails when any other user
      // holds the value verified; `takeFrom` fails unless `owner` still does, and clears the
      // flag of every other holder (one, unless aliases were switched on over users who
      // already shared a value).
      const alias = write.alias;
      const others = alias ? holders(alias.attribute, alias.value).filter((name) => name !== target.username) : [];
      if (alias?.kind === "mustBeFree" && others.length > 0) return Promise.resolve(false);
      if (alias?.kind === "takeFrom") {
        if (!others.includes(alias.owner)) return Promise.resolve(false);
        for (const name of others) {
          const from = users.get(name);
          if (from) from.verified[alias.attribute] = false;
        }
      }
      row.state = state;
      row.version = version;
      if (write.status) row.status = write.status;
      if (write.verify) row.verified[write.verify] = true;
      return Promise.resolve(true);
    },

    spend(budget: Budget): Promise<boolean> {
      const key = `${budget.kind}\0${budget.destination}`;
      const row = budgets.get(key);
      if (!row || budget.nowUnixSeconds - row.windowStart >= budget.windowSeconds) {
        budgets.set(key, { windowStart: budget.nowUnixSeconds, spent: 1 });
        return Promise.resolve(true);
      }
      if (row.spent >= budget.limit) return Promise.resolve(false);
      row.spent += 1;
      return Promise.resolve(true);
    },
  };

  /** Every user holding `attribute` = `wanted` verified. */
  function holders(attribute: AliasAttribute, wanted: string): string[] {
    const names = [];
    for (const [name, row] of users) {
      if (row.verified[attribute] && value(row, attribute) === wanted) names.push(name);
    }
    return names;
  }
}
