// The package's store scenarios (`confirmation-flow/scenarios`) on d1Store, in workerd: each
// on an empty D1 database of its own, driven through `handle` with concurrent requests.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { Miniflare } from 'miniflare';

import { build } from '../build.mjs';

/** More databases than scenarios: a new scenario fails here until this grows. */
const DATABASES = 12;
let mf;
let url;

before(async () => {
  mf = new Miniflare({
    modules: true,
    scriptPath: await build('scenarios', new URL('workerd/scenarios.ts', import.meta.url).pathname),
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
    compatibilityDate: '2026-04-01',
    d1Databases: Object.fromEntries(Array.from({ length: DATABASES }, (_, i) => [`DB${i}`, `scenario-${i}`])),
  });
  url = await mf.ready;
});
after(() => mf?.dispose());

test('every scenario passes on d1Store in workerd', async () => {
  const { count } = await (await fetch(url)).json();
  assert.ok(count >= 7 && count <= DATABASES, `${count} scenarios`);
  for (let index = 0; index < count; index += 1) {
    const answer = await fetch(new URL(`?scenario=${index}`, url));
    const result = await answer.json();
    assert.ok(result.passed, `${result.name}: ${result.error}`);
  }
});
