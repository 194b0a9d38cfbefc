// Cognito's SignUp, ConfirmSignUp, ResendConfirmationCode and the sign-in they lead to, on D1.
import { d1Store, handle } from "confirmation-flow";

interface Env { DB: D1Database; CONFIRMATION_KEY: string; SIGNING_KEY: string; APP_CLIENTS: string; MAILER: Fetcher }

export default {
  fetch: (request, env, ctx) => handle(request, d1Store(env.DB), {
    userPoolId: "us-east-1_EXAMPLE", aliasAttributes: ["email"], // a verified email: one user's
    keys: { current: { id: 1, secret: env.CONFIRMATION_KEY } }, signingKey: env.SIGNING_KEY, // secrets
    clients: env.APP_CLIENTS, // JSON: [{ "clientId": "…", "authSessionMinutes": 3 }]
    deliver: (code) => env.MAILER.fetch("https://mailer/", { method: "POST", body: JSON.stringify(code) }),
    waitUntil: (promise) => ctx.waitUntil(promise),
  }),
  scheduled: async (controller, env) => void (await d1Store(env.DB).prune(controller.scheduledTime)),
} satisfies ExportedHandler<Env>;
