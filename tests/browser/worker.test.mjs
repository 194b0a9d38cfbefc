// The npm package's README Worker (bindings/js/examples/worker/src/worker.ts: `handle` on
// `d1Store`) in workerd through miniflare, driven from a real browser: headless Chromium
// loads the same page as browser.test.mjs from another origin, and Amplify JS v6 signs up,
// confirms with the code the Worker's MAILER received, and signs in with autoSignIn (the
// Session ConfirmSignUp answered), every call a cross-origin fetch with a preflight.
//
// It needs the package built (`npm run build` in bindings/js, which .ci/edge does): with
// REQUIRE_WORKER=1 (.ci/run) a missing build fails; without, it is skipped with the reason.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { dirname, join, resolve } from 'node:path';
import { build as bundle } from 'esbuild';
import puppeteer from 'puppeteer-core';
import { submit } from './forms.mjs';

const here = import.meta.dirname;
const js = resolve(here, '../../bindings/js');
const built = existsSync(join(js, 'pkg/index.js')) && existsSync(join(js, 'node_modules/miniflare'));
if (!built && process.env.REQUIRE_WORKER) throw new Error('bindings/js is not built: run .ci/edge (npm ci && npm run build there)');
const skip = !built && 'bindings/js is not built: run .ci/edge first';

const chromium = process.env.CHROMIUM ?? '/usr/bin/chromium';
const pool = 'us-east-1_EXAMPLE'; // the README Worker's
const clientId = 'browserclient';
const mail = [];
let mf, endpoint, site, origin, browser;
const transcript = [];

before(async () => {
  if (skip) return;
  const { Miniflare } = await import(join(js, 'node_modules/miniflare/dist/src/index.js'));
  const { build } = await import(join(js, 'examples/worker/build.mjs'));
  const pair = await crypto.subtle.generateKey(
    { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    true, ['sign', 'verify'],
  );
  const scriptPath = await build('worker');
  mf = new Miniflare({
    modules: true,
    scriptPath,
    modulesRoot: dirname(scriptPath), // the Worker's modules are all beside it, outside this directory
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
    compatibilityDate: '2026-04-01',
    d1Databases: { DB: 'browser-db' },
    bindings: {
      CONFIRMATION_KEY: Buffer.alloc(32, 7).toString('base64'),
      SIGNING_KEY: Buffer.from(await crypto.subtle.exportKey('pkcs8', pair.privateKey)).toString('base64'),
      APP_CLIENTS: JSON.stringify([{ clientId, authSessionMinutes: 3 }]),
    },
    serviceBindings: {
      MAILER: async (request) => {
        mail.push(await request.json());
        return new Response(null, { status: 202 });
      },
    },
  });
  endpoint = (await mf.ready).href.replace(/\/$/, '');
  const page = await bundle({
    entryPoints: [join(here, 'page.mjs')], bundle: true, format: 'esm', target: 'es2022', write: false, logLevel: 'warning',
  });
  site = createServer((request, response) => {
    const { pathname } = new URL(request.url, 'http://site');
    const files = { '/': ['text/html; charset=utf-8', readFileSync(join(here, 'index.html'))], '/page.js': ['text/javascript', page.outputFiles[0].contents] };
    const file = files[pathname];
    if (!file) return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': file[0] }).end(file[1]);
  });
  site.listen(0, '127.0.0.1');
  await once(site, 'listening');
  origin = `http://127.0.0.1:${site.address().port}`;
  browser = await puppeteer.launch({
    executablePath: chromium, headless: true, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
});

after(async () => {
  await browser?.close();
  site?.close();
  await mf?.dispose();
});

const code = async (username) => {
  for (let tries = 0; tries < 500; tries += 1) {
    const sent = mail.findLast((message) => message.username === username);
    if (sent) return sent.code;
    await new Promise((ok) => setTimeout(ok, 10));
  }
  throw new Error(`no code for ${username} reached the Worker's MAILER`);
};

test("Amplify signs up, confirms and is signed in by autoSignIn, against the README's Worker", { skip }, async () => {
  const page = await browser.newPage();
  page.on('console', (message) => transcript.push(`[browser ${message.type()}] ${message.text()}`));
  page.on('requestfailed', (request) => transcript.push(`[browser request failed] ${request.url()}: ${request.failure()?.errorText}`));
  try {
    await page.goto(`${origin}/?${new URLSearchParams({ endpoint, pool, client: clientId })}`);
    await page.waitForSelector('body[data-ready]');
    const username = `worker-${randomUUID().slice(0, 12)}`;
    const email = `${username}@example.com`;
    const signedUp = await submit(page, 'sign-up-auto', { username, email, password: 'Passw0rd!' });
    assert.ok(signedUp.ok, `signUp failed: ${JSON.stringify(signedUp)}`);
    assert.deepEqual(signedUp.ok.nextStep.codeDeliveryDetails, { destination: 'w***@e***', deliveryMedium: 'EMAIL', attributeName: 'email' });
    const delivered = await code(username);
    const wrong = await submit(page, 'confirm', { username, code: delivered === '000000' ? '111111' : '000000' });
    assert.equal(wrong.error?.name, 'CodeMismatchException', JSON.stringify(wrong));
    assert.match(wrong.error.requestId, /^[0-9a-f-]{36}$/, 'the request id is exposed to the page');
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
    assert.equal(idToken.iss, `${endpoint}/${pool}`);
    assert.equal(accessToken.client_id, clientId);
  } catch (error) {
    console.error(`--- browser transcript ---\n${transcript.join('\n')}\n---`);
    throw error;
  } finally {
    await page.close();
  }
});
