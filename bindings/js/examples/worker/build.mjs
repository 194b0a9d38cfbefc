// Bundles a Worker from src/ with esbuild as wrangler does: `confirmation-flow` resolved
// through the package's own `exports` under the `workerd` condition (the entry that
// instantiates the module itself), and its `.wasm` left a module of its own beside the
// bundle (a CompiledWasm module in workerd). `node build.mjs [worker|configured]` writes dist/.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = resolve(here, '../../pkg');
const WASM = 'confirmation_flow_bg.wasm';

/** Bundles `entry` (default src/`name`.ts) into dist/`name`/; returns the script's path. */
export async function build(name, entry = join(here, 'src', `${name}.ts`)) {
  const out = join(here, 'dist', name);
  mkdirSync(out, { recursive: true });
  await esbuild.build({
    entryPoints: [entry],
    outfile: join(out, 'worker.js'),
    bundle: true,
    format: 'esm',
    target: 'es2022',
    // wrangler's conditions; the package is found by its name, as from node_modules.
    conditions: ['workerd', 'worker', 'browser'],
    external: ['*.wasm'],
    logLevel: 'warning',
  });
  copyFileSync(join(pkg, WASM), join(out, WASM));
  return join(out, 'worker.js');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const name of process.argv.slice(2).length ? process.argv.slice(2) : ['worker', 'configured']) {
    console.log(await build(name));
  }
}
