// Amplify JS v6, from its npm package, in a real browser (Debian's chromium, driven headless by
// puppeteer-core) signs up and confirms a user against the example server. The page is served
// from another origin than the server's, so every call is a cross-origin request: CORS as a
// browser enforces it, preflights included.
//
// Needs the release server (`cargo build --release --manifest-path examples/server/Cargo.toml`)
// and the page's bundle (`npm run build`); `CHROMIUM` names the browser (default
// /usr/bin/chromium). `.ci/browser` does all of it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';

const here = dirname(fileURLToPath(import.meta.url));
const SERVER = process.env.CONFORMANCE_SERVER
  ?? join(here, '../../examples/server/target/release/confirmation-flow-server');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const POOL = 'us-east-1_BROWSER';
const CLIENT = 'browserclient';

let home, server, endpoint, site, origin, browser, page;
const browserLog = [];

/** Serves the page's directory on a free port: a second origin. */
async function servePage() {
  const types = { '.html': 'text/html', '.js': 'text/javascript' };
  const files = createServer((request, response) => {
    const name = new URL(request.url, 'http://page').pathname.replace(/^\/$/, '/index.html');
    const path = join(here, 'page', name.replaceAll('..', ''));
    if (!existsSync(path)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': types[name.slice(name.lastIndexOf('.'))] ?? 'text/plain' });
    response.end(readFileSync(path));
  });
  files.listen(0, '127.0.0.1');
  await once(files, 'listening');
  return files;
}

async function startServer(pageOrigin) {
  const config = {
    listen: '127.0.0.1:0',
    user_pool_id: POOL,
    clients: [{ client_id: CLIENT, client_secret: null }],
    database: join(home, 'users.sqlite3'),
    outbox: join(home, 'outbox.jsonl'),
    cors_allowed_origins: [pageOrigin],
  };
  writeFileSync(join(home, 'config.json'), JSON.stringify(config));
  const child = spawn(SERVER, ['--config', join(home, 'config.json')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = await once(createInterface({ input: child.stdout }), 'line');
  assert.match(line, /^listening on http:\/\//, line);
  return { child, url: line.slice('listening on '.length) };
}

/** The newest code delivered to `username` (delivery follows the answer: poll a moment). */
async function codeFor(username) {
  const outbox = join(home, 'outbox.jsonl');
  for (let tries = 0; tries < 500; tries += 1) {
    const lines = existsSync(outbox) ? readFileSync(outbox, 'utf8').split('\n').filter(Boolean) : [];
    const codes = lines.map((line) => JSON.parse(line)).filter((entry) => entry.username === username);
    if (codes.length > 0) return codes.at(-1).code;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no code for ${username}`);
}

/** An admin call from this process (a server-side caller: no `Origin`). */
async function adminGetUser(username) {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AWSCognitoIdentityProviderService.AdminGetUser',
      authorization: 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/cognito-idp/aws4_request',
    },
    body: JSON.stringify({ UserPoolId: POOL, Username: username }),
  });
  assert.equal(response.status, 200);
  return response.json();
}

/** Runs `window.flow[name](...args)` in the page. */
function inPage(name, ...args) {
  return page.evaluate((name, args) => window.flow[name](...args), name, args);
}

before(async () => {
  home = mkdtempSync(join(tmpdir(), 'browser-test-'));
  site = await servePage();
  origin = `http://127.0.0.1:${site.address().port}`;
  ({ child: server, url: endpoint } = await startServer(origin));
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    // As root (CI) chromium runs only without its sandbox.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  page = await browser.newPage();
  page.on('console', (message) => browserLog.push(`console.${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => browserLog.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => browserLog.push(`request failed: ${request.url()} ${request.failure()?.errorText}`));
  await page.goto(`${origin}/index.html`);
  await page.waitForFunction(() => window.flow !== undefined, { timeout: 10_000 });
  await inPage('configure', POOL, CLIENT, endpoint);
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  if (server) await once(server, 'exit');
  site?.close();
  if (home) rmSync(home, { recursive: true, force: true });
  if (process.exitCode) console.error(browserLog.join('\n'));
});

test('Amplify signs up, shows where the code went, and confirms with it', async (t) => {
  t.after(() => { if (t.passed === false) console.error(browserLog.join('\n')); });
  const username = `amplify-${Date.now()}`;
  const signedUp = await inPage('signUp', username, 'Passw0rd!', 'browser@example.com');
  assert.deepEqual(signedUp.error, undefined, browserLog.join('\n'));
  const { isSignUpComplete, userId, nextStep } = signedUp.ok;
  assert.equal(isSignUpComplete, false);
  assert.match(userId, /^[0-9a-f-]{36}$/);
  assert.equal(nextStep.signUpStep, 'CONFIRM_SIGN_UP');
  assert.deepEqual(nextStep.codeDeliveryDetails, {
    deliveryMedium: 'EMAIL', destination: 'b***@e***', attributeName: 'email',
  });

  const code = await codeFor(username);
  const wrong = await inPage('confirmSignUp', username, code === '000000' ? '111111' : '000000');
  assert.equal(wrong.error?.name, 'CodeMismatchException', JSON.stringify(wrong));

  const confirmed = await inPage('confirmSignUp', username, code);
  assert.deepEqual(confirmed.error, undefined, browserLog.join('\n'));
  assert.equal(confirmed.ok.isSignUpComplete, true);
  assert.equal(confirmed.ok.nextStep.signUpStep, 'DONE');

  const user = await adminGetUser(username);
  const attributes = Object.fromEntries(user.UserAttributes.map(({ Name, Value }) => [Name, Value]));
  assert.equal(user.UserStatus, 'CONFIRMED');
  assert.equal(attributes.email_verified, 'true');
  assert.equal(attributes.sub, userId);
});

test('Amplify surfaces the service’s exceptions by name', async () => {
  const taken = `taken-${Date.now()}`;
  assert.equal((await inPage('signUp', taken, 'Passw0rd!', 'taken@example.com')).error, undefined);
  const again = await inPage('signUp', taken, 'Passw0rd!', 'taken@example.com');
  assert.equal(again.error?.name, 'UsernameExistsException', JSON.stringify(again));
  const weak = await inPage('signUp', `weak-${Date.now()}`, 'password', 'weak@example.com');
  assert.equal(weak.error?.name, 'InvalidPasswordException', JSON.stringify(weak));
});

test('a web page cannot call the admin operations, whatever it sends', async () => {
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
  }, endpoint, POOL);
  // Either the preflight already stops it, or the server answers 403; never the users.
  assert.ok(answer.blocked !== undefined || answer.status === 403, JSON.stringify(answer));
  assert.ok(!answer.body?.includes('"Users"'), JSON.stringify(answer));
});
