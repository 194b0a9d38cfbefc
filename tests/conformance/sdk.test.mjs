// Conformance of the example server with the AWS SDK for JavaScript v3: the SDK must raise
// its own typed exceptions (e.name, instanceof) for the server's answers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
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
const binary = process.env.CONFORMANCE_SERVER ?? join(root, 'examples/server/target/release/confirmation-flow-server');
const pool = 'us-east-1_LOCAL';
const dir = mkdtempSync(join(tmpdir(), 'conformance-'));
const outbox = join(dir, 'outbox.jsonl');
let server, client;

const freePort = () => new Promise((ok) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => ok(port)); });
});
const code = (username) => readFileSync(outbox, 'utf8').trim().split('\n').map(JSON.parse)
  .filter((line) => line.username === username).at(-1).code;
const signUp = async (clientId = 'publicclient', extra = {}) => {
  const username = `js-${randomUUID().slice(0, 12)}`;
  await client.send(new SignUpCommand({
    ClientId: clientId, Username: username, Password: 'Passw0rd!',
    UserAttributes: [{ Name: 'email', Value: `${username}@example.com` }], ...extra(username),
  }));
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

before(async () => {
  const port = await freePort();
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({
    listen: `127.0.0.1:${port}`, user_pool_id: pool, outbox, database: ':memory:',
    clients: [{ client_id: 'publicclient', client_secret: null }, { client_id: 'secretclient', client_secret: 's3cr3t' }],
  }));
  server = spawn(binary, ['--config', config], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((ok) => server.stdout.once('data', ok));
  client = new CognitoIdentityProviderClient({
    region: 'us-east-1', endpoint: `http://127.0.0.1:${port}`, maxAttempts: 1,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});

after(() => server?.kill());

test('sign up, confirm with the delivered code, and the email is verified', async () => {
  const username = await signUp(undefined, () => ({}));
  await client.send(new ConfirmSignUpCommand({ ClientId: 'publicclient', Username: username, ConfirmationCode: code(username) }));
  const user = await client.send(new AdminGetUserCommand({ UserPoolId: pool, Username: username }));
  assert.equal(user.UserStatus, 'CONFIRMED');
  assert.equal(user.UserAttributes.find((a) => a.Name === 'email_verified').Value, 'true');
});

test('a wrong code, an already-confirmed user, an old code after a resend', async () => {
  const username = await signUp(undefined, () => ({}));
  const old = code(username);
  await rejects(new ConfirmSignUpCommand({ ClientId: 'publicclient', Username: username, ConfirmationCode: 'nope' }),
    CodeMismatchException, 'Invalid verification code provided, please try again.');
  await client.send(new ResendConfirmationCodeCommand({ ClientId: 'publicclient', Username: username }));
  await rejects(new ConfirmSignUpCommand({ ClientId: 'publicclient', Username: username, ConfirmationCode: old }),
    ExpiredCodeException);
  await client.send(new ConfirmSignUpCommand({ ClientId: 'publicclient', Username: username, ConfirmationCode: code(username) }));
  await rejects(new ConfirmSignUpCommand({ ClientId: 'publicclient', Username: username, ConfirmationCode: code(username) }),
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
  await rejects(new ConfirmSignUpCommand({ ClientId: 'secretclient', Username: username, ConfirmationCode: code(username),
    SecretHash: secretHash(username, 'secretclient', 'wrong') }), NotAuthorizedException,
    'Unable to verify secret hash for client secretclient');
  await client.send(new ConfirmSignUpCommand({ ClientId: 'secretclient', Username: username, ConfirmationCode: code(username),
    SecretHash: secretHash(username, 'secretclient', 's3cr3t') }));
  assert.ok(existsSync(outbox));
});
