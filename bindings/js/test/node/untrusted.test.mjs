// Bad input is a typed error, never a trap: thousands of generated bodies, look-ups and
// stored states go through the module, and every throw must be one of the package's
// errors (with an httpStatus), never a WebAssembly.RuntimeError (a Rust panic under
// panic = "abort"). The generator is seeded, so a failure reproduces.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';

import * as lib from '../../pkg/confirmation_flow.js';
import { poolConfig } from '../support/store.mjs';

lib.initSync({ module: await readFile(new URL('../../pkg/confirmation_flow_bg.wasm', import.meta.url)) });

const CASES = Number(process.env.UNTRUSTED_CASES ?? 3000);
const T0 = 1_767_225_600;
const at = (seconds) => new Date(seconds * 1000);
/** Every operation the crate decides, so that the admin one is fed malformed input too. */
const ALL = ['SignUp', 'ConfirmSignUp', 'AdminConfirmSignUp', 'ResendConfirmationCode'];

/** xorshift32: small, seeded, good enough to pick shapes. */
function random(seed) {
  let state = seed >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  const below = (n) => Math.floor(next() * n);
  const pick = (items) => items[below(items.length)];
  return { next, below, pick };
}

const MEMBERS = [
  'ClientId', 'Username', 'ConfirmationCode', 'SecretHash', 'Session', 'ForceAliasCreation', 'UserPoolId',
  'Password', 'UserAttributes', 'ValidationData', 'ClientMetadata', 'AnalyticsMetadata', 'UserContextData', 'Other',
];

function value(r, depth = 0) {
  switch (r.below(depth > 2 ? 6 : 9)) {
    case 0: return null;
    case 1: return r.next() < 0.5;
    case 2: return r.pick([0, -1, 1.5, 2 ** 64, 1e308, Number.MAX_SAFE_INTEGER]);
    case 3: return '';
    case 4: return r.pick(['123456', 'alice', 'a@b.c', '+15555550100', '\u0000', '\ud800', 'é'.repeat(300), 'x'.repeat(5000)]);
    case 5: return String.fromCodePoint(...Array.from({ length: r.below(40) }, () => r.below(0x2fff)));
    case 6: return Array.from({ length: r.below(20) }, () => value(r, depth + 1));
    case 7: return Object.fromEntries(Array.from({ length: r.below(6) }, () => [r.pick(['Name', 'Value', 'k', '']), value(r, depth + 1)]));
    default: return Object.fromEntries(Array.from({ length: r.below(5) }, () => [r.pick(MEMBERS), value(r, depth + 1)]));
  }
}

const VALID = {
  SignUp: { ClientId: 'c', Username: 'alice', Password: 'correct-horse', UserAttributes: [{ Name: 'email', Value: 'alice@example.com' }] },
  ConfirmSignUp: { ClientId: 'c', Username: 'alice', ConfirmationCode: '123456' },
  AdminConfirmSignUp: { UserPoolId: 'us-east-1_edge', Username: 'alice' },
  ResendConfirmationCode: { ClientId: 'c', Username: 'alice' },
  Nope: {},
};

/** A valid body of `name` with a few members replaced, or noise. */
function body(r, name) {
  const object = { ...VALID[name] };
  for (let i = r.below(4); i > 0; i -= 1) object[r.pick(MEMBERS)] = value(r);
  let text = JSON.stringify(object);
  if (r.next() < 0.2) text = text.slice(0, r.below(text.length + 1)); // cut short
  if (r.next() < 0.1) text = String.fromCharCode(...Array.from({ length: r.below(64) }, () => r.below(256)));
  return r.next() < 0.5 ? text : new TextEncoder().encode(text);
}

function state(r, valid) {
  const stored = JSON.parse(valid);
  const fields = Object.keys(stored);
  for (let i = r.below(4); i > 0; i -= 1) {
    const field = r.pick(fields);
    stored[field] = r.next() < 0.5 ? value(r, 2) : (typeof stored[field] === 'number' ? stored[field] + r.below(3) - 1 : stored[field]);
  }
  return r.next() < 0.1 ? JSON.stringify(stored).slice(0, r.below(200)) : JSON.stringify(stored);
}

function lookup(r, valid) {
  const user = {
    username: r.pick(['alice', value(r, 2)]),
    subject: r.pick(['sub-a', '']),
    status: r.pick(['UNCONFIRMED', 'CONFIRMED', 'FORCE_CHANGE_PASSWORD', 'nope']),
    confirmation: state(r, valid),
    email: r.pick([null, 'alice@example.com', '']),
    attributes: r.pick([undefined, { sub: 'sub-a' }, value(r, 2)]),
  };
  return {
    client: r.pick([null, { clientId: 'c' }, { clientId: 'c', secret: 's', preventUserExistenceErrors: true }, value(r, 2)]),
    user: r.pick([null, user, user, value(r, 2)]),
    phantom: r.pick([null, state(r, valid), value(r, 2)]),
    aliasOwners: r.pick([undefined, { email: 'bob' }, value(r, 2)]),
  };
}

function expectTyped(call) {
  try {
    return call();
  } catch (error) {
    assert.ok(!(error instanceof WebAssembly.RuntimeError), `a trap: ${error.stack}`);
    assert.equal(typeof error.httpStatus, 'number', `an untyped error: ${error.stack}`);
    assert.equal(typeof error.body?.__type, 'string');
    return undefined;
  }
}

test(`${CASES} generated requests, look-ups and states: typed errors or outcomes, never a trap`, () => {
  const pool = new lib.Pool(poolConfig());
  const valid = lib.issue(pool, 'sub-a', at(T0)).state;
  const r = random(Number(process.env.UNTRUSTED_SEED ?? 12));
  const seen = { decoded: 0, decided: 0, thrown: 0 };
  for (let i = 0; i < CASES; i += 1) {
    const name = r.pick(['SignUp', 'ConfirmSignUp', 'AdminConfirmSignUp', 'ResendConfirmationCode', 'Nope']);
    const operation = expectTyped(() => lib.decode(pool, name, body(r, name), ALL));
    if (!operation) {
      seen.thrown += 1;
      continue;
    }
    seen.decoded += 1;
    for (let j = 0; j < 3; j += 1) {
      const outcome = expectTyped(() => operation.decide(lookup(r, valid), at(T0 + r.below(200_000))));
      if (outcome) {
        seen.decided += 1;
        const { reply, after } = outcome.applied();
        assert.equal(typeof reply.httpStatus, 'number');
        assert.ok(['nothing', 'deliver', 'postConfirmation'].includes(after.kind));
      }
    }
    operation.free();
    expectTyped(() => lib.readState(state(r, valid), at(T0)));
  }
  // The generator reaches every path: refusals, decodes and decisions.
  assert.ok(seen.decoded > CASES / 20 && seen.decided > 0 && seen.thrown > CASES / 10, JSON.stringify(seen));
  console.log(JSON.stringify(seen));
  // And the module still answers afterwards.
  const operation = lib.decode(pool, 'ConfirmSignUp', '{"ClientId": "c", "Username": "u", "ConfirmationCode": "1"}');
  assert.equal(operation.decide({ client: { clientId: 'c' } }, at(T0)).applied().reply.exception.name, 'UserNotFoundException');
});
