// The Worker with options `handle` and `d1Store` take beyond the README's: phone numbers as
// aliases, a policy, a PostConfirmation trigger, the browser origins allowed, a smaller body
// limit, a cap on phantoms, and a second key being rotated in. (Not here: `now`, for tests;
// `serves`; `signingKey` and `issuer`, which the README's Worker shows.)
import { d1Store, handle, type HandleOptions } from "confirmation-flow";

export interface Env {
  DB: D1Database;
  CONFIRMATION_KEY: string;
  /** The key before `CONFIRMATION_KEY`, while codes it tagged may still be used. */
  OLD_CONFIRMATION_KEY?: string;
  APP_CLIENTS: string;
  MAILER: Fetcher;
  /** The service that runs the PostConfirmation trigger: `POST` with the event. */
  TRIGGER: Fetcher;
  /** A decimal string: how many phantoms `prune` keeps (default 10,000). */
  PHANTOMS_KEPT?: string;
}

function options(env: Env, ctx: ExecutionContext): HandleOptions {
  return {
    userPoolId: "us-east-1_EXAMPLE",
    region: "us-east-1",
    keys: {
      current: { id: 2, secret: env.CONFIRMATION_KEY },
      older: env.OLD_CONFIRMATION_KEY ? [{ id: 1, secret: env.OLD_CONFIRMATION_KEY }] : [],
    },
    clients: env.APP_CLIENTS,
    autoVerifiedAttributes: ["email"],
    aliasAttributes: ["email", "phone_number"],
    policy: { codeTtlSeconds: 24 * 3600, attemptsPerCode: 5 },
    allowedOrigins: ["https://app.example.com"],
    maxBodyBytes: 16 * 1024,
    deliver: (code) => env.MAILER.fetch("https://mailer/", { method: "POST", body: JSON.stringify(code) }),
    waitUntil: (promise) => ctx.waitUntil(promise),
    // Its failure is the answer (the user stays confirmed), as the service answers it.
    // What it says reaches the caller, as the service passes a Lambda's error on: say little.
    postConfirmation: async (event) => {
      const ran = await env.TRIGGER.fetch("https://trigger/", { method: "POST", body: JSON.stringify(event) });
      if (!ran.ok) return { kind: "functionError", error: `the trigger answered ${ran.status}` };
    },
  };
}

export default {
  fetch: (request, env, ctx) => handle(request, d1Store(env.DB), options(env, ctx)),
  async scheduled(controller, env) {
    const store = d1Store(env.DB, env.PHANTOMS_KEPT ? { phantomsKept: Number(env.PHANTOMS_KEPT) } : {});
    const pruned = await store.prune(controller.scheduledTime);
    console.log(`pruned ${pruned.phantoms} phantoms, ${pruned.trimmed} past the cap, ${pruned.budgets} budgets`);
  },
} satisfies ExportedHandler<Env>;
