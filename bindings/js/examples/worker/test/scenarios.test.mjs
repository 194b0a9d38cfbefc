// The package's store scenarios (`confirmation-flow/scenarios`) on d1Store, in workerd: each
// on an empty D1 database of its own, driven through `handle` with concurrent requests; and
// d1Store's migrations, raced by five store objects, and a newer schema run on.
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

test('five isolates migrating one database at once: each migration once, every table there', async () => {
  const migrations = new Miniflare({
    modules: true,
    scriptPath: await build('migrations', new URL('workerd/migrations.ts', import.meta.url).pathname),
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
    compatibilityDate: '2026-04-01',
    d1Databases: { DB: 'migrations', NEWER: 'newer' },
  });
  try {
    const at = await migrations.ready;
    const raced = await (await fetch(new URL('race', at))).json();
    assert.deepEqual(raced.failed, []);
    assert.deepEqual(raced.versions, [1]);
    assert.deepEqual(raced.tables, [
      'cognito_destination_budgets', 'cognito_lost_race', 'cognito_migrations', 'cognito_phantoms', 'cognito_users',
    ]);
    // A newer package's schema only added to this one's: this one runs on it.
    const newer = await (await fetch(new URL('newer', at))).json();
    assert.deepEqual(newer, { refused: null, pruned: { phantoms: 0, trimmed: 0, budgets: 0 } });
  } finally {
    await migrations.dispose();
  }
});
