// d1Store's migrations inside workerd: `GET /race` migrates one empty database through five
// store objects at once (five isolates' worth: each keeps its own "migrated" promise) and
// answers what the database then holds; `GET /newer` records a schema past the package's (a
// newer version in a gradual deployment) and answers whether the store still works on it.
import { d1Store } from "confirmation-flow";

/** `db` behind an object of its own, as another isolate's `env.DB` would be. */
const another = (db: D1Database) => ({
  prepare: (query: string) => db.prepare(query),
  batch: (statements: D1PreparedStatement[]) => db.batch(statements),
});

export default {
  async fetch(request: Request, env: { DB: D1Database; NEWER: D1Database }): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (path === "/race") {
      const outcomes = await Promise.allSettled(
        Array.from({ length: 5 }, () => d1Store(another(env.DB) as unknown as D1Database).migrate()),
      );
      const versions = await env.DB.prepare("SELECT version FROM cognito_migrations ORDER BY version").all();
      const tables = await env.DB.prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'cognito_%' ORDER BY name",
      ).all();
      return Response.json({
        failed: outcomes.filter((outcome) => outcome.status === "rejected").map((outcome) => String(outcome.reason)),
        versions: versions.results.map((row) => row.version),
        tables: tables.results.map((row) => row.name),
      });
    }
    await d1Store(env.NEWER).migrate();
    await env.NEWER.prepare("INSERT INTO cognito_migrations (version, applied_at) VALUES (99, 0)").run();
    try {
      const store = d1Store(another(env.NEWER) as unknown as D1Database);
      await store.migrate();
      const pruned = await store.prune(Date.now());
      return Response.json({ refused: null, pruned });
    } catch (error) {
      return Response.json({ refused: String(error) });
    }
  },
} satisfies ExportedHandler<{ DB: D1Database; NEWER: D1Database }>;
