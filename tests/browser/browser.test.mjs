// The example server proven in a real browser: headless Chromium (Debian's, through
// puppeteer-core) loads index.html from one origin, and its script — Amplify JS v6 from the
// npm package, bundled here by esbuild — signs up and confirms a user against the server on
// another origin, so every call is a cross-origin fetch with a CORS preflight.
//
// CHROMIUM names the browser (default /usr/bin/chromium). When anything fails, the browser's
// console, its page errors and failed requests, and the server's log are printed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';
import puppeteer from 'puppeteer-core';
import { submit } from './forms.mjs';
import {
  CognitoIdentityProviderClient, AdminConfirmSignUpCommand, AdminCreateUserCommand, AdminGetUserCommand,
  AdminResetUserPasswordCommand, ConfirmSignUpCommand, GetUserCommand, SignUpCommand, UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';

const here = import.meta.dirname;
const binary = resolve(here, '../../target/release/confirmation-flow-server');
const chromium = process.env.CHROMIUM ?? '/usr/bin/chromium';
const pool = 'us-east-1_LOCAL';
const clientId = 'browserclient';
const password = 'Passw0rd!';

const dir = mkdtempSync(join(tmpdir(), 'browser-test-'));
const outbox = join(dir, 'outbox.jsonl');
const transcript = [];
const note = (line) => transcript.push(line);
let statics = [];
let server, serverExit, endpoint, admin, browser;
let allowedOrigin, otherOrigin;

// Listens on a free loopback port; resolves to the origin.
const listen = async (httpServer) => {
  httpServer.listen(0, '127.0.0.1');
  await once(httpServer, 'listening');
  return `http://127.0.0.1:${httpServer.address().port}`;
};

// The static site: the page and its bundle, nothing else.
const site = (bundle) => (request, response) => {
  const { pathname } = new URL(request.url, 'http://site');
  const files = {
    '/': ['text/html; charset=utf-8', readFileSync(join(here, 'index.html'))],
    '/page.js': ['text/javascript; charset=utf-8', bundle],
  };
  const file = files[pathname];
  if (request.method !== 'GET' || !file) {
    response.writeHead(404).end();
    return;
  }
  response.writeHead(200, { 'content-type': file[0], 'cache-control': 'no-store' }).end(file[1]);
};

// A line the server is still appending has no newline yet: read complete lines only.
const complete = (text) => text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter(Boolean);
const codes = (username) => complete(existsSync(outbox) ? readFileSync(outbox, 'utf8') : '')
  .map(JSON.parse).filter((line) => line.username === username);
// Delivery follows the answer: wait for the first code.
const code = async (username) => {
  for (let tries = 0; tries < 500; tries += 1) {
    const delivered = codes(username);
    if (delivered.length > 0) return delivered.at(-1).code;
    await new Promise((ok) => setTimeout(ok, 10));
  }
  throw new Error(`no code for ${username} in ${outbox}`);
};

// The newest password reset code for `username`, once more than `after` were delivered.
const resetCode = async (username, after = 0) => {
  for (let tries = 0; tries < 500; tries += 1) {
    const delivered = codes(username).filter((line) => 'password_reset_code' in line);
    if (delivered.length > after) return delivered.at(-1).password_reset_code;
    await new Promise((ok) => setTimeout(ok, 10));
  }
  throw new Error(`no reset code for ${username} in ${outbox}`);
};

// The server's log lines for the answers it gave: `{id, method, operation, status}`.
const answered = () => transcript.flatMap((line) => {
  const match = /request\{id=([\w-]+) method=(\w+) .*operation=(\w*).*answered status=(\d+)/.exec(line);
  return match ? [{ id: match[1], method: match[2], operation: match[3], status: Number(match[4]) }] : [];
});

// A refusal the page showed: the service's exception and message, and the request id the
// browser let Amplify read (the server exposes `x-amzn-RequestId` to other origins), which
// must be the one the server logged for that call.
const assertRefused = async (shown, operation, name, message) => {
  assert.ok(shown.error, `${operation} was not refused: ${JSON.stringify(shown)}`);
  const { requestId, ...refusal } = shown.error;
  assert.deepEqual(refusal, { name, message, httpStatusCode: 400 });
  // The log line is written as the answer goes out; give its pipe a moment.
  let logged = [];
  for (let tries = 0; tries < 100 && logged.length === 0; tries += 1) {
    logged = answered().filter((c) => c.id === requestId);
    if (logged.length === 0) await new Promise((ok) => setTimeout(ok, 10));
  }
  assert.deepEqual(logged, [{ id: requestId, method: 'POST', operation, status: 400 }], `request id ${requestId}`);
};

// A new tab at the page from `origin`, its console and failures kept for the transcript.
const open = async (origin) => {
  const page = await browser.newPage();
  page.on('console', (message) => note(`[browser ${message.type()}] ${message.text()}`));
  page.on('pageerror', (error) => note(`[browser page error] ${error.stack ?? error}`));
  page.on('requestfailed', (request) =>
    note(`[browser request failed] ${request.method()} ${request.url()}: ${request.failure()?.errorText}`));
  const query = new URLSearchParams({ endpoint, pool, client: clientId });
  await page.goto(`${origin}/?${query}`);
  await page.waitForSelector('body[data-ready]');
  return page;
};

// Runs a test body; when it fails, prints what the browser and the server said.
const diagnosed = (body) => async () => {
  try {
    await body();
  } catch (error) {
    console.error(`--- browser and server transcript ---\n${transcript.join('\n')}\n---`);
    throw error;
  }
};

before(async () => {
  const bundled = await build({
    entryPoints: [join(here, 'page.mjs')], bundle: true, format: 'esm', target: 'es2022',
    write: false, logLevel: 'warning',
  });
  // The same page on two origins: the server will allow the first only.
  const handler = site(bundled.outputFiles[0].contents);
  statics = [createServer(handler), createServer(handler)];
  [allowedOrigin, otherOrigin] = await Promise.all(statics.map(listen));

  // Port 0: the server binds a free port and names it on its first line.
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({
    listen: '127.0.0.1:0', user_pool_id: pool, database: join(dir, 'users.sqlite3'), outbox,
    clients: [{ client_id: clientId, client_secret: null,
      explicit_auth_flows: ['ALLOW_USER_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_USER_PASSWORD_AUTH',
        'ALLOW_REFRESH_TOKEN_AUTH'] }],
    cors_allowed_origins: [allowedOrigin],
  }));
  server = spawn(binary, ['--config', config], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUST_LOG: 'info,confirmation_flow_server::http=debug' },
  });
  serverExit = once(server, 'exit');
  createInterface({ input: server.stderr }).on('line', (line) => note(`[server] ${line}`));
  const [first] = await Promise.race([
    once(createInterface({ input: server.stdout }), 'line'),
    serverExit.then(([status]) => { throw new Error(`the server exited (${status}):\n${transcript.join('\n')}`); }),
  ]);
  endpoint = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(first)?.[1];
  assert.ok(endpoint, `the server's first line: ${first}`);
  admin = new CognitoIdentityProviderClient({
    region: 'us-east-1', endpoint, maxAttempts: 1,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });

  browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    // Chromium's sandbox refuses to run as root.
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
  note(`[test] ${await browser.version()}; page at ${allowedOrigin} and ${otherOrigin}, server at ${endpoint}`);
});

