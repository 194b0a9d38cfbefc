// The Workers in workerd, through miniflare, on D1 (SQLite), driven over HTTP by the AWS
// SDK for JavaScript v3 with its endpoint set to miniflare's local URL: the README's
// (src/worker.ts: `handle` on `d1Store`) and the one with every option (src/configured.ts).
// Codes are read where the Worker sends them: its MAILER service binding is, here, a
// function of this test (D1 never holds a code).
import assert from 'node:assert/strict';
import { createHash as digest } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';

import {
  AdminConfirmSignUpCommand,
  AliasExistsException,
  CodeMismatchException,
  CognitoIdentityProviderClient,
  ConfirmSignUpCommand,
  InitiateAuthCommand,
  ExpiredCodeException,
  LimitExceededException,
  NotAuthorizedException,
  ResendConfirmationCodeCommand,
  SignUpCommand,
  TooManyFailedAttemptsException,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { Miniflare } from 'miniflare';

import { build } from '../build.mjs';

const KEY = Buffer.alloc(32, 0x42).toString('base64');
const SECRET = 'the-client-secret';
/** The app clients every Worker here serves (`APP_CLIENTS`); `auth` hands out sign-in sessions. */
const APP_CLIENTS = JSON.stringify([
  { clientId: 'public' },
  { clientId: 'secret', secret: SECRET },
  { clientId: 'legacy', preventUserExistenceErrors: false },
  { clientId: 'auth', authSessionMinutes: 3 },
]);
/** The same without `auth`, for the configured Worker, which signs nobody in. */
const PLAIN_CLIENTS = JSON.stringify(JSON.parse(APP_CLIENTS).filter((client) => !client.authSessionMinutes));
/** The tokens' signing key (`SIGNING_KEY`): RSA, PKCS #8 in base64, made for this run. */
const signingPair = await crypto.subtle.generateKey(
  { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
  true,
  ['sign', 'verify'],
);
const SIGNING_KEY = Buffer.from(await crypto.subtle.exportKey('pkcs8', signingPair.privateKey)).toString('base64');

/**
 * Starts `name`'s Worker in miniflare with an empty D1 database, which the store creates
 * its tables in (here on the first scheduled run, so the tests may read them at once).
 */
async function start(name, bindings, serviceBindings = {}) {
  const mf = new Miniflare({
    modules: true,
    scriptPath: await build(name),
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
    compatibilityDate: '2026-04-01',
    d1Databases: { DB: `${name}-db` },
    bindings: { APP_CLIENTS, SIGNING_KEY, ...bindings },
    serviceBindings,
  });
  const url = await mf.ready;
  const db = await mf.getD1Database('DB');
  await (await mf.getWorker()).scheduled({ scheduledTime: new Date(), cron: '* * * * *' });
  const sdk = new CognitoIdentityProviderClient({
    region: 'us-east-1',
    endpoint: url.href,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  return { mf, db, sdk, url };
}

/** What `call` threw (it must throw). */
async function rejection(call) {
  try {
    await call;
  } catch (error) {
    return error;
  }
  assert.fail('expected the call to be refused');
}

describe("the README's Worker: SignUp, ConfirmSignUp and ResendConfirmationCode on D1", () => {
  let mf, db, sdk, url;
  /** What the Worker handed its mail sender, in order. */
  const mail = [];
  /** How many codes each user has been sent by requests that succeeded. */
  const sent = new Map();
  const mailer = async (request) => {
    mail.push(await request.json());
    return new Response(null, { status: 202 });
  };
  before(async () => {
    ({ mf, db, sdk, url } = await start('worker', { CONFIRMATION_KEY: KEY }, { MAILER: mailer }));
  });
  after(() => mf?.dispose());

  /** A request that succeeded sent `username` one more code. */
  const counted = (username) => (result) => {
    sent.set(username, (sent.get(username) ?? 0) + 1);
    return result;
  };
  /**
   * The last code sent to `username`: the Worker hands it over from ctx.waitUntil, after
   * answering, so wait until every code counted has arrived.
   */
  const lastCode = async (username) => {
    for (let waited = 0; ; waited += 10) {
      const codes = mail.filter((message) => message.username === username).map((message) => message.code);
      if (codes.length >= (sent.get(username) ?? 1)) return codes.at(-1);
      if (waited > 10_000) assert.fail(`no code reached the mail sender for ${username}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  const user = (username) => db.prepare('SELECT * FROM cognito_users WHERE username = ?1').bind(username).first();
  const signUp = (Username, email, extra = {}) =>
    sdk.send(new SignUpCommand({
      ClientId: 'public',
      Username,
      Password: 'correct-horse-battery',
      UserAttributes: [{ Name: 'email', Value: email }],
      ...extra,
    })).then(counted(Username));
  const confirm = (Username, ConfirmationCode, extra = {}) =>
    sdk.send(new ConfirmSignUpCommand({ ClientId: 'public', Username, ConfirmationCode, ...extra }));
  const other = (code) => (code === '000000' ? '111111' : '000000');

  test('sign up, then confirm with the delivered code', async () => {
    const signedUp = await signUp('alice', 'alice@example.com');
    assert.equal(signedUp.UserConfirmed, false);
    assert.deepEqual(signedUp.CodeDeliveryDetails, {
      Destination: 'a***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email',
    });
    const row = await user('alice');
    assert.equal(row.status, 'UNCONFIRMED');
    assert.equal(row.sub, signedUp.UserSub);
    const code = await lastCode('alice');
    assert.match(code, /^\d{6}$/);
    assert.ok(!row.state.includes(code), 'the state holds a tag, never the code');

    const confirmed = await confirm('alice', code);
    assert.equal(confirmed.$metadata.httpStatusCode, 200);
    const after = await user('alice');
    assert.equal(after.status, 'CONFIRMED');
    assert.equal(after.email_verified, 1);
    assert.equal(after.version, 2);

    const again = await rejection(confirm('alice', code));
    assert.ok(again instanceof NotAuthorizedException);
    assert.equal(again.message, 'User cannot be confirmed. Current status is CONFIRMED');
    assert.ok(await rejection(signUp('alice', 'alice@example.com')) instanceof Error);
  });

  test('a wrong code is refused, and counted in the row with compare-and-swap', async () => {
    await signUp('bob', 'bob@example.com');
    const code = await lastCode('bob');
    const error = await rejection(confirm('bob', other(code)));
    assert.ok(error instanceof CodeMismatchException);
    assert.equal(error.message, 'Invalid verification code provided, please try again.');
    assert.equal(error.$metadata.httpStatusCode, 400);
    assert.equal((await user('bob')).version, 2);
    await confirm('bob', code);
  });

  test('a resend replaces the code: the old one is expired, the new one confirms', async () => {
    await signUp('carol', 'carol@example.com');
    const first = await lastCode('carol');
    const resent = await sdk.send(new ResendConfirmationCodeCommand({ ClientId: 'public', Username: 'carol' }))
      .then(counted('carol'));
    assert.equal(resent.CodeDeliveryDetails.Destination, 'c***@e***');
    const second = await lastCode('carol');
    if (second !== first) {
      assert.ok(await rejection(confirm('carol', first)) instanceof ExpiredCodeException);
    }
    await confirm('carol', second);
    assert.equal((await user('carol')).status, 'CONFIRMED');
  });

  test('SecretHash: required when the client has a secret, and checked', async () => {
    const hash = (username) => createHash(username, 'secret');
    const send = (command) => sdk.send(command);
    const body = (extra) => new SignUpCommand({
      ClientId: 'secret', Username: 'dave', Password: 'correct-horse-battery',
      UserAttributes: [{ Name: 'email', Value: 'dave@example.com' }], ...extra,
    });
    const missing = await rejection(send(body({})));
    assert.ok(missing instanceof NotAuthorizedException);
    assert.equal(missing.message, 'Client secret is configured with secret but SECRET_HASH was not received');
    const wrong = await rejection(send(body({ SecretHash: await hash('mallory') })));
    assert.equal(wrong.message, 'Unable to verify secret hash for client secret');
    assert.equal(await user('dave'), null, 'a refused SignUp writes nothing');
    await send(body({ SecretHash: await hash('dave') })).then(counted('dave'));
    await send(new ConfirmSignUpCommand({
      ClientId: 'secret', Username: 'dave', ConfirmationCode: await lastCode('dave'), SecretHash: await hash('dave'),
    }));
    assert.equal((await user('dave')).status, 'CONFIRMED');
  });

  test('five wrong codes kill the code; the sixth submission is refused even when right', async () => {
    await signUp('erin', 'erin@example.com');
    const code = await lastCode('erin');
    for (let attempt = 0; attempt < 5; attempt += 1) {
      assert.ok(await rejection(confirm('erin', other(code))) instanceof CodeMismatchException);
    }
    assert.ok(await rejection(confirm('erin', code)) instanceof TooManyFailedAttemptsException);
    assert.equal((await user('erin')).status, 'UNCONFIRMED');
  });

  test('concurrent guesses cannot share an attempt: exactly five are compared', async () => {
    await signUp('frank', 'frank@example.com');
    const code = await lastCode('frank');
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => confirm('frank', other(code)).then(() => 'ok', (error) => error.name)),
    );
    const count = (name) => answers.filter((answer) => answer === name).length;
    assert.equal(count('CodeMismatchException'), 5, answers.join());
    assert.equal(count('ok'), 0);
    // 15 submissions an hour are counted; the rest find the window full.
    assert.equal(count('TooManyFailedAttemptsException'), 10, answers.join());
    assert.equal(count('LimitExceededException'), 5, answers.join());
    assert.equal((await user('frank')).version, 16, 'one version per counted submission');
    assert.ok(await rejection(confirm('frank', code)) instanceof LimitExceededException);
  });

  test('an unknown user under PreventUserExistenceErrors answers as a wrong code, counted like a user', async () => {
    const answers = [];
    for (let attempt = 0; attempt < 6; attempt += 1) {
      answers.push((await rejection(confirm('ghost', '123456'))).name);
    }
    assert.deepEqual(answers, [...Array(5).fill('CodeMismatchException'), 'TooManyFailedAttemptsException']);
    assert.equal(await user('ghost'), null);
    const phantoms = await db.prepare('SELECT id, version FROM cognito_phantoms').all();
    assert.equal(phantoms.results.length, 1);
    assert.equal(phantoms.results[0].version, 7);
    assert.ok(!phantoms.results[0].id.includes('ghost'));
    const resent = await sdk.send(new ResendConfirmationCodeCommand({ ClientId: 'public', Username: 'ghost2' }));
    assert.equal(resent.CodeDeliveryDetails.DeliveryMedium, 'EMAIL');

    // Without it, the service names the fault.
    const legacy = await rejection(sdk.send(new ConfirmSignUpCommand({
      ClientId: 'legacy', Username: 'ghost', ConfirmationCode: '123456',
    })));
    assert.ok(legacy instanceof UserNotFoundException);
  });

  test('a verified email belongs to one user: refused, then taken with ForceAliasCreation', async () => {
    await signUp('gina', 'shared@example.com');
    await confirm('gina', await lastCode('gina'));
    await signUp('hank', 'shared@example.com');
    const code = await lastCode('hank');
    const taken = await rejection(confirm('hank', code));
    assert.ok(taken instanceof AliasExistsException);
    assert.equal(taken.message, 'An account with the email already exists.');
    await confirm('hank', code, { ForceAliasCreation: true });
    assert.equal((await user('hank')).email_verified, 1);
    assert.equal((await user('gina')).email_verified, 0);
  });

  test("the confirmation's Session signs in once, with tokens that verify against the Worker's key set", async () => {
    const signedUp = await sdk.send(new SignUpCommand({
      ClientId: 'auth', Username: 'sesame', Password: 'correct-horse-battery',
      UserAttributes: [{ Name: 'email', Value: 'sesame@example.com' }],
    })).then(counted('sesame'));
    assert.equal(typeof signedUp.Session, 'string');
    const confirmed = await sdk.send(new ConfirmSignUpCommand({
      ClientId: 'auth', Username: 'sesame', ConfirmationCode: await lastCode('sesame'), Session: signedUp.Session,
    }));
    assert.equal(typeof confirmed.Session, 'string');
    const signIn = (Session = confirmed.Session, AuthFlow = 'USER_AUTH') => sdk.send(new InitiateAuthCommand({
      AuthFlow, ClientId: 'auth', AuthParameters: { USERNAME: 'sesame' }, Session,
    }));
    const { AuthenticationResult: tokens, ChallengeParameters } = await signIn();
    assert.deepEqual(ChallengeParameters, {});
    assert.equal(tokens.TokenType, 'Bearer');
    assert.equal(tokens.ExpiresIn, 3600);
    assert.equal(tokens.RefreshToken, undefined, 'nothing here redeems one');
    // Verified by jose, against the key set the Worker publishes where its discovery
    // document (at the issuer, as the service's) says: as an OIDC verifier finds it.
    const discovery = await (await fetch(new URL('us-east-1_EXAMPLE/.well-known/openid-configuration', url))).json();
    const issuer = `${new URL(url).origin}/us-east-1_EXAMPLE`;
    assert.equal(discovery.issuer, issuer);
    const keySet = createRemoteJWKSet(new URL(discovery.jwks_uri));
    const { payload: id, protectedHeader } = await jwtVerify(tokens.IdToken, keySet, { issuer, audience: 'auth', algorithms: ['RS256'] });
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal(id.token_use, 'id');
    assert.equal(id.sub, signedUp.UserSub);
    assert.equal(id['cognito:username'], 'sesame');
    assert.equal(id.email, 'sesame@example.com');
    assert.equal(id.email_verified, true);
    assert.equal(id.exp - id.iat, 3600);
    const { payload: access } = await jwtVerify(tokens.AccessToken, keySet, { issuer, algorithms: ['RS256'] });
    assert.deepEqual([access.token_use, access.client_id, access.username, access.scope],
      ['access', 'auth', 'sesame', 'aws.cognito.signin.user.admin']);
    // A token signed by another key, or altered, does not verify: the check above can fail.
    const [header, body] = tokens.IdToken.split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...id, sub: 'someone-else' })).toString('base64url')}.${tokens.IdToken.split('.')[2]}`;
    await assert.rejects(jwtVerify(forged, keySet, { issuer }));
    assert.ok(body);
    // Once: the session's grant is spent.
    const again = await rejection(signIn());
    assert.ok(again instanceof NotAuthorizedException);
    assert.equal(again.message, 'Invalid session for the user.');
    // A session of another user, a made-up one, and flows this Worker does not offer.
    assert.equal((await rejection(signIn(signedUp.Session))).message, 'Invalid session for the user.');
    const password = await rejection(signIn(undefined, 'USER_PASSWORD_AUTH'));
    assert.equal(password.name, 'InvalidParameterException');
    assert.match(password.message, /^USER_PASSWORD_AUTH is not served here: this pool signs in only with USER_AUTH/);
    // A client without sessions hands none out.
    const plain = await signUp('nosession', 'nosession@example.com');
    assert.equal(plain.Session, undefined);
  });

  test('faults of the request are AWS errors', async () => {
    const post = (target, body) => fetch(url, {
      method: 'POST',
      headers: { 'x-amz-target': `AWSCognitoIdentityProviderService.${target}`, 'content-type': 'application/x-amz-json-1.1' },
      body,
    });
    const malformed = await post('ConfirmSignUp', '{"ClientId": ');
    assert.equal(malformed.status, 400);
    assert.equal((await malformed.json()).__type, 'SerializationException');
    const invalid = await post('ConfirmSignUp', '{"ClientId": "public", "Username": "", "ConfirmationCode": "1"}');
    assert.equal(invalid.headers.get('x-amzn-errortype'), 'InvalidParameterException:');
    const unknown = await post('GetUser', '{}');
    assert.equal((await unknown.json()).__type, 'UnknownOperationException');
    // Too large, whether it says so in Content-Length or streams without one: a 413 before
    // anything is decoded, and no more than the limit held.
    const large = await post('ConfirmSignUp', 'x'.repeat(64 * 1024 + 1));
    assert.equal(large.status, 413);
    assert.equal((await large.json()).__type, 'RequestEntityTooLargeException');
    const chunks = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 3; i += 1) controller.enqueue(new Uint8Array(32 * 1024).fill(0x20));
        controller.close();
      },
    });
    const streamed = await fetch(url, {
      method: 'POST',
      headers: { 'x-amz-target': 'AWSCognitoIdentityProviderService.ConfirmSignUp' },
      body: chunks,
      duplex: 'half',
    });
    assert.equal(streamed.status, 413);
  });

  test('AdminConfirmSignUp is not served, by target or bare name: nobody is confirmed or enumerated', async () => {
    await signUp('judy', 'judy@example.com');
    const code = await lastCode('judy');
    const before = await user('judy');
    for (const target of ['AWSCognitoIdentityProviderService.AdminConfirmSignUp', 'AdminConfirmSignUp']) {
      // A user who exists and one who does not get the same answer: no confirmation, no enumeration.
      for (const Username of ['judy', 'nobody-at-all']) {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.1' },
          body: JSON.stringify({ UserPoolId: 'us-east-1_edge', Username }),
        });
        assert.equal(response.status, 400, `${target} for ${Username}`);
        assert.deepEqual(await response.json(), { __type: 'UnknownOperationException', message: `Unknown operation ${target}` });
      }
    }
    // Through the SDK, signed as an admin caller would sign it: the same refusal.
    const signed = await rejection(sdk.send(new AdminConfirmSignUpCommand({ UserPoolId: 'us-east-1_edge', Username: 'judy' })));
    assert.equal(signed.name, 'UnknownOperationException');
    assert.deepEqual(await user('judy'), before, 'the row is untouched: UNCONFIRMED, the same version and state');
    assert.equal(before.status, 'UNCONFIRMED');
    await confirm('judy', code);
    assert.equal((await user('judy')).status, 'CONFIRMED', 'the code sent at sign-up still confirms');
  });

  /**
   * A destination's budget key as the example server computes it (destinations.rs), for
   * the plain lower-case ASCII addresses of these tests, whose canonical form they are.
   */
  const addressKey = (attribute, value) =>
    digest('sha256').update(`${attribute}\0${value.toLowerCase()}`).digest('hex');
  const budget = (destination, kind) =>
    db.prepare('SELECT * FROM cognito_destination_budgets WHERE destination = ?1 AND kind = ?2')
      .bind(destination, kind).first();
  /** ConfirmSignUp over plain HTTP: the status, the error type header and the body, whole. */
  const confirmRaw = async (Username, ConfirmationCode) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'x-amz-target': 'AWSCognitoIdentityProviderService.ConfirmSignUp',
        'content-type': 'application/x-amz-json-1.1',
      },
      body: JSON.stringify({ ClientId: 'public', Username, ConfirmationCode }),
    });
    return { status: response.status, type: response.headers.get('x-amzn-errortype'), body: await response.json() };
  };

  test("a user with no email spends the account's guess budget, as an unknown user spends its phantom's", async () => {
    // Without it, such a user's ConfirmSignUp wrote nothing where an unknown user's writes a
    // budget row: a difference in time under PreventUserExistenceErrors.
    const signedUp = await sdk.send(new SignUpCommand({
      ClientId: 'public', Username: 'nomail', Password: 'correct-horse-battery', UserAttributes: [],
    }));
    assert.equal(signedUp.UserConfirmed, false);
    assert.equal((await user('nomail')).email, null);
    const account = addressKey('account', 'nomail');
    assert.equal(await budget(account, 'guess'), null);
    const first = await rejection(confirm('nomail', '123456'));
    assert.equal(first.$metadata.httpStatusCode, 400);
    assert.equal((await budget(account, 'guess')).spent, 1);
    await rejection(confirm('nomail', '654321'));
    assert.equal((await budget(account, 'guess')).spent, 2);
  });

  test("20 accounts naming one email get one account's 15 guesses at it, not 20 accounts' worth", async () => {
    // One mailbox, whatever the case it is written in: one budget.
    const names = Array.from({ length: 20 }, (_, i) => `victim-${String(i).padStart(2, '0')}`);
    const address = (i) => (i % 2 ? 'Victim@Example.COM' : 'victim@example.com');
    const codes = [];
    for (const [i, name] of names.slice(0, 6).entries()) {
      await signUp(name, address(i));
      codes.push(await lastCode(name));
    }
    // Fourteen more: their codes are past the address's 6 an hour, and not delivered.
    for (const [i, name] of names.entries()) if (i >= 6) await signUp(name, address(i));
    // Twelve wrong guesses, one from each of twelve accounts (each alone may make 15 an hour).
    for (const name of names.slice(6, 18)) {
      assert.ok(await rejection(confirm(name, '000000')) instanceof CodeMismatchException);
    }
    // Six fresh accounts submit their right codes at once; three guesses are left: exactly
    // three are compared (the budget is spent in one statement, so none is taken twice).
    const answers = await Promise.all(names.slice(0, 6).map((name, i) =>
      confirm(name, codes[i], { ForceAliasCreation: true }).then(() => 'ok', (error) => error)));
    const refused = answers.filter((answer) => answer !== 'ok');
    assert.equal(refused.length, 3, answers.map((answer) => answer.name ?? answer).join());
    for (const error of refused) {
      assert.ok(error instanceof CodeMismatchException, error.name);
      assert.equal(error.message, 'Invalid verification code provided, please try again.');
    }
    const statuses = await Promise.all(names.slice(0, 6).map(async (name) => (await user(name)).status));
    assert.equal(statuses.filter((status) => status === 'CONFIRMED').length, 3, statuses.join());
    // Past the budget even the right code, for an account that has had one guess of its
    // own, answers exactly as a wrong code does, and as an unknown user does.
    const left = names.slice(0, 6).filter((_, i) => statuses[i] === 'UNCONFIRMED');
    const right = await confirmRaw(left[0], codes[names.indexOf(left[0])]);
    assert.deepEqual(right, {
      status: 400,
      type: 'CodeMismatchException:',
      body: { __type: 'CodeMismatchException', message: 'Invalid verification code provided, please try again.' },
    });
    assert.deepEqual(await confirmRaw('victim-unknown', '123456'), right);
    for (const name of left) assert.equal((await user(name)).status, 'UNCONFIRMED');
    // Counted once per submission within the budget: 12 + 3; those past it are not.
    const guesses = await budget(addressKey('email', 'victim@example.com'), 'guess');
    assert.equal(guesses.spent, 15);
    const rows = (await db.prepare('SELECT destination FROM cognito_destination_budgets').all()).results;
    assert.ok(rows.every((row) => !/victim|example/i.test(row.destination)), 'no address in clear');
    assert.match(guesses.destination, /^[0-9a-f]{64}$/);
  });

  test('past 6 codes an hour to one address, codes are not delivered; the answers do not change', async () => {
    const toInbox = () => mail.filter((message) => message.destination.toLowerCase() === 'inbox@example.com');
    const answers = [];
    for (let i = 0; i < 4; i += 1) {
      const signedUp = await sdk.send(new SignUpCommand({
        ClientId: 'public', Username: `inbox-${i}`, Password: 'correct-horse-battery',
        UserAttributes: [{ Name: 'email', Value: i === 3 ? 'INBOX@example.com' : 'inbox@example.com' }],
      }));
      assert.equal(signedUp.UserConfirmed, false);
      answers.push(signedUp.CodeDeliveryDetails);
    }
    for (let i = 0; i < 4; i += 1) {
      const resent = await sdk.send(new ResendConfirmationCodeCommand({ ClientId: 'public', Username: `inbox-${i}` }));
      answers.push(resent.CodeDeliveryDetails);
    }
    // Eight codes asked for, eight answers alike (the mask shows the case it was given).
    for (const details of answers) {
      assert.deepEqual({ ...details, Destination: details.Destination.toLowerCase() },
        { Destination: 'i***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email' });
    }
    for (let waited = 0; toInbox().length < 6; waited += 10) {
      if (waited > 10_000) assert.fail(`only ${toInbox().length} codes reached the mail sender`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(toInbox().length, 6, 'no more than 6 codes an hour reach one address');
    const key = addressKey('email', 'inbox@example.com');
    assert.equal((await budget(key, 'code')).spent, 6);
    // Once the window has passed, a new one starts: the next code is delivered.
    await db.prepare('UPDATE cognito_destination_budgets SET window_start = window_start - 3600 WHERE destination = ?1')
      .bind(key).run();
    await sdk.send(new ResendConfirmationCodeCommand({ ClientId: 'public', Username: 'inbox-0' }));
    for (let waited = 0; toInbox().length < 7; waited += 10) {
      if (waited > 10_000) assert.fail('no code reached the mail sender in a new window');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const renewed = await budget(key, 'code');
    assert.equal(renewed.spent, 1);
    assert.ok(Math.abs(renewed.window_start - Date.now() / 1000) < 60);
  });

  test('destination budgets are deleted by the scheduled handler once their hour has passed, not before', async () => {
    const now = Math.floor(Date.now() / 1000);
    const insert = db.prepare(
      `INSERT INTO cognito_destination_budgets (destination, kind, window_start, window_seconds, spent)
       VALUES (?1, ?2, ?3, 3600, 6)`,
    );
    // At `now`, an hour has passed for 'passed' (a spend now starts a new window), not for 'ending'.
    await db.batch([
      insert.bind('passed', 'code', now - 3600),
      insert.bind('ending', 'guess', now - 3599),
      insert.bind('current', 'code', now),
    ]);
    const left = async () => (await db.prepare(
      "SELECT destination FROM cognito_destination_budgets WHERE destination IN ('passed', 'ending', 'current')",
    ).all()).results.map((row) => row.destination).sort();
    const worker = await mf.getWorker();
    await worker.scheduled({ scheduledTime: new Date(now * 1000), cron: '* * * * *' });
    assert.deepEqual(await left(), ['current', 'ending']);
    await worker.scheduled({ scheduledTime: new Date((now + 1) * 1000), cron: '* * * * *' });
    assert.deepEqual(await left(), ['current']);
  });

  test('no code is kept in D1: the mail sender gets it, after the answer', async () => {
    await signUp('kim', 'kim@example.com');
    const code = await lastCode('kim');
    assert.deepEqual(mail.findLast((message) => message.username === 'kim'),
      { username: 'kim', attribute: 'email', destination: 'kim@example.com', code });
    const tables = (await db.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'",
    ).all()).results.map((row) => row.name);
    assert.deepEqual(tables.sort(), [
      'cognito_destination_budgets', 'cognito_lost_race', 'cognito_migrations', 'cognito_phantoms', 'cognito_users',
    ]);
    /** Every string in a row, and in the JSON a column holds. */
    const strings = (value) => {
      if (typeof value === 'string') {
        let parsed;
        try {
          parsed = JSON.parse(value);
        } catch {
          return [value];
        }
        return typeof parsed === 'object' && parsed !== null ? [value, ...strings(parsed)] : [value];
      }
      return typeof value === 'object' && value !== null ? Object.values(value).flatMap(strings) : [];
    };
    // Every code sent so far, to every user: none is a value in any row.
    const codes = new Set(mail.map((message) => message.code));
    for (const table of tables) {
      for (const row of (await db.prepare(`SELECT * FROM ${table}`).all()).results) {
        for (const value of strings(row)) assert.ok(!codes.has(value), `${table} holds a code`);
      }
    }
  });

  test('phantoms are deleted by the scheduled handler once their windows have passed, not before', async () => {
    const lib = await import('../../../pkg/confirmation_flow.js');
    lib.initSync({ module: readFileSync(new URL('../../../pkg/confirmation_flow_bg.wasm', import.meta.url)) });
    const ids = async () => (await db.prepare('SELECT id FROM cognito_phantoms').all()).results.map((row) => row.id);
    const existing = new Set(await ids());
    assert.ok((await rejection(confirm('lenny', '123456'))) instanceof CodeMismatchException);
    const [id] = (await ids()).filter((phantom) => !existing.has(phantom));
    const row = await db.prepare('SELECT state, prune_after FROM cognito_phantoms WHERE id = ?1').bind(id).first();
    const info = lib.readState(row.state);
    // The later of the code's deadline and the end of the hour's window since the last change.
    assert.equal(row.prune_after, Math.max(info.expiresAtUnixSeconds, info.lastChangedAtUnixSeconds + 3600));
    await db.prepare('INSERT INTO cognito_phantoms (id, state, version, prune_after) VALUES (?1, ?2, 1, ?3)')
      .bind('later', row.state, row.prune_after + 60).run();

    const worker = await mf.getWorker();
    const at = (unixSeconds) => worker.scheduled({ scheduledTime: new Date(unixSeconds * 1000), cron: '* * * * *' });
    await at(row.prune_after);
    assert.ok((await ids()).includes(id), 'not yet: its windows end at prune_after');
    await at(row.prune_after + 1);
    const left = await ids();
    assert.ok(!left.includes(id), 'deleted once its windows have passed');
    assert.ok(left.includes('later'), 'a phantom whose time has not come stays');
    // A phantom answers the same after its row is gone: a new one is made.
    assert.ok((await rejection(confirm('lenny', '123456'))) instanceof CodeMismatchException);
    assert.ok((await ids()).includes(id));
  });
});

