// Bundles a Worker from src/ with esbuild, as wrangler would: the package's glue is
// bundled in, and its `.wasm` import stays a module of its own beside the bundle (a
// CompiledWasm module in workerd). `node build.mjs [worker|minimal]` writes dist/.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = resolve(here, '../../pkg');
const WASM = 'confirmation_flow_bg.wasm';

/** The package as a Worker project would import it from node_modules. */
const confirmationFlow = {
  name: 'confirmation-flow',
  setup(build) {
    build.onResolve({ filter: /^confirmation-flow$/ }, () => ({ path: join(pkg, 'confirmation_flow.js') }));
    build.onResolve({ filter: /^confirmation-flow\/confirmation_flow_bg\.wasm$/ }, () => ({
      path: `./${WASM}`,
      external: true,
    }));
  },
};

/** Bundles src/`name`.ts into dist/`name`/; returns the script's path. */
export async function build(name) {
  const out = join(here, 'dist', name);
  mkdirSync(out, { recursive: true });
  await esbuild.build({
    entryPoints: [join(here, 'src', `${name}.ts`)],
    outfile: join(out, 'worker.js'),
    bundle: true,
    format: 'esm',
    target: 'es2022',
    plugins: [confirmationFlow],
    logLevel: 'warning',
  });
  copyFileSync(join(pkg, WASM), join(out, WASM));
  return join(out, 'worker.js');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const name of process.argv.slice(2).length ? process.argv.slice(2) : ['worker', 'minimal']) {
    console.log(await build(name));
  }
}
