// An in-memory store that honours every condition a `Write` states, the way a database
// transaction would, and the contract's loop over it. Shared by the Node and Deno suites.

/** Users by username, phantoms by id, codes delivered, in memory. */
export class MemoryStore {
  users = new Map();
  phantoms = new Map();
  outbox = [];
  /** Writes refused because a condition no longer held. */
  lostRaces = 0;

  /** One read of everything `needs` asks for. */
  read(needs, client) {
    const user = this.users.get(needs.username) ?? null;
    const owner = (attribute, value) => {
      if (!value) return null;
      for (const [name, row] of this.users) {
        if (name !== needs.username && row[`${attribute}Verified`] && row[attribute] === value) return name;
      }
      return null;
    };
    return {
      client,
      user: user && {
        username: needs.username,
        subject: user.sub,
        status: user.status,
        confirmation: user.state,
        email: user.email ?? null,
        attributes: { sub: user.sub, ...(user.email ? { email: user.email } : {}) },
      },
      phantom: needs.phantomId ? (this.phantoms.get(needs.phantomId)?.state ?? null) : null,
      aliasOwners: {
        email: needs.aliasOwners.email && user ? owner('email', user.email) : null,
      },
    };
  }

  /** Carries out `write` if every condition holds (one transaction); false: a lost race. */
  apply(write) {
    const holds = (row) => (write.expected === 'absent' ? row === undefined : row?.version === write.expected);
    if (write.target.kind === 'phantom') {
      if (!holds(this.phantoms.get(write.target.id))) return this.lost();
      this.phantoms.set(write.target.id, { state: write.state, version: write.version });
      return true;
    }
    // `attributes`: a new user's email and phone number (SignUp), null on an update.
    const { username, subject, attributes } = write.target;
    const row = this.users.get(username);
    if (!holds(row) || (row && row.sub !== subject)) return this.lost();
    if (write.alias) {
      const holder = [...this.users].find(
        ([name, other]) => name !== username && other.emailVerified && other.email === write.alias.value,
      )?.[0];
      if (write.alias.kind === 'mustBeFree' && holder) return this.lost();
      if (write.alias.kind === 'takeFrom') {
        if (holder !== write.alias.owner) return this.lost();
        this.users.get(holder).emailVerified = false;
      }
    }
    const next = row ?? { sub: subject, status: 'UNCONFIRMED', email: attributes?.email ?? undefined, emailVerified: false };
    next.state = write.state;
    next.version = write.version;
    if (write.status) next.status = write.status;
    if (write.verify === 'email') next.emailVerified = true;
    this.users.set(username, next);
    return true;
  }

  lost() {
    this.lostRaces += 1;
    return false;
  }
}

/**
 * The loop, the same for every operation: decode once, look up, decide, write (again after
 * a lost race), answer, deliver. Returns the reply, what followed the write and the outcome
 * they came from.
 */
export function serve(lib, store, pool, client, operationName, body, now) {
  const operation = lib.decode(pool, operationName, JSON.stringify(body));
  try {
    const needs = operation.needs;
    for (let attempt = 0; attempt < 8; attempt += 1) {
      const outcome = operation.decide(store.read(needs, client), now);
      if (outcome.write && !store.apply(outcome.write)) continue;
      let { reply, after } = outcome.applied(); // the write is stored, or there is none
      if (after.kind === 'postConfirmation') reply = lib.afterTrigger(reply, { kind: 'succeeded' });
      if (after.kind === 'deliver') store.outbox.push(after);
      return { reply, after, outcome };
    }
    throw new Error('too many lost races');
  } finally {
    operation.free();
  }
}

/** A 32-byte key whose bytes are all `byte`. */
export const keyBytes = (byte) => new Uint8Array(32).fill(byte);

/**
 * The pool every suite uses: email auto-verified and an alias, Cognito's policy.
 * @returns {import('../../pkg/confirmation_flow.js').PoolConfig}
 */
export function poolConfig(overrides = {}) {
  return {
    region: 'us-east-1',
    userPoolId: 'us-east-1_edge',
    keys: { current: { id: 1, secret: keyBytes(0x42) } },
    autoVerifiedAttributes: ['email'],
    aliasAttributes: ['email'],
    ...overrides,
  };
}
