// Runs the package's store scenarios inside workerd, on d1Store: `GET /?scenario=N` runs
// scenario N on the empty database bound as `DB<N>` and answers its name, or a 500 with
// what broke.
import { d1Store } from "confirmation-flow";
import { scenarios } from "confirmation-flow/scenarios";

export default {
  async fetch(request: Request, env: Record<string, D1Database>): Promise<Response> {
    const asked = new URL(request.url).searchParams.get("scenario");
    const scenario = asked === null ? undefined : scenarios[Number(asked)];
    const db = env[`DB${asked}`];
    if (!scenario || !db) return Response.json({ count: scenarios.length });
    try {
      await scenario.run(d1Store(db));
      return Response.json({ name: scenario.name, passed: true });
    } catch (error) {
      return Response.json({ name: scenario.name, passed: false, error: String(error) }, { status: 500 });
    }
  },
} satisfies ExportedHandler<Record<string, D1Database>>;
