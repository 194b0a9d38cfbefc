// Conformance of the example server with the AWS SDK for JavaScript v3: the SDK must raise
// its own typed exceptions (e.name, instanceof) for the server's answers.
//
// CONFORMANCE_STORE (`memory`, `sqlite` or `postgres` on CONFORMANCE_POSTGRES) and
// CONFORMANCE_PROCESSES choose the store and how many server processes share it; each
// request goes to the next process in turn (see test_boto3.py).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  CognitoIdentityProviderClient, SignUpCommand, ConfirmSignUpCommand, AdminGetUserCommand,
  ResendConfirmationCodeCommand, AdminConfirmSignUpCommand, CodeMismatchException,
  NotAuthorizedException, UserNotFoundException, InvalidParameterException, ExpiredCodeException,
} from '@aws-sdk/client-cognito-identity-provider';

const root = resolve(import.meta.dirname, '../..');
const binary = process.env.CONFORMANCE_SERVER ?? join(root, 'target/release/confirmation-flow-server');
const pool = 'us-east-1_LOCAL';
const store = process.env.CONFORMANCE_STORE ?? 'memory';
const processes = Number(process.env.CONFORMANCE_PROCESSES ?? '1');
assert.ok(['memory', 'sqlite', 'postgres'].includes(store), `CONFORMANCE_STORE=${store}`);
assert.ok(store !== 'memory' || processes === 1, 'processes share nothing in memory');
const dir = mkdtempSync(join(tmpdir(), 'conformance-'));
const outbox = join(dir, 'outbox.jsonl');
let server, client;

const freePort = () => new Promise((ok) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => ok(port)); });
});
// A line the server is still appending has no newline yet: read complete lines only.
const complete = (text) => text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter(Boolean);
const codes = (username) => complete(existsSync(outbox) ? readFileSync(outbox, 'utf8') : '')
  .map(JSON.parse).filter((line) => line.username === username);
// Delivery follows the answer: wait for more than `after` codes, then take the newest.
const code = async (username, after = 0) => {
  for (let tries = 0; tries < 1000; tries += 1) {
    const delivered = codes(username);
    if (delivered.length > after) return delivered.at(-1).code;
    await new Promise((ok) => setTimeout(ok, 10));
  }
  throw new Error(`no code for ${username}`);
};
const signUp = async (clientId = 'publicclient', extra = () => ({})) => {
  const username = `js-${randomUUID().slice(0, 12)}`;
  const answer = await client.send(new SignUpCommand({
    ClientId: clientId, Username: username, Password: 'Passw0rd!',
    UserAttributes: [{ Name: 'email', Value: `${username}@example.com` }], ...extra(username),
  }));
  assert.deepEqual(answer.CodeDeliveryDetails, { Destination: 'j***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email' });
  return username;
};
const secretHash = (username, clientId, secret) =>
  createHmac('sha256', secret).update(username + clientId).digest('base64');
const rejects = async (command, type, message) => {
  await assert.rejects(client.send(command), (e) => {
    assert.equal(e.name, type.name);
    assert.ok(e instanceof type, `${e.name} is an instance of ${type.name}`);
    assert.equal(e.$metadata.httpStatusCode, 400);
    if (message) assert.equal(e.message, message);
    return true;
  });
};

// The `database` and `keys` values for a new, empty store of the configured kind.
const newStore = (name) => {
  if (store === 'memory') return { database: ':memory:' };
  if (store === 'sqlite') return { database: join(dir, `${name}.sqlite3`) };
  const base = process.env.CONFORMANCE_POSTGRES;
  const database = `conformance_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  execFileSync('psql', [`${base}/postgres`, '-qc', `CREATE DATABASE ${database}`]);
  // Without a file beside a database, every process must be given the same keys.
  const keys = join(dir, `${name}.keys.json`);
  writeFileSync(keys, JSON.stringify({ current: 1, keys: { 1: randomBytes(32).toString('base64') } }), { mode: 0o600 });
  return { database: `${base}/${database}`, keys };
};

// Starts the server processes with `extra` configuration; resolves to [a handle that
// stops them all, an SDK client that sends each command to the next process].
const start = async (name, extra = {}) => {
  const ports = [];
  for (let i = 0; i < processes; i += 1) ports.push(await freePort());
  const config = join(dir, `${name}.json`);
  writeFileSync(config, JSON.stringify({
    listen: `127.0.0.1:${ports[0]}`, user_pool_id: pool, outbox, ...newStore(name),
    clients: [{ client_id: 'publicclient', client_secret: null }, { client_id: 'secretclient', client_secret: 's3cr3t' }],
    ...extra,
  }));
  const children = [];
  const clients = [];
  for (const port of ports) {
    const child = spawn(binary, ['--config', config, '--listen', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((ok) => child.stdout.once('data', ok));
    children.push(child);
    clients.push(new CognitoIdentityProviderClient({
      region: 'us-east-1', endpoint: `http://127.0.0.1:${port}`, maxAttempts: 1,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    }));
  }
  let turn = 0;
  return [
    { kill: () => children.forEach((child) => child.kill()), endpoint: `http://127.0.0.1:${ports[0]}` },
    { send: (command) => clients[turn++ % clients.length].send(command) },
  ];
};

before(async () => {
  [server, client] = await start('legacy');
});

after(() => server?.kill());

test('sign up, confirm with the delivered code, and the email is verified', async () => {
  const username = await signUp(undefined, () => ({}));
  await client.send(new ConfirmSignUpCommand({ ClientId: 'publicclient', Username: username, ConfirmationCode: await code(username) }));
  const user = await client.send(new AdminGetUserCommand({ UserPoolId: pool, Username: username }));
  assert.equal(user.UserStatus, 'CONFIRMED');
  assert.equal(user.UserAttributes.find((a) => a.Name === 'email_verified').Value, 'true');
});

