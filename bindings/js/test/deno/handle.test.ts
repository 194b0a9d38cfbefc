// `handle` in Deno, typed through the package's own declarations (pkg/index.d.ts): the
// store scenarios on `memoryStore`, and one request answered as the service answers it.
import assert from "node:assert/strict";

import init, { type Delivery, handle, type HandleOptions, memoryStore } from "../../pkg/index.js";
import { scenarios } from "../../pkg/scenarios.js";

await init({
  module_or_path: await Deno.readFile(new URL("../../pkg/confirmation_flow_bg.wasm", import.meta.url)),
});

for (const scenario of scenarios) {
  Deno.test(`scenario on memoryStore: ${scenario.name}`, () => scenario.run(memoryStore()));
}

Deno.test("handle answers a SignUp with the AWS JSON type, a request id and a delivered code", async () => {
  const delivered: Delivery[] = [];
  const options: HandleOptions = {
    userPoolId: "us-east-1_deno",
    keys: { current: { id: 1, secret: btoa("k".repeat(32)) } },
    clients: [{ clientId: "denoclient" }],
    deliver: (delivery) => void delivered.push(delivery),
  };
  const response = await handle(
    new Request("http://localhost/", {
      method: "POST",
      headers: { "x-amz-target": "AWSCognitoIdentityProviderService.SignUp" },
      body: JSON.stringify({
        ClientId: "denoclient",
        Username: "dina",
        Password: "correct-horse-battery",
        UserAttributes: [{ Name: "email", Value: "dina@example.com" }],
      }),
    }),
    memoryStore(),
    options,
  );
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "application/x-amz-json-1.1");
  assert.ok(response.headers.get("x-amzn-requestid"));
  const body = await response.json();
  assert.equal(body.UserConfirmed, false);
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(delivered[0]?.destination, "dina@example.com");
});
