// `npm run build`: the WebAssembly module and its JavaScript glue in pkg/.
//
//   cargo build (wasm32-unknown-unknown, release) → wasm-bindgen --target web
//   → wasm-opt -Oz (binaryen from npm) → tsc (ts/: handle, the stores, the scenarios)
//   → size gate on the gzipped module and JavaScript, sizes printed.
//
// The wasm-bindgen CLI must be the version Cargo.toml pins (the crate and the CLI speak
// one schema); .ci/edge installs it.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

import * as esbuild from 'esbuild';

const here = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repo = resolve(here, '../..');
const run = (command, args, env = process.env) =>
  execFileSync(command, args, { cwd: here, stdio: 'inherit', env });

// The ceiling the package must stay under: the module and its JavaScript, each gzip -9, in
// bytes (see README.md, "Size": the target is 100 KiB; what stands in the way is
// said there).
const CEILING = Number(readFileSync(join(here, 'size-ceiling'), 'utf8').trim());

const pinned = /wasm-bindgen = \{ version = "=([^"]+)"/.exec(readFileSync(join(here, 'Cargo.toml'), 'utf8'))[1];
const installed = execFileSync('wasm-bindgen', ['--version'], { encoding: 'utf8' }).trim();
if (installed !== `wasm-bindgen ${pinned}`) {
  console.error(`build: Cargo.toml pins wasm-bindgen ${pinned}, but the CLI is "${installed}":`);
  console.error(`  cargo install wasm-bindgen-cli --version ${pinned}`);
  process.exit(1);
}

// Paths in the few panic locations left in the module say nothing about this machine.
const remap = [`--remap-path-prefix=${repo}=confirmation-flow`, `--remap-path-prefix=${homedir()}=~`];
// sha2's compact software SHA-256 (one loop, not 64 unrolled rounds): 7 KB less, for
// decisions that measured no slower within the run-to-run noise in Node (README, "Size").
const compactSha = '--cfg=sha2_backend_soft="compact"';
run('cargo', ['build', '--profile', 'wasm', '--target', 'wasm32-unknown-unknown', '--locked'], {
  ...process.env,
  CARGO_ENCODED_RUSTFLAGS: [...remap, compactSha].join('\x1f'),
});
// A member of the repository's workspace: its target directory is the workspace's.
const built = join(repo, 'target/wasm32-unknown-unknown/wasm/confirmation_flow_js.wasm');
const pkg = join(here, 'pkg');
run('wasm-bindgen', ['--target', 'web', '--out-dir', pkg, '--out-name', 'confirmation_flow', built]);

const wasm = join(pkg, 'confirmation_flow_bg.wasm');
const bindgenSize = statSync(wasm).size;
const optimized = join(pkg, 'confirmation_flow_bg.opt.wasm');
run(join(here, 'node_modules/.bin/wasm-opt'), ['-Oz', '--strip-debug', '--strip-producers', wasm, '-o', optimized]);
renameSync(optimized, wasm);

// The package's own JavaScript (handle, the stores, the scenarios) beside the glue, typed.
run(join(here, 'node_modules/.bin/tsc'), ['-p', join(here, 'ts/tsconfig.json')]);
// Deno types a `.js` import by the declarations its first line names, as wasm-bindgen's glue
// does (tsc keeps no such line where a file opens with an import of types only).
for (const source of readdirSync(join(here, 'ts')).filter((name) => name.endsWith('.ts'))) {
  const name = source.slice(0, -'.ts'.length);
  const emitted = join(pkg, `${name}.js`);
  writeFileSync(emitted, `/* @ts-self-types="./${name}.d.ts" */\n${readFileSync(emitted, 'utf8')}`);
}

// What a Worker uploads, and a cold start downloads, compressed as Workers count it
// (gzip -9): the module, and the package's JavaScript as the workerd entry bundles it
// (glue, handle, d1Store; minified as `wrangler deploy --minify` does).
const bytes = readFileSync(wasm);
const { outputFiles } = await esbuild.build({
  // A Worker of `handle` and `d1Store`, as the README's: what it imports, bundled.
  stdin: { contents: 'export { d1Store, handle } from "./workerd.js";', resolveDir: pkg },
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  external: ['*.wasm'],
  write: false,
  logLevel: 'warning',
});
const script = outputFiles[0].contents;
const gzip = (data) => gzipSync(data, { level: 9 }).length;
const total = gzip(bytes) + gzip(script);
const kb = (n) => `${(n / 1024).toFixed(1)} KiB (${n} bytes)`;
console.log(`size: the module after wasm-bindgen ${kb(bindgenSize)}, after wasm-opt -Oz ${kb(bytes.length)}`);
console.log(`size: gzip -9: the module ${kb(gzip(bytes))}, the JavaScript (minified) ${kb(gzip(script))}`);
console.log(`size: gzip -9 in all ${kb(total)}; ceiling ${kb(CEILING)}; the issue's target is 100 KiB (102400 bytes)`);
if (total > CEILING) {
  console.error(`size: FAILED: the package grew past its ceiling (${total} > ${CEILING} bytes gzipped)`);
  process.exit(1);
}
