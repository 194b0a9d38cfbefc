// Bad input is a typed error, never a trap: thousands of generated bodies, look-ups and
// stored states go through the module, and every throw must be one of the package's
// errors (with an httpStatus), never a WebAssembly.RuntimeError (a Rust panic under
// panic = "abort"). The generator is seeded, so a failure reproduces.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';

import * as lib from '../../pkg/confirmation_flow.js';
import { poolConfig } from '../support/store.mjs';
import { body, random, value } from '../support/untrusted.mjs';

lib.initSync({ module: await readFile(new URL('../../pkg/confirmation_flow_bg.wasm', import.meta.url)) });

const CASES = Number(process.env.UNTRUSTED_CASES ?? 3000);
const T0 = 1_767_225_600;
const at = (seconds) => new Date(seconds * 1000);
/** Every operation the crate decides, so that the admin one is fed malformed input too. */
const ALL = ['SignUp', 'ConfirmSignUp', 'AdminConfirmSignUp', 'ResendConfirmationCode'];

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
