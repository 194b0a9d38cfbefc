// `handle` in Node on `memoryStore`: the store scenarios (and stores that break them failing
// them), and what `handle` promises of its own: the wire, its options, and what it does
// when the store or the mail sender fails.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';

import { checkOptions, handle, initSync, memoryStore } from '../../pkg/index.js';
import { scenarios } from '../../pkg/scenarios.js';
import { body, random } from '../support/untrusted.mjs';

initSync({ module: await readFile(new URL('../../pkg/confirmation_flow_bg.wasm', import.meta.url)) });

const KEY = Buffer.alloc(32, 0x42).toString('base64');

for (const scenario of scenarios) {
  test(`scenario on memoryStore: ${scenario.name}`, () => scenario.run(memoryStore()));
}

/** A new RSA private key of `bits`, PKCS #8 in base64: a `signingKey`. */
async function rsaKey(bits = 2048) {
  const pair = await crypto.subtle.generateKey(
    { name: 'RSASSA-PKCS1-v1_5', modulusLength: bits, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    true, ['sign', 'verify'],
  );
  return Buffer.from(await crypto.subtle.exportKey('pkcs8', pair.privateKey)).toString('base64');
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
    // (42 is no secret, and may be in the request id the line names.)
    if (typeof secret === 'string') assert.ok(!lines.join().includes(secret), 'the secret is not logged');
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

test('the clock may say milliseconds, never seconds', async () => {
  const ms = server(memoryStore(), { now: () => Date.now() });
  assert.equal((await ms.signUp('millis')).status, 200);
  const seconds = server(memoryStore(), { now: () => Math.floor(Date.now() / 1000) });
  const { result, lines } = await logged(() => seconds.signUp('seconds'));
  assert.equal(result.status, 500);
  assert.match(lines.join(), /options\.now: \d+ is not milliseconds/);
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

test('options are checked whole: a misspelt or mistyped member is a 500 naming it, never its default', async () => {
  const cases = [
    [{ allowedOrigin: ['https://app.example.com'] }, /options\.allowedOrigin: expected no such member/],
    [{ clients: [{ clientId: 'nodeclient', clientSecret: 'abc' }] }, /options\.clients\[0\]\.clientSecret/],
    [{ clients: [{ clientId: 'a' }, { clientId: 'a' }] }, /named twice/],
    [{ allowedOrigins: 'https://app.example.com' }, /options\.allowedOrigins: expected an array/],
    [{ allowedOrigins: ['https://app.example.com/'] }, /allowedOrigins\[0\]: expected "\*" or an origin/],
    [{ allowedOrigins: ['null'] }, /allowedOrigins\[0\]/],
    [{ maxBodyBytes: -1 }, /maxBodyBytes/],
    [{ maxBodyBytes: Infinity }, /maxBodyBytes/],
    [{ deliver: undefined }, /options\.deliver: expected a function/],
    [{ userPoolId: 'mypool' }, /options\.userPoolId/],
    [{ clients: undefined }, /options\.clients: expected an array/],
    [{ clients: '[{"clientId": ' }, /options\.clients: expected an array, or its JSON text/],
    [{ clients: '[{"clientId": "nodeclient", "clientSecret": "x"}]' }, /options\.clients\[0\]\.clientSecret/],
  ];
  for (const [overrides, reason] of cases) {
    const { call } = server(memoryStore(), overrides);
    const { result, lines } = await logged(() => call('SignUp', { ClientId: 'nodeclient' }, { origin: 'https://evil.example' }));
    assert.equal(result.status, 500, JSON.stringify(overrides));
    assert.deepEqual(result.body, { __type: 'InternalErrorException', message: 'Internal error.' });
    assert.match(lines.join(), reason);
    assert.match(lines.join(), /^request [0-9a-f-]{36}: TypeError/, 'the log names the request');
  }
  assert.throws(() => checkOptions({ ...server().options, clients: [{ clientId: 'x', secret: 5 }] }), /secret: expected a string/);
  assert.doesNotThrow(() => checkOptions(server().options));
  // The list as JSON text, as a Worker's variable holds it.
  const json = server(memoryStore(), { clients: JSON.stringify([{ clientId: 'nodeclient' }]) });
  assert.equal((await json.signUp('json-clients')).status, 200);
});

test('an origin is matched whole: a listed origin is allowed, a prefix or a longer one is not', async () => {
  const { call } = server(memoryStore(), { allowedOrigins: ['https://app.example.com'] });
  const body = { ClientId: 'nodeclient', Username: 'o', ConfirmationCode: '123456' };
  for (const origin of ['https://app.example.co', 'https://app.example.com.evil.example', 'http://app.example.com']) {
    assert.equal((await call('ConfirmSignUp', body, { origin })).status, 403, origin);
  }
  const allowed = await call('ConfirmSignUp', body, { origin: 'https://app.example.com' });
  assert.equal(allowed.status, 400);
  assert.equal(allowed.headers.get('vary'), 'origin');
  const none = await call('ConfirmSignUp', body);
  assert.equal(none.headers.get('vary'), 'origin', 'a cache keyed without the origin would serve it to another');
});

test('a wrong SecretHash spends nothing of the address budget: the right code still confirms', async () => {
  const store = memoryStore();
  const { call, code } = server(store, {
    clients: [{ clientId: 'nodeclient', secret: 'the-client-secret' }],
  });
  const hash = (username) => createHmac('sha256', 'the-client-secret').update(`${username}nodeclient`).digest('base64');
  const signedUp = await call('SignUp', {
    ClientId: 'nodeclient', Username: 'victim', Password: 'correct-horse-battery', SecretHash: hash('victim'),
    UserAttributes: [{ Name: 'email', Value: 'victim@example.com' }],
  });
  assert.equal(signedUp.status, 200);
  for (let i = 0; i < 20; i += 1) {
    const junk = await call('ConfirmSignUp', {
      ClientId: 'nodeclient', Username: 'victim', ConfirmationCode: '000000', SecretHash: 'AAAA',
    });
    assert.equal(junk.body.__type, 'NotAuthorizedException');
  }
  const right = await call('ConfirmSignUp', {
    ClientId: 'nodeclient', Username: 'victim', ConfirmationCode: await code('victim'), SecretHash: hash('victim'),
  });
  assert.equal(right.status, 200, JSON.stringify(right.body));
});

test('PostConfirmation: the event returned is success, a slow trigger a failed invocation after 5 s', async () => {
  const confirmWith = async (postConfirmation) => {
    const { call, signUp, code } = server(memoryStore(), { postConfirmation });
    await signUp('trig');
    return call('ConfirmSignUp', { ClientId: 'nodeclient', Username: 'trig', ConfirmationCode: await code('trig') });
  };
  assert.equal((await confirmWith((event) => event)).status, 200, 'a Lambda-style trigger returns its event');
  assert.equal((await confirmWith(async () => {})).status, 200);
  const thrown = await confirmWith(() => {
    throw new Error('nope');
  });
  assert.equal(thrown.body.__type, 'UserLambdaValidationException');
  const started = Date.now();
  const slow = await confirmWith(() => new Promise(() => {}));
  assert.ok(Date.now() - started >= 4900);
  assert.equal(slow.status, 400, JSON.stringify(slow.body));
  assert.equal(slow.body.__type, 'UnexpectedLambdaException');
});

test('whatever a store throws, handle resolves to a 500', async () => {
  for (const thrown of [null, undefined, 'a string', { httpStatus: 200, body: { __type: 'x' } }]) {
    const store = { ...memoryStore(), read: () => Promise.reject(thrown) };
    const { result } = await logged(() => server(store).signUp('z'));
    assert.equal(result.status, 500, String(thrown));
    assert.equal(result.body.__type, 'InternalErrorException');
  }
});

test('handle before the module is instantiated says what to call', () => {
  const script = `import { handle, memoryStore } from ${JSON.stringify(new URL('../../pkg/index.js', import.meta.url).href)};
const lines = []; console.error = (line) => lines.push(line);
const response = await handle(new Request('http://localhost/', { method: 'POST', body: '{}' }), memoryStore(), {
  userPoolId: 'us-east-1_x', keys: { current: { id: 1, secret: ${JSON.stringify(KEY)} } }, clients: [], deliver() {} });
console.log(JSON.stringify({ status: response.status, log: lines.join() }));`;
  const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }));
  assert.equal(out.status, 500);
  assert.match(out.log, /not instantiated: call initSync\(\{ module \}\) or await init/);
});

test('sign-in: served only with a signing key; a key that does not load spends no session', async () => {
  const signInBody = (Session) => ({ AuthFlow: 'USER_AUTH', ClientId: 'nodeclient', AuthParameters: { USERNAME: 'sam' }, Session });
  const store = memoryStore();
  const clients = [{ clientId: 'nodeclient', authSessionMinutes: 3 }];
  const signingKey = await rsaKey();
  const { call, code } = server(store, { clients, signingKey });
  const signedUp = await call('SignUp', {
    ClientId: 'nodeclient', Username: 'sam', Password: 'correct-horse-battery',
    UserAttributes: [{ Name: 'email', Value: 'sam@example.com' }],
  });
  const confirmed = await call('ConfirmSignUp', {
    ClientId: 'nodeclient', Username: 'sam', ConfirmationCode: await code('sam'), Session: signedUp.body.Session,
  });
  const session = confirmed.body.Session;
  assert.equal(typeof session, 'string');
  // Without a key: a client handing out sessions is a misconfiguration (nothing would
  // redeem them), and without such a client InitiateAuth is not served at all.
  const keyless = await logged(() => server(store, { clients }).call('InitiateAuth', signInBody(session)));
  assert.equal(keyless.result.status, 500);
  assert.match(keyless.lines.join(), /authSessionMinutes: expected a signingKey to redeem the sessions with/);
  const plain = server(store);
  assert.equal((await plain.call('InitiateAuth', signInBody(session))).body.__type, 'UnknownOperationException');
  // A key that does not load: a 500 before the session's grant is spent.
  const broken = server(store, { clients, signingKey: 'bm90IGEga2V5' });
  const { result, lines } = await logged(() => broken.call('InitiateAuth', signInBody(session)));
  assert.equal(result.status, 500);
  assert.match(lines.join(), /options\.signingKey: expected an RSA private key/);
  // Listed in `serves` without a key: refused as a misconfiguration.
  const unkeyed = await logged(() => server(store, { serves: ['InitiateAuth'] }).call('InitiateAuth', signInBody(session)));
  assert.match(unkeyed.lines.join(), /InitiateAuth only with a signingKey/);
  // Listed out of `serves`: not served either.
  const unlisted = server(store, { clients, signingKey, serves: ['SignUp', 'ConfirmSignUp'] });
  assert.equal((await unlisted.call('InitiateAuth', signInBody(session))).body.__type, 'UnknownOperationException');
  // An RSA key under 2048 bits is refused.
  const weak = await rsaKey(1024);
  const weakly = await logged(() => server(store, { clients, signingKey: weak }).call('InitiateAuth', signInBody(session)));
  assert.equal(weakly.result.status, 500);
  assert.match(weakly.lines.join(), /2048 bits or more/);
  const signing = server(store, { clients, signingKey });
  const signedIn = await signing.call('InitiateAuth', signInBody(session));
  assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
  assert.equal(typeof signedIn.body.AuthenticationResult.IdToken, 'string');
  // Bodies the service would refuse, refused alike.
  const refusals = [
    [{ ...signInBody(session), AuthFlow: 'MAGIC' }, 'InvalidParameterException', /enum value set/],
    [{ ...signInBody(session), ClientId: 'nobody' }, 'ResourceNotFoundException', /User pool client nobody does not exist\./],
    [{ ...signInBody(session), AuthFlow: 'ADMIN_USER_PASSWORD_AUTH' }, 'InvalidParameterException', /Initiate Auth method not supported\./],
    [{ ...signInBody(session), AuthParameters: { USERNAME: 5 } }, 'SerializationException', /wrong type/],
    [{ ...signInBody(undefined) }, 'InvalidParameterException', /without a Session/],
    [{ ...signInBody(session), AuthParameters: {} }, 'InvalidParameterException', /Missing required parameter USERNAME/],
    [{ ...signInBody(session), ClientId: 'not a client id!' }, 'InvalidParameterException', /regular expression pattern: \[\\w\+\]\+/],
    [{ ...signInBody(session), AuthFlow: 'USER_SRP_AUTH' }, 'InvalidParameterException', /USER_SRP_AUTH is not served here/],
  ];
  for (const [body, type, message] of refusals) {
    const refused = await signing.call('InitiateAuth', body);
    assert.equal(refused.body.__type, type, JSON.stringify(body));
    assert.match(refused.body.message, message);
  }
});

test("the ID token carries a user's attributes, never one posing as a claim", async () => {
  const signingKey = await rsaKey();
  const inner = memoryStore();
  // A store of someone's that keeps more attributes than the package writes.
  const store = {
    ...inner,
    read: async (needs) => {
      const found = await inner.read(needs);
      if (found.user) {
        found.user.attributes = {
          ...found.user.attributes, 'custom:tier': 'gold', 'cognito:groups': 'admins', scope: 'admin', nbf: '0', given_name: 'Sam',
        };
      }
      return found;
    },
  };
  const { call, code } = server(store, { clients: [{ clientId: 'nodeclient', authSessionMinutes: 3 }], signingKey });
  const up = await call('SignUp', {
    ClientId: 'nodeclient', Username: 'claims', Password: 'correct-horse-battery',
    UserAttributes: [{ Name: 'email', Value: 'claims@example.com' }],
  });
  const confirmed = await call('ConfirmSignUp', {
    ClientId: 'nodeclient', Username: 'claims', ConfirmationCode: await code('claims'), Session: up.body.Session,
  });
  const signedIn = await call('InitiateAuth', {
    AuthFlow: 'USER_AUTH', ClientId: 'nodeclient', AuthParameters: { USERNAME: 'claims' }, Session: confirmed.body.Session,
  });
  const [, payload] = signedIn.body.AuthenticationResult.IdToken.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
  assert.equal(claims['custom:tier'], 'gold');
  assert.equal(claims.given_name, 'Sam');
  assert.equal(claims.email_verified, true);
  for (const posing of ['cognito:groups', 'scope', 'nbf']) assert.equal(claims[posing], undefined, posing);
  assert.equal(claims.iss, 'http://localhost/us-east-1_node', 'where the pool answers');
});

test('generated bodies of every operation through handle: an answer of the service, never a 500', async () => {
  const signingKey = await rsaKey();
  const store = memoryStore();
  const options = {
    ...server(store).options,
    clients: [{ clientId: 'c', authSessionMinutes: 3 }, { clientId: 's', secret: 'the-secret' }],
    signingKey,
  };
  const r = random(Number(process.env.UNTRUSTED_SEED ?? 24));
  const cases = Math.ceil(Number(process.env.UNTRUSTED_CASES ?? 3000) / 2);
  const statuses = new Map();
  const { lines } = await logged(async () => {
    for (let i = 0; i < cases; i += 1) {
      const name = r.pick(['SignUp', 'ConfirmSignUp', 'AdminConfirmSignUp', 'ResendConfirmationCode', 'InitiateAuth', 'Nope']);
      const target = r.next() < 0.8 ? `AWSCognitoIdentityProviderService.${name}` : name;
      const response = await handle(new Request('http://localhost/', {
        method: 'POST', headers: { 'x-amz-target': target }, body: body(r, name),
      }), store, options);
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      const answer = await response.json();
      if (response.status !== 200) {
        assert.equal(response.status, 400, `${name}: ${JSON.stringify(answer)}`);
        assert.equal(response.headers.get('x-amzn-errortype'), `${answer.__type}:`);
        assert.equal(typeof answer.message, 'string');
      }
    }
  });
  assert.deepEqual(lines, [], 'nothing logged: no request was a 500');
  console.log(JSON.stringify(Object.fromEntries(statuses)));
  assert.ok((statuses.get(400) ?? 0) > cases / 2 && (statuses.get(200) ?? 0) > 0, JSON.stringify([...statuses]));
});

test("a confirmation's Session signs in only its own user, through its own client", async () => {
  const clients = [{ clientId: 'nodeclient', authSessionMinutes: 3 }, { clientId: 'otherclient', authSessionMinutes: 3 }];
  const { call, code } = server(memoryStore(), { clients, signingKey: await rsaKey() });
  const sessionOf = async (username) => {
    const up = await call('SignUp', {
      ClientId: 'nodeclient', Username: username, Password: 'correct-horse-battery',
      UserAttributes: [{ Name: 'email', Value: `${username}@example.com` }],
    });
    const confirmed = await call('ConfirmSignUp', {
      ClientId: 'nodeclient', Username: username, ConfirmationCode: await code(username), Session: up.body.Session,
    });
    return confirmed.body.Session;
  };
  const [ann, ben] = [await sessionOf('ann'), await sessionOf('ben')];
  const signIn = (ClientId, USERNAME, Session) =>
    call('InitiateAuth', { AuthFlow: 'USER_AUTH', ClientId, AuthParameters: { USERNAME }, Session });
  for (const [clientId, username, session] of [
    ['nodeclient', 'ann', ben], // another user's session
    ['otherclient', 'ann', ann], // another client
    ['nodeclient', 'nobody', ann], // a user who does not exist
  ]) {
    const refused = await signIn(clientId, username, session);
    assert.deepEqual(refused.body, { __type: 'NotAuthorizedException', message: 'Invalid session for the user.' },
      `${clientId} ${username}`);
  }
  // Each still signs its own user in, once: the refusals spent nothing.
  assert.equal((await signIn('nodeclient', 'ann', ann)).status, 200);
  assert.equal((await signIn('nodeclient', 'ben', ben)).status, 200);
});