test('a wrong code, an already-confirmed user, an old code after a resend', async () => {
  const username = await signUp(undefined, () => ({}));
  const old = await code(username);
  await rejects(new ConfirmSignUpCommand({ ClientId: 'publicclient', Username: username, ConfirmationCode: 'nope' }),
    CodeMismatchException, 'Invalid verification code provided, please try again.');
  await client.send(new ResendConfirmationCodeCommand({ ClientId: 'publicclient', Username: username }));
  await rejects(new ConfirmSignUpCommand({ ClientId: 'publicclient', Username: username, ConfirmationCode: old }),
    ExpiredCodeException);
  const fresh = await code(username, 1);
  await client.send(new ConfirmSignUpCommand({ ClientId: 'publicclient', Username: username, ConfirmationCode: fresh }));
  await rejects(new ConfirmSignUpCommand({ ClientId: 'publicclient', Username: username, ConfirmationCode: fresh }),
    NotAuthorizedException, 'User cannot be confirmed. Current status is CONFIRMED');
  await rejects(new AdminConfirmSignUpCommand({ UserPoolId: pool, Username: username }), NotAuthorizedException);
});

test('an unknown user, a validation error, and SecretHash checked against Node crypto', async () => {
  await rejects(new ConfirmSignUpCommand({ ClientId: 'publicclient', Username: 'nobody', ConfirmationCode: '1' }),
    UserNotFoundException, 'Username/client id combination not found.');
  await rejects(new ConfirmSignUpCommand({ ClientId: 'publicclient', Username: 'nobody', ConfirmationCode: '1 2' }),
    InvalidParameterException,
    "1 validation error detected: Value at 'confirmationCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\S]+");
  const username = await signUp('secretclient', (u) => ({ SecretHash: secretHash(u, 'secretclient', 's3cr3t') }));
  await rejects(new ConfirmSignUpCommand({ ClientId: 'secretclient', Username: username, ConfirmationCode: await code(username),
    SecretHash: secretHash(username, 'secretclient', 'wrong') }), NotAuthorizedException,
    'Unable to verify secret hash for client secretclient');
  await client.send(new ConfirmSignUpCommand({ ClientId: 'secretclient', Username: username, ConfirmationCode: await code(username),
    SecretHash: secretHash(username, 'secretclient', 's3cr3t') }));
  assert.ok(existsSync(outbox));
});

test('with PreventUserExistenceErrors an unknown user is counted like a real one', async () => {
  const [hiding, hidingClient] = await start('hiding', { prevent_user_existence_errors: true });
  try {
    const confirm = new ConfirmSignUpCommand({ ClientId: 'publicclient', Username: `nobody-${randomUUID()}`, ConfirmationCode: '123456' });
    const names = [];
    for (let i = 0; i < 6; i += 1) {
      await assert.rejects(hidingClient.send(confirm), (e) => { names.push(e.name); return true; });
    }
    assert.deepEqual(names, [...Array(5).fill('CodeMismatchException'), 'TooManyFailedAttemptsException']);
    await assert.rejects(hidingClient.send(confirm), (e) => e instanceof CodeMismatchException === false);
    const sent = await hidingClient.send(new ResendConfirmationCodeCommand({ ClientId: 'publicclient', Username: 'nobody-else' }));
    assert.equal(sent.CodeDeliveryDetails.DeliveryMedium, 'EMAIL');
    assert.match(sent.CodeDeliveryDetails.Destination, /^[a-z]\*\*\*@[a-z]\*\*\*$/);
  } finally {
    hiding.kill();
  }
});

test('admin calls answer only a signature by the key the server knows, within five minutes', async () => {
  const username = await signUp();
  const admin = (options) => new CognitoIdentityProviderClient({
    region: 'us-east-1', endpoint: server.endpoint, maxAttempts: 1,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, ...options,
  });
  const confirm = new AdminConfirmSignUpCommand({ UserPoolId: pool, Username: username });
  const refusals = [
    ['unsigned', { signer: { sign: async (request) => request } }, 'MissingAuthenticationTokenException', 'Missing Authentication Token'],
    ['a wrong secret', { credentials: { accessKeyId: 'test', secretAccessKey: 'wrong' } }, 'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.'],
    ['an unknown key', { credentials: { accessKeyId: 'AKIDUNKNOWN', secretAccessKey: 'test' } }, 'UnrecognizedClientException',
      'The security token included in the request is invalid.'],
    ['a clock six minutes slow', { systemClockOffset: -6 * 60 * 1000 }, 'InvalidSignatureException', /^Signature expired: \d{8}T\d{6}Z is now earlier than/],
    ['a clock six minutes fast', { systemClockOffset: 6 * 60 * 1000 }, 'InvalidSignatureException', /^Signature not yet current: /],
  ];
  for (const [what, options, name, message] of refusals) {
    await assert.rejects(admin(options).send(confirm), (e) => {
      assert.equal(e.name, name, what);
      assert.equal(e.$metadata.httpStatusCode, 400, what);
      if (typeof message === 'string') assert.equal(e.message, message, what);
      else assert.match(e.message, message, what);
      return true;
    });
  }
  const user = await admin({}).send(new AdminGetUserCommand({ UserPoolId: pool, Username: username }));
  assert.equal(user.UserStatus, 'UNCONFIRMED', 'no refused call confirmed the user');
  await admin({}).send(confirm);
  const confirmed = await admin({}).send(new AdminGetUserCommand({ UserPoolId: pool, Username: username }));
  assert.equal(confirmed.UserStatus, 'CONFIRMED', 'the right key confirms');
});
