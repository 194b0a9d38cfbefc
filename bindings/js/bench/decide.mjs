// Decisions per second: `operation.decide(lookup, now)` through the WebAssembly module in
// Node, next to the same decision natively (examples/native_decide.rs: the same Rust core,
// given the look-up as the JSON text JSON.stringify makes of it here).
//
//   node bench/decide.mjs [--seconds 2] [--no-native]
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createHmac } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import * as lib from '../pkg/confirmation_flow.js';

const here = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '2' }, 'no-native': { type: 'boolean', default: false } },
});
const seconds = Number(values.seconds);
lib.initSync({ module: await readFile(resolve(here, 'pkg/confirmation_flow_bg.wasm')) });

const T0 = 1_767_225_600;
const at = (seconds) => new Date(seconds * 1000);
const NOW = at(T0 + 60);
const pool = new lib.Pool({
  region: 'us-east-1',
  userPoolId: 'us-east-1_bench',
  keys: { current: { id: 1, secret: new Uint8Array(32).fill(0x42) } },
  autoVerifiedAttributes: ['email'],
});
const issued = lib.issue(pool, 'sub-of-alice', at(T0));
const wrong = issued.code === '000000' ? '111111' : '000000';
const secret = 'the-client-secret';
const hash = createHmac('sha256', secret).update('alice' + 'bench').digest('base64');

const cases = [
  ['ConfirmSignUp, wrong code', wrong, null],
  ['ConfirmSignUp, right code', issued.code, null],
  ['ConfirmSignUp, wrong code, SecretHash', wrong, secret],
];

const wasm = new Map();
for (const [name, code, clientSecret] of cases) {
  const body = { ClientId: 'bench', Username: 'alice', ConfirmationCode: code };
  if (clientSecret) body.SecretHash = hash;
  const operation = lib.decode(pool, 'ConfirmSignUp', JSON.stringify(body));
  const lookup = {
    client: { clientId: 'bench', secret: clientSecret, preventUserExistenceErrors: true },
    user: {
      username: 'alice', subject: 'sub-of-alice', status: 'UNCONFIRMED', confirmation: issued.state,
      email: 'alice@example.com', attributes: { sub: 'sub-of-alice', email: 'alice@example.com' },
    },
    phantom: null,
    aliasOwners: { email: null, phoneNumber: null },
  };
  const first = operation.decide(lookup, NOW).applied();
  const expected = code === issued.code ? 'success' : 'exception';
  if (first.reply.kind !== expected) throw new Error(`${name}: unexpected outcome ${JSON.stringify(first.reply)}`);
  let calls = 0;
  const started = process.hrtime.bigint();
  const budget = BigInt(Math.round(seconds * 1e9));
  while (process.hrtime.bigint() - started < budget) {
    for (let i = 0; i < 256; i += 1) operation.decide(lookup, NOW);
    calls += 256;
  }
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  wasm.set(name, calls / elapsed);
  operation.free();
}

const native = new Map();
if (!values['no-native']) {
  const output = execFileSync(
    'cargo',
    ['run', '--quiet', '--profile', 'native', '--example', 'native_decide', '--', String(seconds)],
    { cwd: here, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  for (const line of output.trim().split('\n')) {
    const { case: name, perSecond } = JSON.parse(line);
    native.set(name, perSecond);
  }
}

const rate = (n) => (n === undefined ? '—' : `${Math.round(n).toLocaleString('en-US')}/s`);
const micros = (n) => (n === undefined ? '—' : `${(1e6 / n).toFixed(2)} µs`);
console.log(`decide: ${seconds} s per case, Node ${process.version}, one decide per call (look-up in, outcome out)`);
console.log('| case | wasm in Node | per call | native | per call | native ÷ wasm |');
console.log('|---|---|---|---|---|---|');
for (const [name] of cases) {
  const [w, n] = [wasm.get(name), native.get(name)];
  const ratio = n === undefined ? '—' : `${(n / w).toFixed(2)}×`;
  console.log(`| ${name} | ${rate(w)} | ${micros(w)} | ${rate(n)} | ${micros(n)} | ${ratio} |`);
}
