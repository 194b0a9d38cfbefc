// The package in Deno: initialised from bytes with the async `init`, the contract's loop
// over the shared in-memory store, typed through the generated declarations (`deno test`
// type-checks this file against pkg/confirmation_flow.d.ts).
import assert from "node:assert/strict";

import init, {
  ClientSecret,
  decode,
  type FlowError,
  type Lookup,
  type Outcome,
  Pool,
  readState,
} from "../../pkg/confirmation_flow.js";
import * as lib from "../../pkg/confirmation_flow.js";
import { MemoryStore, poolConfig, serve } from "../support/store.mjs";

await init({
  module_or_path: await Deno.readFile(new URL("../../pkg/confirmation_flow_bg.wasm", import.meta.url)),
});

const T0 = 1_767_225_600;
const at = (seconds: number) => new Date(seconds * 1000);
const CLIENT = { clientId: "edgeclient", preventUserExistenceErrors: true };

Deno.test("sign up, a wrong code, the right code", () => {
  using pool = new Pool(poolConfig());
  const store = new MemoryStore();
  serve(lib, store, pool, CLIENT, "SignUp", {
    ClientId: CLIENT.clientId,
    Username: "alice",
    UserAttributes: [{ Name: "email", Value: "alice@example.com" }],
  }, at(T0));
  const code: string = store.outbox.at(-1).code;
  const wrong = code === "000000" ? "111111" : "000000";
  const body = (ConfirmationCode: string) => ({ ClientId: CLIENT.clientId, Username: "alice", ConfirmationCode });

  const refused = serve(lib, store, pool, CLIENT, "ConfirmSignUp", body(wrong), at(T0 + 60));
  assert.equal(refused.reply.kind, "exception");
  assert.equal(refused.reply.body.__type, "CodeMismatchException");
  const confirmed = serve(lib, store, pool, CLIENT, "ConfirmSignUp", body(code), at(T0 + 61));
  assert.equal(confirmed.reply.kind, "success");
  assert.equal(readState(store.users.get("alice").state, at(T0 + 61)).status, "confirmed");
});

Deno.test("the outcome narrows by kind, as the declarations say", () => {
  using pool = new Pool(poolConfig());
  using operation = decode(pool, "ConfirmSignUp", JSON.stringify({
    ClientId: CLIENT.clientId,
    Username: "mallory",
    ConfirmationCode: "123456",
  }));
  const lookup: Lookup = { client: CLIENT, user: null, phantom: null };
  const outcome: Outcome = operation.decide(lookup, at(T0));
  assert.equal(outcome.write?.target.kind, "phantom");
  if (outcome.write?.target.kind === "phantom") {
    assert.equal(outcome.write.target.id, operation.needs.phantomId);
  }
  assert.equal(outcome.write?.expected, "absent");
  const { reply, after } = outcome.applied();
  if (reply.kind !== "exception") throw new Error("a phantom never confirms");
  assert.equal(reply.exception.name, "CodeMismatchException");
  assert.equal(after.kind, "nothing");
});

Deno.test("errors carry the AWS name, the status and the body", () => {
  using pool = new Pool(poolConfig());
  try {
    decode(pool, "ConfirmSignUp", '{"ClientId": "c", "Username": "", "ConfirmationCode": "1"}');
    assert.fail("an empty username is invalid");
  } catch (caught) {
    const error = caught as FlowError;
    assert.equal(error.name, "InvalidParameterException");
    assert.equal(error.httpStatus, 400);
    assert.equal(error.body.__type, "InvalidParameterException");
  }
});

Deno.test("SecretHash agrees with WebCrypto's HMAC-SHA-256", async () => {
  const secret = "deno-client-secret";
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode("alice" + "client-1"));
  const expected = btoa(String.fromCharCode(...new Uint8Array(mac)));
  using hashes = new ClientSecret(secret);
  assert.equal(hashes.compute("alice", "client-1"), expected);
  assert.equal(hashes.verify("alice", "client-1", expected), true);
  assert.equal(hashes.verify("bob", "client-1", expected), false);
});
