// Drives the wasm32-unknown-unknown module from Node and checks it against Node's own
// crypto: exits non-zero on any mismatch, and on a module over the size budget.
import { readFile } from 'node:fs/promises';
import { createHmac } from 'node:crypto';
import process from 'node:process';

const [file, budget] = [process.argv[2], Number(process.argv[3] ?? 32768)];
const bytes = await readFile(file);
const { instance } = await WebAssembly.instantiate(bytes, {});
const e = instance.exports;
const buf = () => new Uint8Array(e.memory.buffer, e.buf_ptr(), e.buf_len());
const text = (from, len) => new TextDecoder().decode(buf().slice(from, from + len));
const fail = (message) => { console.error(`wasm smoke: ${message}`); process.exit(1); };

// A wrong code is refused; the issued code (written back) confirms.
buf().fill(9, 0, 32);
buf().set(new TextEncoder().encode('not-it'), 32);
if (e.confirm(6) !== 0) fail('a wrong code confirmed');
const code = text(64, 6);
if (!/^[0-9]{6}$/.test(code)) fail(`issued code ${JSON.stringify(code)} is not six digits`);
buf().set(new TextEncoder().encode(code), 32);
if (e.confirm(6) !== 1) fail('the issued code did not confirm');

// SecretHash against Node's HMAC, on the spec's vector for Bob.
const [secret, user, client] = ['s3cr3t', 'Bob', '7ql4example'];
buf().set(new TextEncoder().encode(secret + user + client), 0);
if (e.secret_hash(secret.length, user.length, client.length) !== 1) fail('secret_hash refused');
const expected = createHmac('sha256', secret).update(user + client).digest('base64');
if (text(1024, 44) !== expected || expected !== 'kWrCOiuCWhyjsCaD2Hv4iyr82fBK4ToBUp/qwQuW+Ko=') {
  fail(`SecretHash ${text(1024, 44)} != ${expected}`);
}

console.log(`wasm smoke: ok; module is ${bytes.length} bytes (budget ${budget})`);
if (bytes.length > budget) fail(`module is ${bytes.length} bytes, over the ${budget}-byte budget`);
