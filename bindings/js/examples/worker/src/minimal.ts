// Cognito's ConfirmSignUp in a Worker, on D1: decode once, read, decide, compare-and-swap.
import { decode, type FlowError, initSync, Pool, type UserStatus } from "confirmation-flow";
import wasm from "confirmation-flow/confirmation_flow_bg.wasm";

interface Env { DB: D1Database; CONFIRMATION_KEY: string; CLIENT_ID: string }
interface Row { sub: string; status: UserStatus; state: string }
initSync({ module: wasm });
let pool: Pool | undefined;

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    pool ??= new Pool({ region: "us-east-1", userPoolId: "us-east-1_EXAMPLE", autoVerifiedAttributes: ["email"],
      keys: { current: { id: 1, secret: Uint8Array.from(atob(env.CONFIRMATION_KEY), (c) => c.charCodeAt(0)) } } });
    try {
      using operation = decode(pool, "ConfirmSignUp", await request.text());
      const { username, clientId } = operation.needs;
      for (let tries = 8; tries > 0; tries -= 1) {
        const user = await env.DB.prepare("SELECT sub, status, state FROM users WHERE username = ?")
          .bind(username).first<Row>();
        const { write, applied } = operation.decide({
          client: clientId === env.CLIENT_ID ? { clientId } : null,
          user: user && { username, subject: user.sub, status: user.status, confirmation: user.state },
        });
        if (write?.target.kind === "user") { // no PreventUserExistenceErrors here: never a phantom
          const { meta } = await env.DB.prepare("UPDATE users SET state = ?, version = ?, status = "
            + "COALESCE(?, status) WHERE username = ? AND sub = ? AND version = ?")
            .bind(write.state, write.version, write.status, username, write.target.subject, write.expected).run();
          if (meta.changes !== 1) continue; // lost a race: read and decide again
        }
        const { reply } = applied(); // the write is stored, or there is none
        return Response.json(reply.body, { status: reply.httpStatus });
      }
      throw new Error("lost too many races");
    } catch (error) {
      const { body, httpStatus } = error as Partial<FlowError>;
      return Response.json(body ?? { __type: "InternalErrorException" }, { status: httpStatus ?? 500 });
    }
  },
} satisfies ExportedHandler<Env>;
