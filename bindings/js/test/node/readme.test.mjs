// The README shows the Worker the tests run, whole, in at most 15 lines; and every code
// block of the package's README parses on the Node the package declares as its minimum
// (`engines.node`), which this suite runs on in CI: no `using`, no syntax newer than it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { transformSync } from 'esbuild';

const read = (path) => readFileSync(new URL(path, import.meta.url), 'utf8');
const readme = read('../../README.md');
const worker = read('../../examples/worker/src/worker.ts');
// The declared minimum's major version (">=20.6": 20; import.meta.resolve needs 20.6).
const minimum = /^>=(\d+)(\.\d+)*$/.exec(JSON.parse(read('../../package.json')).engines.node)[1];

/** The fenced blocks of a Markdown file in `language`. */
const blocks = (markdown, language) =>
  [...markdown.matchAll(new RegExp(`^\`\`\`${language}\\n([\\s\\S]*?)^\`\`\`$`, 'gm'))].map((match) => match[1]);

test('bindings/js/README.md shows the tested Worker, whole, in at most 15 lines', () => {
  assert.ok(blocks(readme, 'ts').includes(worker), 'no block equal to examples/worker/src/worker.ts');
  assert.ok(worker.trimEnd().split('\n').length <= 15);
});

test(`every js and ts block of the README parses on Node ${minimum}`, { skip: process.versions.node.split('.')[0] !== minimum && `not Node ${minimum}` }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'readme-'));
  const snippets = [...blocks(readme, 'js'), ...blocks(readme, 'ts').map((ts) => transformSync(ts, { loader: 'ts' }).code)];
  assert.ok(snippets.length >= 4);
  for (const [index, code] of snippets.entries()) {
    const file = join(dir, `block-${index}.mjs`);
    writeFileSync(file, code);
    // Parsed, not run: a syntax error (`using` on Node 20) fails here.
    execFileSync(process.execPath, ['--check', file], { stdio: 'pipe' });
  }
});

test('node --check fails on `using`, so the test above can fail', { skip: process.versions.node.split('.')[0] !== minimum && `not Node ${minimum}` }, () => {
  const file = join(mkdtempSync(join(tmpdir(), 'readme-')), 'using.mjs');
  writeFileSync(file, 'using handle = open();\n');
  assert.throws(() => execFileSync(process.execPath, ['--check', file], { stdio: 'pipe' }));
});
