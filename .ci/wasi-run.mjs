// Runs a wasm32-wasip1 program (a test binary) under Node's built-in WASI: the cargo
// runner for `cargo test --target wasm32-wasip1`. Nothing to install.
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';
import process from 'node:process';

const [file, ...args] = process.argv.slice(2);
const wasi = new WASI({
  version: 'preview1',
  args: [file, ...args],
  env: process.env,
  returnOnExit: true,
  preopens: { '.': '.' },
});
const module = await WebAssembly.compile(await readFile(file));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exit(wasi.start(instance));
