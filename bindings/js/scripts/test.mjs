// `npm test` (after `npm run build`): the package in three runtimes — Node's test runner,
// Deno's (and `deno check` against the generated declarations), and workerd through
// miniflare, driven by the AWS SDK v3.
import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(here, 'node_modules/.bin', name);
const run = (command, args) => execFileSync(command, args, { cwd: here, stdio: 'inherit' });
const only = process.argv.slice(2);
const wanted = (name) => only.length === 0 || only.includes(name);

if (wanted('node')) {
  console.log('\n=== Node', process.version);
  run(process.execPath, ['--test', 'test/node/']);
}

if (wanted('deno')) {
  // Deno from its npm package; no network: node_modules is the only package source.
  process.env.DENO_NO_UPDATE_CHECK = '1';
  process.env.NO_COLOR = '1';
  console.log('\n=== Deno');
  run(bin('deno'), ['--version']);
  run(bin('deno'), ['check', 'test/deno/types.ts']);
  run(bin('deno'), ['test', '--allow-read=pkg', 'test/deno/']);
}

if (wanted('workerd')) {
  // workerd from miniflare's npm dependency; the Workers are type-checked first.
  console.log('\n=== workerd (miniflare)');
  run(bin('tsc'), ['-p', 'examples/worker/tsconfig.json']);
  run(process.execPath, ['--test', 'examples/worker/test/']);
}
