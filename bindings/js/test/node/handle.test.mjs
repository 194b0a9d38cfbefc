// `handle` in Node on `memoryStore`: the store scenarios (and stores that break them failing
// them), and what `handle` promises of its own: the wire, its options, and what it does
// when the store or the mail sender fails.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';

import { handle, initSync, memoryStore } from '../../pkg/index.js';
import { scenarios } from '../../pkg/scenarios.js';

initSync({ module: await readFile(new URL('../../pkg/confirmation_flow_bg.wasm', import.meta.url)) });

const KEY = Buffer.alloc(32, 0x42).toString('base64');

for (const scenario of scenarios) {
  test(`scenario on memoryStore: ${scenario.name}`, () => scenario.run(memoryStore()));
}

/** `store` with `apply` replaced: a store that breaks one of its promises. */
const breaking = (store, apply) => ({ ...store, apply: (write) => apply(store, write) });

test('a store without compare-and-swap fails the concurrent wrong codes scenario', async () => {
  // Versions are not compared: every write of the 20 wins.
  const blind = breaking(memoryStore(), (store, write) =>
    store.apply({ ...write, expected: write.expected === 'absent' ? 'absent' : write.version - 1 }).then(() => true));
  const scenario = scenarios.find((candidate) => candidate.name.startsWith('20 concurrent wrong codes'));
  await assert.rejects(scenario.run(blind), /CodeMismatchException must be 5/);
});

test('a store that ignores alias claims fails the one-verified-owner scenario', async () => {
  const careless = breaking(memoryStore(), (store, write) => store.apply({ ...write, alias: null }));
  const scenario = scenarios.find((candidate) => candidate.name.startsWith('concurrent confirmations of one email'));
  await assert.rejects(scenario.run(careless), /answers|verified holders/);
});

/** `handle` with test options; `overrides` replace them. */
function server(store = memoryStore(), overrides = {}) {
  const delivered = [];
  const pending = [];
  const options = {
    userPoolId: 'us-east-1_node',
    keys: { current: { id: 1, secret: KEY } },
    clients: [{ clientId: 'nodeclient' }],
    deliver: (delivery) => void delivered.push(delivery),
    waitUntil: (promise) => void pending.push(promise),
    ...overrides,
  };
  const call = async (operation, body, headers = {}) => {
    const response = await handle(new Request('http://localhost/', {
      method: 'POST',
      headers: { 'x-amz-target': `AWSCognitoIdentityProviderService.${operation}`, ...headers },
      body: JSON.stringify(body),
    }), store, options);
    return { status: response.status, headers: response.headers, body: await response.json() };
  };
  const signUp = (username) => call('SignUp', {
    ClientId: 'nodeclient', Username: username, Password: 'correct-horse-battery',
    UserAttributes: [{ Name: 'email', Value: `${username}@example.com` }],
  });
  const code = async (username) => {
    await Promise.all(pending);
    return delivered.findLast((delivery) => delivery.username === username)?.code;
  };
  return { call, signUp, code, delivered, options };
}

/** What `console.error` was given while `run` ran. */
async function logged(run) {
  const lines = [];
  const error = console.error;
  console.error = (...args) => lines.push(args.join(' '));
  try {
    return { result: await run(), lines };
  } finally {
    console.error = error;
  }
}

test('keys are base64 strings of 32 bytes: another is a 500 whose log names the key, not its value', async () => {
  for (const secret of [Buffer.alloc(31, 1).toString('base64'), 'not base64!', 42]) {
    const { call } = server(memoryStore(), { keys: { current: { id: 1, secret } } });
    const { result, lines } = await logged(() => call('SignUp', { ClientId: 'nodeclient' }));
    assert.equal(result.status, 500);
    assert.deepEqual(result.body, { __type: 'InternalErrorException', message: 'Internal error.' });
    assert.match(lines.join(), /keys\.current\.secret/);
    assert.ok(!lines.join().includes(String(secret)), 'the secret is not logged');
  }
});

test('admin operations are never served: refused in serves, and unknown by target', async () => {
  const { call } = server(memoryStore(), { serves: ['SignUp', 'AdminConfirmSignUp'] });
  const { result, lines } = await logged(() => call('SignUp', { ClientId: 'nodeclient' }));
  assert.equal(result.status, 500);
  assert.match(lines.join(), /AdminConfirmSignUp is not served by handle/);
  const plain = server();
  await plain.signUp('admin-target');
  const admin = await plain.call('AdminConfirmSignUp', { UserPoolId: 'us-east-1_node', Username: 'admin-target' });
  assert.equal(admin.status, 400);
  assert.equal(admin.body.__type, 'UnknownOperationException');
  const only = server(memoryStore(), { serves: ['ConfirmSignUp'] });
  assert.equal((await only.signUp('x')).body.__type, 'UnknownOperationException');
});

test('time is the options clock: a code is expired 24 hours on, without waiting', async () => {
  let now = new Date('2026-12-06T00:00:00Z');
  const { call, signUp, code } = server(memoryStore(), { now: () => now });
  await signUp('later');
  now = new Date(now.getTime() + 24 * 3600 * 1000 + 1000);
  const late = await call('ConfirmSignUp', { ClientId: 'nodeclient', Username: 'later', ConfirmationCode: await code('later') });
  assert.equal(late.body.__type, 'ExpiredCodeException');
});

test('a failing mail sender leaves the answer as it was, and is logged without the code', async () => {
  const { result, lines } = await logged(async () => {
    const { signUp, code } = server(memoryStore(), {
      deliver: () => {
        throw new Error('the mail sender is down');
      },
    });
    const answer = await signUp('unsent');
    await code('unsent');
    await new Promise((resolve) => setTimeout(resolve, 10));
    return answer;
  });
  assert.equal(result.status, 200);
  assert.match(lines.join(), /the delivery of a code for unsent failed: Error: the mail sender is down/);
  assert.ok(!/\d{6}/.test(lines.join()), 'no code in the log');
});

test('without waitUntil the code is still delivered', async () => {
  const delivered = [];
  const { signUp } = server(memoryStore(), { waitUntil: undefined, deliver: (delivery) => void delivered.push(delivery) });
  await signUp('nowait');
  for (let waited = 0; delivered.length === 0; waited += 1) {
    assert.ok(waited < 1000, 'no delivery');
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  assert.equal(delivered[0].username, 'nowait');
  assert.deepEqual(Object.keys(delivered[0]).sort(), ['attribute', 'code', 'destination', 'username']);
});

test('a store that fails is a 500 saying nothing of it; one that always loses gives up after 16 tries', async () => {
  const failing = { ...memoryStore(), read: () => Promise.reject(new Error('D1_ERROR: no such table: secret_stuff')) };
  const broken = await logged(() => server(failing).signUp('x'));
  assert.equal(broken.result.status, 500);
  assert.deepEqual(broken.result.body, { __type: 'InternalErrorException', message: 'Internal error.' });
  assert.match(broken.lines.join(), /no such table/);
  let applies = 0;
  const losing = { ...memoryStore(), apply: () => (applies += 1, Promise.resolve(false)) };
  const lost = await logged(() => server(losing).signUp('y'));
  assert.equal(lost.result.status, 500);
  assert.equal(applies, 16);
  assert.match(lost.lines.join(), /lost 16 races/);
});
