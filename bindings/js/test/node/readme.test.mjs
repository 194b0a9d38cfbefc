// The README shows the Worker the tests run: the TypeScript block in bindings/js/README.md
// must be examples/worker/src/minimal.ts, and under 40 lines. (The crate's README links to it.)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

const read = (path) => readFileSync(new URL(path, import.meta.url), 'utf8');
const worker = read('../../examples/worker/src/minimal.ts');

/** The ```ts blocks of a Markdown file. */
const blocks = (markdown) => [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1]);

for (const [name, path] of [
  ['bindings/js/README.md', '../../README.md'],
]) {
  test(`${name} shows the tested Worker, whole`, () => {
    assert.ok(blocks(read(path)).includes(worker), `${name} has no block equal to examples/worker/src/minimal.ts`);
  });
}

test('the Worker is under 40 lines', () => {
  assert.ok(worker.trimEnd().split('\n').length < 40);
});