describe('the phantom cap: a flood of unknown usernames keeps no more rows than phantomsKept', () => {
  let mf, db, sdk;
  before(async () => {
    ({ mf, db, sdk } = await start('configured', { CONFIRMATION_KEY: KEY, PHANTOMS_KEPT: '3', APP_CLIENTS: PLAIN_CLIENTS }, {
      MAILER: async () => new Response(null, { status: 202 }),
      TRIGGER: async () => new Response(null, { status: 200 }),
    }));
  });
  after(() => mf?.dispose());

  test('the scheduled handler trims phantoms to the cap, oldest first, with their guess budgets', async () => {
    for (let index = 0; index < 6; index += 1) {
      const refused = await rejection(sdk.send(new ConfirmSignUpCommand({
        ClientId: 'public', Username: `ghost-${index}`, ConfirmationCode: '123456',
      })));
      assert.ok(refused instanceof CodeMismatchException, 'an unknown user answers as a wrong code');
    }
    const count = async (sql) => (await db.prepare(sql).first()).n;
    const phantomBudgets = "SELECT COUNT(*) AS n FROM cognito_destination_budgets WHERE destination LIKE 'phantom:%'";
    assert.equal(await count('SELECT COUNT(*) AS n FROM cognito_phantoms'), 6);
    assert.equal(await count(phantomBudgets), 6);
    const newest = (await db.prepare('SELECT id FROM cognito_phantoms ORDER BY prune_after DESC, id DESC LIMIT 3').all())
      .results.map((row) => row.id).sort();
    const worker = await mf.getWorker();
    await worker.scheduled({ scheduledTime: new Date(), cron: '* * * * *' });
    const left = (await db.prepare('SELECT id FROM cognito_phantoms').all()).results.map((row) => row.id).sort();
    assert.deepEqual(left, newest, 'the three furthest from being pruned stay');
    assert.equal(await count(phantomBudgets), 3, 'a trimmed phantom\'s budget goes with it');
    // Below the cap, nothing more goes.
    await worker.scheduled({ scheduledTime: new Date(), cron: '* * * * *' });
    assert.equal(await count('SELECT COUNT(*) AS n FROM cognito_phantoms'), 3);
  });
});

