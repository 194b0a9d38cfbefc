// Cognito's SignUp, ConfirmSignUp and ResendConfirmationCode on D1: the whole Worker.
import { d1Store, handle } from "confirmation-flow";

interface Env { DB: D1Database; CONFIRMATION_KEY: string; APP_CLIENTS: string; MAILER: Fetcher }

export default {
  fetch: (request, env, ctx) => handle(request, d1Store(env.DB), {
    userPoolId: "us-east-1_EXAMPLE", aliasAttributes: ["email"], // a verified email: one user's
    keys: { current: { id: 1, secret: env.CONFIRMATION_KEY } }, // a secret: 32 bytes, base64
    clients: JSON.parse(env.APP_CLIENTS), // [{ "clientId": "…", "secret": "…" }]
    deliver: (code) => env.MAILER.fetch("https://mailer/", { method: "POST", body: JSON.stringify(code) }),
    waitUntil: (promise) => ctx.waitUntil(promise),
  }),
  scheduled: async (controller, env) => void (await d1Store(env.DB).prune(controller.scheduledTime)),
} satisfies ExportedHandler<Env>;
