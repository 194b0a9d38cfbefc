// The package in Node, loaded from bytes with initSync as an edge runtime would: the
// contract's loop over an in-memory store, every error's shape, SecretHash, issue and
// stored state, and where randomness comes from.
import assert from 'node:assert/strict';
import { createHmac, webcrypto } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';

import * as lib from '../../pkg/confirmation_flow.js';
import { MemoryStore, keyBytes, poolConfig, serve } from '../support/store.mjs';

lib.initSync({ module: await readFile(new URL('../../pkg/confirmation_flow_bg.wasm', import.meta.url)) });

const T0 = 1_767_225_600;
/** The moment `seconds` after the Unix epoch: the package takes time as a Date only. */
const at = (seconds) => new Date(seconds * 1000);
const CLIENT = { clientId: 'edgeclient', preventUserExistenceErrors: true };

function signedUp(store, pool, username = 'alice', email = 'alice@example.com', client = CLIENT) {
  const { reply, outcome } = serve(lib, store, pool, client, 'SignUp', {
    ClientId: client.clientId,
    Username: username,
    Password: 'correct-horse',
    UserAttributes: [{ Name: 'email', Value: email }],
  }, at(T0));
  assert.equal(reply.kind, 'success');
  // The insert carries the row's attributes: nothing is taken from the request.
  assert.deepEqual(outcome.write.target.attributes, { email, phoneNumber: null });
  return store.outbox.at(-1).code;
}

const confirm = (store, pool, username, code, now = T0 + 60, client = CLIENT, extra = {}) =>
  serve(lib, store, pool, client, 'ConfirmSignUp', {
    ClientId: client.clientId, Username: username, ConfirmationCode: code, ...extra,
  }, at(now));

function thrown(call) {
  try {
    call();
  } catch (error) {
    return error;
  }
  assert.fail('expected the call to throw');
}