describe('respelled destinations: refused by SignUp, or one budget with the server', () => {
  let mf, db, sdk;
  const mail = [];
  before(async () => {
    ({ mf, db, sdk } = await start('worker', { CONFIRMATION_KEY: KEY }, {
      MAILER: async (request) => {
        mail.push(await request.json());
        return new Response(null, { status: 202 });
      },
    }));
  });
  after(() => mf?.dispose());
  const signUp = (Username, Name, Value) => sdk.send(new SignUpCommand({
    ClientId: 'public', Username, Password: 'correct-horse-battery', UserAttributes: [{ Name, Value }],
  }));

  test('spellings of one phone number or email that each had a budget are InvalidParameterException', async () => {
    const phones = ['+1 212 555 1212', '+1-212-555-1212', '+1 (212) 555-1212', '+1(212)5551212',
      '+012125551212', '+12125551212 ', ' +12125551212', '+1.212.555.1212', '12125551212', '+1\u200b2125551212'];
    const emails = [' victim@example.com ', 'victim@example.com\n', 'victim@example.com.', '"victim"@example.com',
      'vic\u200btim@example.com', 'victim@example.com\ufeff'];
    const cases = [
      ...phones.map((value) => ['phone_number', value, 'Invalid phone number format.']),
      ...emails.map((value) => ['email', value, 'Invalid email address format.']),
    ];
    for (const [i, [attribute, value, message]] of cases.entries()) {
      const error = await rejection(signUp(`respelled-${i}`, attribute, value));
      assert.equal(error.name, 'InvalidParameterException', JSON.stringify(value));
      assert.equal(error.message, message, JSON.stringify(value));
      assert.equal(error.$metadata.httpStatusCode, 400);
    }
    const stored = await db.prepare('SELECT COUNT(*) AS n FROM cognito_users').first();
    assert.equal(stored.n, 0, 'no user stored');
    // The plain spelling is served.
    const served = await signUp('owner', 'phone_number', '+12125551212');
    assert.equal(served.UserConfirmed, false);
  });

  test("the budget keys of the server's vectors: case, fullwidth, +tag, Gmail and IDNA spellings share one", async () => {
    const file = new URL('../../../../../server/tests/destination-keys.json', import.meta.url);
    // Email only: the package keys a phone number as given (ts/destinations.ts, canonicalAddress).
    const vectors = JSON.parse(readFileSync(file, 'utf8')).vectors.filter((vector) => vector.attribute === 'email');
    assert.ok(vectors.length >= 45);
    const signUps = new Map();
    for (const [i, { value, key }] of vectors.entries()) {
      const answer = await signUp(`vector-${i}`, 'email', value);
      assert.equal(answer.CodeDeliveryDetails.DeliveryMedium, 'EMAIL');
      signUps.set(key, (signUps.get(key) ?? 0) + 1);
    }
    // Each key gets its sign-ups' codes, at most 6: Victim+a@Example.com, victim+b@…,
    // ｖｉｃｔｉｍ@ｅｘａｍｐｌｅ.ｃｏｍ and their kin, nine accounts, get six between them.
    const expected = new Map([...signUps].map(([key, count]) => [key, Math.min(count, 6)]));
    const total = [...expected.values()].reduce((sum, n) => sum + n, 0);
    for (let waited = 0; mail.length < total; waited += 10) {
      if (waited > 10_000) assert.fail(`only ${mail.length} of ${total} codes reached the mail sender`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(mail.length, total, 'no code past a budget');
    const rows = (await db.prepare("SELECT destination, spent FROM cognito_destination_budgets WHERE kind = 'code'").all())
      .results;
    assert.deepEqual(new Map(rows.map((row) => [row.destination, row.spent])), expected);
    assert.ok(Math.max(...signUps.values()) > 6, 'one key has more sign-ups than its budget');
  });
});

describe('the configured Worker: origins, the PostConfirmation trigger, the wire', () => {
  let mf, sdk, url;
  const mail = [];
  /** The trigger's answer: 200, or a failure with its text. */
  let triggerAnswer = () => new Response(null, { status: 200 });
  const events = [];
  before(async () => {
    ({ mf, sdk, url } = await start('configured', { CONFIRMATION_KEY: KEY, PHANTOMS_KEPT: '100', APP_CLIENTS: PLAIN_CLIENTS }, {
      MAILER: async (request) => {
        mail.push(await request.json());
        return new Response(null, { status: 202 });
      },
      TRIGGER: async (request) => {
        events.push(await request.json());
        return triggerAnswer();
      },
    }));
  });
  after(() => mf?.dispose());
  const post = (headers, body = '{}') => fetch(url, {
    method: 'POST',
    headers: { 'x-amz-target': 'AWSCognitoIdentityProviderService.SignUp', 'content-type': 'application/x-amz-json-1.1', ...headers },
    body,
  });
  const codeOf = async (username) => {
    for (let waited = 0; ; waited += 10) {
      const sent = mail.findLast((message) => message.username === username);
      if (sent) return sent.code;
      if (waited > 10_000) assert.fail(`no code for ${username}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  const signUp = (Username, email) => sdk.send(new SignUpCommand({
    ClientId: 'public', Username, Password: 'correct-horse-battery', UserAttributes: [{ Name: 'email', Value: email }],
  }));

  test('a listed origin is allowed, by preflight and answer; any other is refused before anything is read', async () => {
    const preflight = await fetch(url, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-amz-target,x-amz-user-agent' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), 'https://app.example.com');
    assert.match(preflight.headers.get('access-control-allow-headers'), /x-amz-target/);
    assert.match(preflight.headers.get('access-control-allow-methods'), /POST/);
    const allowed = await post({ origin: 'https://app.example.com' });
    assert.equal(allowed.status, 400, 'decoded: an empty SignUp is an InvalidParameterException');
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://app.example.com');
    assert.match(allowed.headers.get('access-control-expose-headers'), /x-amzn-requestid/);
    for (const origin of ['https://evil.example', 'null', 'https://app.example.com.evil.example']) {
      const refused = await post({ origin }, JSON.stringify({ ClientId: 'public', Username: 'x', Password: 'y' }));
      assert.equal(refused.status, 403, origin);
      assert.equal(refused.headers.get('access-control-allow-origin'), null);
      assert.equal((await refused.json()).__type, 'AccessDeniedException');
    }
  });

  test('every answer has the AWS JSON type and a request id; other methods are 405', async () => {
    const answers = [await post({}), await post({}, '{')];
    const ids = new Set();
    for (const answer of answers) {
      assert.equal(answer.headers.get('content-type'), 'application/x-amz-json-1.1');
      assert.match(answer.headers.get('x-amzn-requestid'), /^[0-9a-f-]{36}$/);
      ids.add(answer.headers.get('x-amzn-requestid'));
    }
    assert.equal(ids.size, 2, 'one id per request');
    assert.equal(answers[1].headers.get('x-amzn-errortype'), 'SerializationException:');
    const get = await fetch(url);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST, OPTIONS');
  });

  test('the PostConfirmation trigger gets the event; its failure is the answer, the user stays confirmed', async () => {
    await signUp('trig', 'trig@example.com');
    await sdk.send(new ConfirmSignUpCommand({ ClientId: 'public', Username: 'trig', ConfirmationCode: await codeOf('trig') }));
    assert.equal(events.at(-1).triggerSource, 'PostConfirmation_ConfirmSignUp');
    assert.equal(events.at(-1).userName, 'trig');
    assert.equal(events.at(-1).request.userAttributes.email, 'trig@example.com');

    triggerAnswer = () => new Response('the CRM is down', { status: 500 });
    await signUp('trig2', 'trig2@example.com');
    const code = await codeOf('trig2');
    const failed = await rejection(sdk.send(new ConfirmSignUpCommand({ ClientId: 'public', Username: 'trig2', ConfirmationCode: code })));
    assert.equal(failed.name, 'UserLambdaValidationException');
    assert.match(failed.message, /the trigger answered 500/);
    triggerAnswer = () => new Response(null, { status: 200 });
    const again = await rejection(sdk.send(new ConfirmSignUpCommand({ ClientId: 'public', Username: 'trig2', ConfirmationCode: code })));
    assert.ok(again instanceof NotAuthorizedException, 'confirmed already: the trigger ran after the write');
  });

  test('a body over maxBodyBytes is a 413', async () => {
    const large = await post({}, 'x'.repeat(16 * 1024 + 1));
    assert.equal(large.status, 413);
    assert.equal((await large.json()).__type, 'RequestEntityTooLargeException');
  });
});

/** SecretHash as a client computes it: Base64(HMAC-SHA-256(secret, username ‖ clientId)). */
async function createHash(username, clientId) {
  const key = await crypto.subtle.importKey(
    'raw', new TextEncoder().encode(SECRET), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'],
  );
  const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(username + clientId));
  return Buffer.from(mac).toString('base64');
}