after(async () => {
  await browser?.close();
  for (const origin of statics) {
    origin.closeAllConnections();
    origin.close();
  }
  if (server?.pid && server.exitCode === null) {
    server.kill('SIGTERM');
    const [status] = await serverExit;
    assert.equal(status, 0, 'the server stops cleanly on SIGTERM');
  }
  rmSync(dir, { recursive: true, force: true });
});

test('Amplify signs up and confirms a user from the allowed origin', diagnosed(async () => {
  const page = await open(allowedOrigin);
  const username = `browser-${randomUUID().slice(0, 12)}`;

  const signedUp = await submit(page, 'sign-up', { username, email: `${username}@example.com`, password });
  assert.ok(signedUp.ok, `signUp failed: ${JSON.stringify(signedUp)}`);
  assert.equal(signedUp.ok.isSignUpComplete, false);
  assert.match(signedUp.ok.userId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.deepEqual(signedUp.ok.nextStep, {
    signUpStep: 'CONFIRM_SIGN_UP',
    codeDeliveryDetails: { destination: 'b***@e***', deliveryMedium: 'EMAIL', attributeName: 'email' },
  });
  const delivered = await code(username);

  // A wrong code, refused as Amplify surfaces the service's exception.
  const wrong = delivered === '000000' ? '111111' : '000000';
  await assertRefused(await submit(page, 'confirm', { username, code: wrong }),
    'ConfirmSignUp', 'CodeMismatchException', 'Invalid verification code provided, please try again.');

  const confirmed = await submit(page, 'confirm', { username, code: delivered });
  assert.deepEqual(confirmed, { ok: { isSignUpComplete: true, nextStep: { signUpStep: 'DONE' } } });

  // Once confirmed, the same code again is the service's refusal for a confirmed user.
  await assertRefused(await submit(page, 'confirm', { username, code: delivered }),
    'ConfirmSignUp', 'NotAuthorizedException', 'User cannot be confirmed. Current status is CONFIRMED');

  // The server's side: the user is confirmed and the email verified.
  const user = await admin.send(new AdminGetUserCommand({ UserPoolId: pool, Username: username }));
  assert.equal(user.UserStatus, 'CONFIRMED');
  assert.equal(user.UserAttributes.find((a) => a.Name === 'email_verified')?.Value, 'true');
  assert.equal(user.UserAttributes.find((a) => a.Name === 'sub')?.Value, signedUp.ok.userId);

  // Every call was cross-origin: the browser asked first (a preflight), then posted.
  const calls = answered();
  assert.ok(calls.some((c) => c.method === 'OPTIONS' && c.status === 200), JSON.stringify(calls));
  for (const operation of ['SignUp', 'ConfirmSignUp']) {
    assert.ok(calls.some((c) => c.method === 'POST' && c.operation === operation), `${operation}: ${JSON.stringify(calls)}`);
  }
}));

test("Amplify's autoSignIn signs the user in with the Session ConfirmSignUp answered, a wrong code in between too", diagnosed(async () => {
  const page = await open(allowedOrigin);
  const username = `auto-${randomUUID().slice(0, 12)}`;
  const email = `${username}@example.com`;

  const signedUp = await submit(page, 'sign-up-auto', { username, email, password });
  assert.ok(signedUp.ok, `signUp failed: ${JSON.stringify(signedUp)}`);
  const delivered = await code(username);
  // A wrong code first: the sign-up session survives it (amplify-android #3136).
  const wrong = delivered === '000000' ? '111111' : '000000';
  await assertRefused(await submit(page, 'confirm', { username, code: wrong }),
    'ConfirmSignUp', 'CodeMismatchException', 'Invalid verification code provided, please try again.');
  const confirmed = await submit(page, 'confirm', { username, code: delivered });
  assert.deepEqual(confirmed, { ok: { isSignUpComplete: true, nextStep: { signUpStep: 'COMPLETE_AUTO_SIGN_IN' } } });

  const signedIn = await submit(page, 'auto-sign-in', {});
  assert.ok(signedIn.ok, `autoSignIn failed: ${JSON.stringify(signedIn)}`);
  assert.deepEqual(signedIn.ok.signedIn, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
  const { idToken, accessToken } = signedIn.ok;
  assert.equal(idToken.sub, signedUp.ok.userId);
  assert.equal(idToken['cognito:username'], username);
  assert.equal(idToken.email, email);
  assert.equal(idToken.aud, clientId);
  assert.equal(accessToken.client_id, clientId);
  // Through InitiateAuth, cross-origin.
  assert.ok(answered().some((c) => c.method === 'POST' && c.operation === 'InitiateAuth' && c.status === 200),
    JSON.stringify(answered()));
}));

test('Amplify signs an existing user in with USER_PASSWORD_AUTH, and out everywhere', diagnosed(async () => {
  const username = `password-${randomUUID().slice(0, 12)}`;
  await admin.send(new SignUpCommand({
    ClientId: clientId, Username: username, Password: password,
    UserAttributes: [{ Name: 'email', Value: `${username}@example.com` }],
  }));
  await admin.send(new AdminConfirmSignUpCommand({ UserPoolId: pool, Username: username }));
  const page = await open(allowedOrigin);

  const flow = 'USER_PASSWORD_AUTH';
  await assertRefused(await submit(page, 'sign-in', { username, password: 'Wr0ng-password', flow }),
    'InitiateAuth', 'NotAuthorizedException', 'Incorrect username or password.');
  const signedIn = await submit(page, 'sign-in', { username, password, flow });
  assert.ok(signedIn.ok, `signIn failed: ${JSON.stringify(signedIn)}`);
  assert.deepEqual(signedIn.ok.signedIn, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
  assert.equal(signedIn.ok.idToken['cognito:username'], username);
  assert.equal(signedIn.ok.idToken.aud, clientId);

  const signedOut = await submit(page, 'sign-out-everywhere', {});
  assert.deepEqual(signedOut, { ok: { tokens: null } });
  assert.ok(answered().some((c) => c.method === 'POST' && c.operation === 'GlobalSignOut' && c.status === 200),
    JSON.stringify(answered()));
  // The access token the page held is refused from now on.
  await assert.rejects(admin.send(new GetUserCommand({ AccessToken: signedIn.ok.accessToken })),
    (error) => error.name === 'NotAuthorizedException' && error.message === 'Access Token has been revoked');
}));

test("Amplify's default signIn (SRP) signs an existing user in, and refuses a wrong password", diagnosed(async () => {
  const username = `srp-${randomUUID().slice(0, 12)}`;
  await admin.send(new SignUpCommand({
    ClientId: clientId, Username: username, Password: password,
    UserAttributes: [{ Name: 'email', Value: `${username}@example.com` }],
  }));
  await admin.send(new AdminConfirmSignUpCommand({ UserPoolId: pool, Username: username }));
  const page = await open(allowedOrigin);

  // The claim is checked when the challenge is answered.
  await assertRefused(await submit(page, 'sign-in', { username, password: 'Wr0ng-password', flow: '' }),
    'RespondToAuthChallenge', 'NotAuthorizedException', 'Incorrect username or password.');
  const signedIn = await submit(page, 'sign-in', { username, password, flow: '' });
  assert.ok(signedIn.ok, `signIn failed: ${JSON.stringify(signedIn)}`);
  assert.deepEqual(signedIn.ok.signedIn, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
  assert.equal(signedIn.ok.idToken['cognito:username'], username);
  for (const operation of ['InitiateAuth', 'RespondToAuthChallenge']) {
    assert.ok(answered().some((c) => c.method === 'POST' && c.operation === operation && c.status === 200),
      `${operation}: ${JSON.stringify(answered())}`);
  }
}));

test('Amplify signs an invited user in with the temporary password and sets the one they choose', diagnosed(async () => {
  const username = `invited-${randomUUID().slice(0, 12)}`;
  const temporary = 'Temp-Passw0rd!';
  await admin.send(new AdminCreateUserCommand({
    UserPoolId: pool, Username: username, TemporaryPassword: temporary, MessageAction: 'SUPPRESS',
    UserAttributes: [{ Name: 'email', Value: `${username}@example.com` }],
  }));
  const page = await open(allowedOrigin);

  const chosen = 'Ch0sen-Passw0rd!';
  const shown = await submit(page, 'sign-in-new-password', { username, password: temporary, newPassword: chosen });
  assert.ok(shown.ok, `signIn failed: ${JSON.stringify(shown)}`);
  assert.equal(shown.ok.first.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED');
  assert.deepEqual(shown.ok.second, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
  assert.equal(shown.ok.idToken['cognito:username'], username);
  const user = await admin.send(new AdminGetUserCommand({ UserPoolId: pool, Username: username }));
  assert.equal(user.UserStatus, 'CONFIRMED');
  // The chosen password signs in through SRP; the temporary one no longer does.
  const again = await submit(page, 'sign-in', { username, password: chosen, flow: '' });
  assert.deepEqual(again.ok?.signedIn, { isSignedIn: true, nextStep: { signInStep: 'DONE' } }, JSON.stringify(again));
  await assertRefused(await submit(page, 'sign-in', { username, password: temporary, flow: '' }),
    'RespondToAuthChallenge', 'NotAuthorizedException', 'Incorrect username or password.');
}));

test("Amplify's resetPassword and confirmResetPassword set a new password with the code, and signIn asks an administrator's reset for one", diagnosed(async () => {
  const username = `reset-${randomUUID().slice(0, 12)}`;
  await admin.send(new SignUpCommand({
    ClientId: clientId, Username: username, Password: password,
    UserAttributes: [{ Name: 'email', Value: `${username}@example.com` }],
  }));
  await admin.send(new ConfirmSignUpCommand({ ClientId: clientId, Username: username, ConfirmationCode: await code(username) }));
  const page = await open(allowedOrigin);

  const sent = await submit(page, 'reset-password', { username });
  assert.deepEqual(sent.ok, {
    isPasswordReset: false,
    nextStep: {
      resetPasswordStep: 'CONFIRM_RESET_PASSWORD_WITH_CODE',
      codeDeliveryDetails: { deliveryMedium: 'EMAIL', destination: 'r***@e***', attributeName: 'email' },
    },
  }, JSON.stringify(sent));
  const delivered = await resetCode(username);
  const chosen = 'R3set-Passw0rd!';
  const wrong = delivered === '000000' ? '111111' : '000000';
  await assertRefused(await submit(page, 'confirm-reset-password', { username, code: wrong, newPassword: chosen }),
    'ConfirmForgotPassword', 'CodeMismatchException', 'Invalid verification code provided, please try again.');
  const reset = await submit(page, 'confirm-reset-password', { username, code: delivered, newPassword: chosen });
  assert.equal(reset.ok, 'reset', JSON.stringify(reset));
  const signedIn = await submit(page, 'sign-in', { username, password: chosen, flow: '' });
  assert.deepEqual(signedIn.ok?.signedIn, { isSignedIn: true, nextStep: { signInStep: 'DONE' } }, JSON.stringify(signedIn));

  // An administrator's reset: Amplify's signIn (SRP) with the password hears it must be reset.
  await admin.send(new AdminResetUserPasswordCommand({ UserPoolId: pool, Username: username }));
  const asked = await submit(page, 'sign-in', { username, password: chosen, flow: '' });
  assert.deepEqual(asked.ok?.signedIn, { isSignedIn: false, nextStep: { signInStep: 'RESET_PASSWORD' } }, JSON.stringify(asked));
  const again = await submit(page, 'confirm-reset-password', { username, code: await resetCode(username, 1), newPassword: 'Ag4in-Passw0rd!' });
  assert.equal(again.ok, 'reset', JSON.stringify(again));
  const user = await admin.send(new AdminGetUserCommand({ UserPoolId: pool, Username: username }));
  assert.equal(user.UserStatus, 'CONFIRMED');
}));

test('a page from an origin the server does not list cannot call it', diagnosed(async () => {
  const page = await open(otherOrigin);
  const username = `browser-${randomUUID().slice(0, 12)}`;
  const posts = answered().filter((c) => c.method === 'POST').length;

  const refused = await submit(page, 'sign-up', { username, email: `${username}@example.com`, password });
  assert.deepEqual(refused, { error: { name: 'NetworkError', message: 'A network error has occurred.' } });
  // It was the browser's CORS check that stopped it, not a missing server.
  assert.ok(transcript.some((line) => line.includes(`from origin '${otherOrigin}' has been blocked by CORS policy`)),
    'the console names the CORS refusal');
  // And the sign-up never reached the server.
  assert.equal(answered().filter((c) => c.method === 'POST').length, posts);
  await assert.rejects(admin.send(new AdminGetUserCommand({ UserPoolId: pool, Username: username })), UserNotFoundException);
  assert.deepEqual(codes(username), []);
}));

test('a page, even from the allowed origin, cannot call an admin operation', diagnosed(async () => {
  const page = await open(allowedOrigin);
  const answer = await page.evaluate(async (endpoint, pool) => {
    try {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'AWSCognitoIdentityProviderService.ListUsers',
          authorization: 'AWS4-HMAC-SHA256 Credential=stolen',
        },
        body: JSON.stringify({ UserPoolId: pool }),
      });
      return { status: response.status, body: await response.text() };
    } catch (error) {
      return { blocked: error.message };
    }
  }, endpoint, pool);
  // Whatever CORS allows, the server refuses any request that carries an Origin: 403.
  assert.equal(answer.status, 403, JSON.stringify(answer));
  assert.match(answer.body, /AccessDeniedException/);
  assert.ok(!answer.body.includes('"Users"'), JSON.stringify(answer));
}));