test('sign up, then confirm: the loop writes, answers and hands over the trigger event', () => {
  const pool = new lib.Pool(poolConfig());
  const store = new MemoryStore();
  const code = signedUp(store, pool);
  assert.match(code, /^\d{6}$/);
  const delivered = store.outbox.at(-1);
  assert.deepEqual(delivered.destination, { attribute: 'email', value: 'alice@example.com' });
  const alice = store.users.get('alice');
  assert.equal(alice.status, 'UNCONFIRMED');
  assert.match(alice.sub, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

  const { reply, after, outcome } = confirm(store, pool, 'alice', code);
  assert.deepEqual(reply, { kind: 'success', httpStatus: 200, body: {} });
  assert.equal(outcome.write.expected, 1);
  assert.equal(outcome.write.version, 2);
  assert.deepEqual(outcome.write.target, { kind: 'user', username: 'alice', subject: alice.sub, attributes: null });
  assert.equal(outcome.write.status, 'CONFIRMED');
  assert.equal(outcome.write.verify, 'email');
  assert.deepEqual(outcome.write.alias, { kind: 'mustBeFree', attribute: 'email', value: 'alice@example.com' });
  assert.equal(after.kind, 'postConfirmation');
  assert.equal(after.event.triggerSource, 'PostConfirmation_ConfirmSignUp');
  assert.equal(after.event.request.userAttributes.email_verified, 'true');
  assert.equal(store.users.get('alice').status, 'CONFIRMED');
  assert.equal(lib.readState(store.users.get('alice').state, at(T0 + 60)).status, 'confirmed');
  // The code is never stored: only its keyed tag is.
  assert.ok(!store.users.get('alice').state.includes(code));
});

test('a wrong code is counted before it is compared, and the right one still confirms', () => {
  const pool = new lib.Pool(poolConfig());
  const store = new MemoryStore();
  const code = signedUp(store, pool);
  const wrong = code === '000000' ? '111111' : '000000';
  const { reply, outcome } = confirm(store, pool, 'alice', wrong);
  assert.equal(reply.kind, 'exception');
  assert.equal(reply.httpStatus, 400);
  assert.deepEqual(reply.exception, {
    name: 'CodeMismatchException',
    message: 'Invalid verification code provided, please try again.',
    httpStatus: 400,
  });
  assert.deepEqual(reply.body, { __type: 'CodeMismatchException', message: reply.exception.message });
  assert.equal(outcome.write.expected, 1, 'the attempt is written with compare-and-swap');
  assert.equal(outcome.write.status, null);
  assert.equal(lib.readState(store.users.get('alice').state, at(T0 + 60)).attemptsUsed, 1);
  assert.equal(confirm(store, pool, 'alice', code).reply.kind, 'success');
});

test('five wrong codes kill the code; then TooManyFailedAttempts, even for the right one', () => {
  const pool = new lib.Pool(poolConfig());
  const store = new MemoryStore();
  const code = signedUp(store, pool);
  const wrong = code === '000000' ? '111111' : '000000';
  for (let attempt = 1; attempt <= 5; attempt += 1) {
    assert.equal(confirm(store, pool, 'alice', wrong, T0 + attempt).reply.exception.name, 'CodeMismatchException');
  }
  assert.equal(lib.readState(store.users.get('alice').state, at(T0 + 5)).status, 'too_many_attempts');
  const sixth = confirm(store, pool, 'alice', code, T0 + 6);
  assert.equal(sixth.reply.exception.name, 'TooManyFailedAttemptsException');
});

test('a resend issues a new code; the one it replaced is expired', () => {
  const pool = new lib.Pool(poolConfig());
  const store = new MemoryStore();
  const first = signedUp(store, pool);
  const { reply } = serve(lib, store, pool, CLIENT, 'ResendConfirmationCode', {
    ClientId: CLIENT.clientId, Username: 'alice',
  }, at(T0 + 30));
  assert.deepEqual(reply.body, {
    CodeDeliveryDetails: { Destination: 'a***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email' },
  });
  const second = store.outbox.at(-1).code;
  if (first !== second) {
    assert.equal(confirm(store, pool, 'alice', first).reply.exception.name, 'ExpiredCodeException');
  }
  assert.equal(confirm(store, pool, 'alice', second).reply.kind, 'success');
  const again = serve(lib, store, pool, CLIENT, 'ResendConfirmationCode', {
    ClientId: CLIENT.clientId, Username: 'alice',
  }, at(T0 + 90));
  assert.equal(again.reply.exception.message, 'User is already confirmed.');
});

test('SecretHash: computed as AWS documents it, verified in the loop, refused when wrong or missing', () => {
  const secret = 'sec-ret-of-the-client';
  const client = { clientId: 'secretclient', secret, preventUserExistenceErrors: false };
  const expected = createHmac('sha256', secret).update('alice' + client.clientId).digest('base64');
  const hashes = new lib.ClientSecret(secret);
  assert.equal(hashes.compute('alice', client.clientId), expected);
  assert.equal(hashes.verify('alice', client.clientId, expected), true);
  assert.equal(hashes.verify('alice', client.clientId, expected.replace(/.$/, '0')), false);
  assert.equal(hashes.verify('alice', client.clientId, ''), false);
  hashes.free();

  const pool = new lib.Pool(poolConfig());
  const store = new MemoryStore();
  const signUp = (hash) => serve(lib, store, pool, client, 'SignUp', {
    ClientId: client.clientId, Username: 'alice', Password: 'correct-horse', SecretHash: hash,
    UserAttributes: [{ Name: 'email', Value: 'alice@example.com' }],
  }, at(T0));
  assert.equal(signUp(undefined).reply.exception.message,
    'Client secretclient is configured with secret but SECRET_HASH was not received');
  assert.equal(signUp(expected.replace(/^./, 'A') === expected ? expected.replace(/^./, 'B') : expected.replace(/^./, 'A'))
    .reply.exception.message, 'Unable to verify secret hash for client secretclient');
  assert.equal(store.users.size, 0, 'a refused SignUp writes nothing');
  assert.equal(signUp(expected).reply.kind, 'success');
  const code = store.outbox.at(-1).code;
  assert.equal(confirm(store, pool, 'alice', code, T0 + 60, client, { SecretHash: expected }).reply.kind, 'success');
});

test('an unknown user under PreventUserExistenceErrors is a phantom: a wrong code, counted like a user', () => {
  const pool = new lib.Pool(poolConfig());
  const store = new MemoryStore();
  const operation = lib.decode(pool, 'ConfirmSignUp', JSON.stringify({
    ClientId: CLIENT.clientId, Username: 'mallory', ConfirmationCode: '123456',
  }));
  const needs = operation.needs;
  assert.equal(needs.username, 'mallory');
  assert.match(needs.phantomId, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.ok(!needs.phantomId.includes('mallory'));
  operation.free();

  const answers = [];
  for (let attempt = 1; attempt <= 6; attempt += 1) {
    const { reply, outcome } = confirm(store, pool, 'mallory', '123456', T0 + attempt);
    answers.push(reply.exception.name);
    // The row may go once the code has expired (a day after it was issued, at the first
    // attempt) and the hour's rate window since this change has passed: a day, here.
    assert.deepEqual(outcome.write.target, { kind: 'phantom', id: needs.phantomId, pruneAfterUnixSeconds: T0 + 1 + 86_400 });
    assert.equal(outcome.write.expected, attempt === 1 ? 'absent' : attempt);
  }
  assert.deepEqual(answers, [...Array(5).fill('CodeMismatchException'), 'TooManyFailedAttemptsException']);
  assert.equal(store.phantoms.size, 1);
  assert.equal(store.users.size, 0);

  // Without PreventUserExistenceErrors the service names the fault.
  const legacy = { ...CLIENT, preventUserExistenceErrors: false };
  assert.equal(confirm(store, pool, 'nobody', '123456', T0, legacy).reply.exception.name, 'UserNotFoundException');
});

test('a lost race is looked up and decided again', () => {
  const pool = new lib.Pool(poolConfig());
  const store = new MemoryStore();
  const code = signedUp(store, pool);
  const operation = lib.decode(pool, 'ConfirmSignUp', JSON.stringify({
    ClientId: CLIENT.clientId, Username: 'alice', ConfirmationCode: code,
  }));
  const stale = store.read(operation.needs, CLIENT);
  // Someone else's wrong guess lands between this request's read and its write.
  confirm(store, pool, 'alice', code === '000000' ? '111111' : '000000');
  const first = operation.decide(stale, at(T0 + 61));
  assert.equal(store.apply(first.write), false, 'the version moved on: the write is refused');
  const second = operation.decide(store.read(operation.needs, CLIENT), at(T0 + 61));
  assert.equal(second.write.expected, 2);
  assert.equal(store.apply(second.write), true);
  assert.equal(second.applied().reply.kind, 'success');
  operation.free();
});

test('the outcome holds the write; the reply and what follows come only from applied()', () => {
  const pool = new lib.Pool(poolConfig());
  const store = new MemoryStore();
  const code = signedUp(store, pool);
  const operation = lib.decode(pool, 'ConfirmSignUp', JSON.stringify({
    ClientId: CLIENT.clientId, Username: 'alice', ConfirmationCode: code,
  }));
  const outcome = operation.decide(store.read(operation.needs, CLIENT), at(T0 + 60));
  operation.free();
  assert.deepEqual(Object.keys(outcome).sort(), ['applied', 'write']);
  assert.ok(!Object.hasOwn(outcome, 'reply') && !Object.hasOwn(outcome, 'after'));
  assert.equal(outcome.reply, undefined);
  assert.equal(outcome.after, undefined);
  assert.equal(outcome.write.status, 'CONFIRMED');
  assert.equal(store.apply(outcome.write), true);
  // applied() needs no `this`: the loop may destructure it with the write.
  const { applied } = outcome;
  const { reply, after } = applied();
  assert.deepEqual(Object.keys(applied()).sort(), ['after', 'reply']);
  assert.deepEqual(reply, { kind: 'success', httpStatus: 200, body: {} });
  assert.equal(after.kind, 'postConfirmation');
  assert.equal(after.event.request.userAttributes.email_verified, 'true');
});

test('request faults are thrown with the AWS name, status 400 and the body to answer with', () => {
  const pool = new lib.Pool(poolConfig());
  const unknown = thrown(() => lib.decode(pool, 'InitiateAuth', '{}'));
  assert.ok(unknown instanceof Error);
  assert.equal(unknown.name, 'UnknownOperationException');
  assert.equal(unknown.httpStatus, 400);
  assert.deepEqual(unknown.body, { __type: 'UnknownOperationException', message: 'Unknown operation InitiateAuth' });

  for (const body of ['{"ClientId": ', '[]', '{"ClientId": 5}', '{} {}']) {
    const error = thrown(() => lib.decode(pool, 'ConfirmSignUp', body));
    assert.equal(error.name, 'SerializationException', body);
    assert.equal(error.httpStatus, 400);
    assert.match(error.message, /^The body is not a valid ConfirmSignUp request: /);
  }

  const invalid = thrown(() => lib.decode(pool, 'AWSCognitoIdentityProviderService.ConfirmSignUp',
    new TextEncoder().encode('{"ClientId": "c", "Username": "alice", "ConfirmationCode": "12 34"}')));
  assert.equal(invalid.name, 'InvalidParameterException');
  assert.equal(invalid.body.__type, 'InvalidParameterException');
  assert.match(invalid.message, /^1 validation error detected: Value at 'confirmationCode' failed to satisfy constraint/);

  const wrongType = thrown(() => lib.decode(pool, 'ConfirmSignUp', 42));
  assert.ok(wrongType instanceof TypeError);
});

const PREFIX = 'AWSCognitoIdentityProviderService.';
const BODIES = {
  SignUp: { ClientId: 'c', Username: 'alice', Password: 'correct-horse', UserAttributes: [{ Name: 'email', Value: 'a@example.com' }] },
  ConfirmSignUp: { ClientId: 'c', Username: 'alice', ConfirmationCode: '123456' },
  ResendConfirmationCode: { ClientId: 'c', Username: 'alice' },
  AdminConfirmSignUp: { UserPoolId: 'us-east-1_edge', Username: 'alice' },
};

test('decode serves only what the caller lists, by default the public operations, under both spellings', () => {
  const pool = new lib.Pool(poolConfig());
  const all = Object.keys(BODIES);
  const lists = [
    [undefined, ['SignUp', 'ConfirmSignUp', 'ResendConfirmationCode']],
    [null, ['SignUp', 'ConfirmSignUp', 'ResendConfirmationCode']],
    [['ConfirmSignUp'], ['ConfirmSignUp']],
    [['SignUp', 'ResendConfirmationCode'], ['SignUp', 'ResendConfirmationCode']],
    [['AdminConfirmSignUp'], ['AdminConfirmSignUp']],
    [all, all],
    [[], []],
  ];
  for (const [serves, served] of lists) {
    for (const name of all) {
      for (const target of [name, PREFIX + name]) {
        const body = JSON.stringify(BODIES[name]);
        const label = `${target} with serves = ${JSON.stringify(serves)}`;
        if (served.includes(name)) {
          const operation = lib.decode(pool, target, body, serves);
          assert.equal(operation.name, name, label);
          operation.free();
          continue;
        }
        const refused = thrown(() => lib.decode(pool, target, body, serves));
        assert.ok(refused instanceof Error, label);
        assert.equal(refused.name, 'UnknownOperationException', label);
        assert.equal(refused.httpStatus, 400, label);
        assert.deepEqual(refused.body, { __type: 'UnknownOperationException', message: `Unknown operation ${target}` }, label);
        // Refused before the body is read: a body that is not JSON gets the same answer.
        assert.deepEqual(thrown(() => lib.decode(pool, target, '{', serves)).body, refused.body, label);
      }
    }
  }
  // AdminConfirmSignUp needs a signed admin caller; served to anyone, it would confirm anyone.
  assert.equal(thrown(() => lib.decode(pool, 'AdminConfirmSignUp', JSON.stringify(BODIES.AdminConfirmSignUp))).name,
    'UnknownOperationException');
  // A list of anything but the operations' bare names is the caller's fault.
  for (const serves of ['SignUp', [PREFIX + 'SignUp'], ['signUp'], ['InitiateAuth'], [1], [null], {}, 5]) {
    const error = thrown(() => lib.decode(pool, 'SignUp', JSON.stringify(BODIES.SignUp), serves));
    assert.ok(error instanceof TypeError, JSON.stringify(serves));
    assert.equal(error.httpStatus, 500);
  }
});

/** Alice signed up, and a ConfirmSignUp of hers with a wrong code decoded, with its lookup. */
function aliceConfirming() {
  const pool = new lib.Pool(poolConfig());
  const store = new MemoryStore();
  signedUp(store, pool);
  const operation = lib.decode(pool, 'ConfirmSignUp', JSON.stringify({
    ClientId: CLIENT.clientId, Username: 'alice', ConfirmationCode: '123456',
  }));
  return { pool, store, operation, lookup: store.read(operation.needs, CLIENT) };
}

test("the caller's and the store's faults are thrown as 500s whose bodies say nothing", () => {
  const { operation, lookup } = aliceConfirming();

  const tampered = JSON.parse(lookup.user.confirmation);
  tampered.version = 0;
  const state = thrown(() => operation.decide({ ...lookup, user: { ...lookup.user, confirmation: JSON.stringify(tampered) } }));
  assert.equal(state.name, 'StateError');
  assert.equal(state.httpStatus, 500);
  assert.deepEqual(state.body, { __type: 'InternalErrorException', message: 'Internal error.' });
  assert.equal(state.message, "the user's stored state's version is 0");

  const huge = JSON.parse(lookup.user.confirmation);
  huge.version = 2 ** 53;
  const version = thrown(() => operation.decide({ ...lookup, user: { ...lookup.user, confirmation: JSON.stringify(huge) } }));
  assert.equal(version.name, 'StateError');
  assert.match(version.message, /JavaScript numbers cannot count past exactly/);

  const typo = thrown(() => operation.decide({ ...lookup, phantomState: null }));
  assert.ok(typo instanceof TypeError);
  assert.equal(typo.httpStatus, 500);
  assert.match(typo.message, /unknown field `phantomState`/);
  const status = thrown(() => operation.decide({ ...lookup, user: { ...lookup.user, status: 'confirmed' } }));
  assert.ok(status instanceof TypeError);
  assert.ok(thrown(() => operation.decide({ user: 10n })) instanceof TypeError);
  operation.free();
});

test('time is a Date or milliseconds: seconds are refused, as are other values and absurd moments', () => {
  const { pool, operation, lookup } = aliceConfirming();
  const { state } = lib.issue(pool, 'sub-1', at(T0));
  const calls = {
    decide: (now) => operation.decide(lookup, now),
    issue: (now) => lib.issue(pool, 'sub-1', now),
    readState: (now) => lib.readState(state, now),
  };
  for (const [name, call] of Object.entries(calls)) {
    // Milliseconds, as Date.now() gives them, are a moment like the Date they make.
    assert.doesNotThrow(() => call(Date.now()), name);
    assert.doesNotThrow(() => call((T0 + 60) * 1000), name);
    // Seconds of any moment taken cannot be milliseconds of one: refused, saying so.
    for (const now of [T0, Math.floor(Date.now() / 1000), 946_684_800, 253_402_300_799]) {
      const error = thrown(() => call(now));
      assert.ok(error instanceof RangeError, `${name}(${now})`);
      assert.equal(error.httpStatus, 500);
      assert.match(error.message, /looks like seconds: pass milliseconds \(Date\.now\(\)\) or a Date/);
    }
    // Numbers that are neither: before 2000 or after 9999 as milliseconds.
    for (const now of [0, -1, NaN, Infinity, 946_684_800_000 - 1, Date.now() * 1000]) {
      assert.ok(thrown(() => call(now)) instanceof RangeError, `${name}(${now})`);
    }
    for (const now of ['2026-01-01T00:00:00Z', { getTime: () => T0 * 1000 }, [], true]) {
      const error = thrown(() => call(now));
      assert.ok(error instanceof TypeError, `${name}(${String(now)})`);
      assert.equal(error.httpStatus, 500);
      assert.deepEqual(error.body, { __type: 'InternalErrorException', message: 'Internal error.' });
      assert.match(error.message, /^now: expected a Date or a number of milliseconds/);
    }
    // Invalid, before 1970, before 2000 (new Date(seconds) reads seconds as milliseconds),
    // past 9999 (milliseconds scaled up once more), and the last Date there is.
    for (const now of [new Date(NaN), new Date(-1), new Date(T0), new Date(946_684_799_999),
      new Date(253_402_300_800_000), new Date(Date.now() * 1000), new Date(8.64e15)]) {
      const error = thrown(() => call(now));
      assert.ok(error instanceof RangeError, `${name}(${now.getTime()})`);
      assert.equal(error.name, 'RangeError');
      assert.equal(error.httpStatus, 500);
      assert.equal(error.body.__type, 'InternalErrorException');
    }
    // A Date, of any kind, is read by its time value; undefined and null mean the runtime's clock.
    class Shifted extends Date {
      getTime() {
        return 0;
      }
    }
    for (const now of [new Date(), at(T0), new Date(946_684_800_000), new Date(253_402_300_799_999),
      new Shifted(T0 * 1000), undefined, null]) {
      assert.ok(call(now), `${name}(${now})`);
    }
  }
  // Seconds that name a moment are whole: a fraction of a second is dropped, not refused.
  assert.equal(lib.readState(lib.issue(pool, 'sub-1', new Date(T0 * 1000 + 999)).state, at(T0)).issuedAtUnixSeconds, T0);
  operation.free();
});

test('a code issued at new Date() expires a day later, not in the year 58,896', () => {
  const pool = new lib.Pool(poolConfig());
  const issuedAt = new Date();
  const { state } = lib.issue(pool, 'sub-1', issuedAt);
  const info = lib.readState(state, issuedAt);
  assert.equal(info.statusAt, 'pending');
  assert.equal(info.issuedAtUnixSeconds, Math.floor(issuedAt.getTime() / 1000));
  assert.equal(info.expiresAtUnixSeconds, info.issuedAtUnixSeconds + 86_400);
  assert.equal(lib.readState(state, new Date(issuedAt.getTime() + 86_401_000)).statusAt, 'expired');
  // The runtime's clock, when no moment is given, is read in the same unit.
  assert.equal(lib.readState(lib.issue(pool, 'sub-1').state, new Date(Date.now() + 2 * 86_400_000)).statusAt, 'expired');
});

test('a pool is checked once, when it is made', () => {
  const config = poolConfig();
  const duplicate = thrown(() => new lib.Pool({ ...config, keys: { current: config.keys.current, older: [{ id: 1, secret: keyBytes(1) }] } }));
  assert.equal(duplicate.name, 'ConfigError');
  assert.equal(duplicate.message, 'keys: two keys in the ring have id 1');
  const weak = thrown(() => new lib.Pool({ ...config, policy: { codeLength: 4 } }));
  assert.equal(weak.name, 'ConfigError');
  assert.match(weak.message, /^policy: /);
  assert.ok(thrown(() => new lib.Pool({ ...config, keys: { current: { id: 1, secret: keyBytes(1).subarray(1) } } })) instanceof TypeError);
  assert.ok(thrown(() => new lib.Pool({ ...config, autoVerifiedAttributes: ['name'] })) instanceof TypeError);
  // A key id is a whole number in 0..=2^32 - 1.
  for (const id of [-1, 0.5, 2 ** 32, NaN, '1']) {
    assert.ok(thrown(() => new lib.Pool({ ...config, keys: { current: { id, secret: keyBytes(1) } } })) instanceof TypeError, `id = ${id}`);
  }
  assert.equal(new lib.Pool({ ...config, keys: { current: { id: 2 ** 32 - 1, secret: keyBytes(1) } } }).userPoolId, config.userPoolId);
  assert.ok(thrown(() => new lib.Pool({ ...config, extra: true })) instanceof TypeError);
  const crockford = new lib.Pool({ ...config, policy: { alphabet: 'crockfordBase32', codeLength: 8 } });
  assert.match(lib.issue(crockford, 'sub-1', at(T0)).code, /^[0-9A-HJKMNP-TV-Z]{8}$/);
  assert.equal(new lib.Pool(config).userPoolId, 'us-east-1_edge');
});

test('issue and readState: a stored state is validated on every load', () => {
  const pool = new lib.Pool(poolConfig());
  const { state, code } = lib.issue(pool, 'sub-1', at(T0));
  assert.match(code, /^\d{6}$/);
  const info = lib.readState(state, at(T0 + 86_400));
  assert.deepEqual(info, {
    status: 'pending', statusAt: 'expired', version: 1, keyId: 1,
    issuedAtUnixSeconds: T0, expiresAtUnixSeconds: T0 + 86_400, lastChangedAtUnixSeconds: T0, attemptsUsed: 0,
  });
  assert.equal(thrown(() => lib.readState('not json')).name, 'StateError');
  const forged = { ...JSON.parse(state), status: 'code_mismatch' };
  assert.equal(thrown(() => lib.readState(JSON.stringify(forged))).message,
    "the state's stored state's status contradicts its counters");
  assert.ok(thrown(() => lib.issue(pool, '')) instanceof TypeError);
});

test('afterTrigger: a failed PostConfirmation trigger becomes the answer', () => {
  const ok = { kind: 'success', httpStatus: 200, body: {} };
  assert.equal(lib.afterTrigger(ok, { kind: 'succeeded' }), ok);
  assert.deepEqual(lib.afterTrigger(ok, { kind: 'functionError', error: 'no' }).body, {
    __type: 'UserLambdaValidationException', message: 'PostConfirmation failed with error no.',
  });
  assert.equal(lib.afterTrigger(ok, { kind: 'invocationFailed', reason: 'timeout' }).exception.name, 'UnexpectedLambdaException');
  assert.equal(lib.afterTrigger(ok, { kind: 'invalidOutput' }).exception.name, 'InvalidLambdaResponseException');
  assert.ok(thrown(() => lib.afterTrigger(ok, { kind: 'maybe' })) instanceof TypeError);
});

test('randomness comes from crypto.getRandomValues, new for every decision', (t) => {
  const pool = new lib.Pool(poolConfig());
  const calls = [];
  t.mock.method(webcrypto, 'getRandomValues', (array) => {
    calls.push(array.length);
    return array.fill(7);
  });
  // Byte 7 everywhere: every digit of the code is 7 % 10, the sub is a fixed UUID v4.
  assert.equal(lib.issue(pool, 'sub-1', at(T0)).code, '777777');
  const store = new MemoryStore();
  serve(lib, store, pool, CLIENT, 'SignUp', {
    ClientId: CLIENT.clientId, Username: 'alice', UserAttributes: [{ Name: 'email', Value: 'a@example.com' }],
  }, at(T0));
  assert.equal(store.outbox.at(-1).code, '777777');
  assert.equal(store.users.get('alice').sub, '07070707-0707-4707-8707-070707070707');
  // A code's entropy, then a code's entropy, a session's nonce and a sub: what each
  // decision uses, no more.
  assert.deepEqual(calls, [32, 64]);
  confirm(store, pool, 'alice', '000000');
  assert.deepEqual(calls, [32, 64, 16], "a ConfirmSignUp uses a session's nonce, no more");
  serve(lib, store, pool, CLIENT, 'ResendConfirmationCode', { ClientId: CLIENT.clientId, Username: 'alice' }, at(T0));
  assert.deepEqual(calls, [32, 64, 16, 32]);

  t.mock.method(webcrypto, 'getRandomValues', () => {
    throw new Error('no entropy today');
  });
  const error = thrown(() => lib.issue(pool, 'sub-1', at(T0)));
  assert.equal(error.name, 'RandomnessError');
  assert.equal(error.message, 'crypto.getRandomValues failed: no entropy today');
  assert.equal(error.httpStatus, 500);
});

test('a client with authSessionMinutes hands out the sign-up Session; ConfirmSignUp turns it into a sign-in Session, a wrong code in between too', () => {
  const pool = new lib.Pool(poolConfig());
  const store = new MemoryStore();
  const client = { ...CLIENT, authSessionMinutes: 5 };
  const { reply } = serve(lib, store, pool, client, 'SignUp', {
    ClientId: client.clientId, Username: 'alice', UserAttributes: [{ Name: 'email', Value: 'a@example.com' }],
  }, at(T0));
  const session = reply.body.Session;
  assert.match(session, /^[A-Za-z0-9_-]{82}$/);
  const code = store.outbox.at(-1).code;
  const wrong = code === '000000' ? '111111' : '000000';
  const refused = confirm(store, pool, 'alice', wrong, T0 + 30, client, { Session: session });
  assert.equal(refused.reply.body.__type, 'CodeMismatchException');
  const done = confirm(store, pool, 'alice', code, T0 + 60, client, { Session: session });
  assert.match(done.reply.body.Session, /^[A-Za-z0-9_-]{82}$/);
  assert.notEqual(done.reply.body.Session, session);
  // Without USER_AUTH (no authSessionMinutes) neither is handed out.
  const { reply: plain } = serve(lib, store, pool, CLIENT, 'SignUp', {
    ClientId: CLIENT.clientId, Username: 'bob', UserAttributes: [{ Name: 'email', Value: 'b@example.com' }],
  }, at(T0));
  assert.equal(plain.body.Session, undefined);
  // AuthSessionValidity is 3 to 15 minutes.
  const error = thrown(() => serve(lib, store, pool, { ...CLIENT, authSessionMinutes: 2 }, 'SignUp', {
    ClientId: CLIENT.clientId, Username: 'carol',
  }, at(T0)));
  assert.equal(error.name, 'TypeError');
  assert.match(error.message, /authSessionMinutes/);
});
