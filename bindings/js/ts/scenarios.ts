// The promises a `Store` must keep, as scenarios any store can run: each drives `handle`
// with concurrent requests against an empty store and throws an `Error` saying what broke.
// `d1Store` runs them in workerd, `memoryStore` in Node and Deno; a store of yours runs them
// from your test runner:
//
//   import { scenarios } from "confirmation-flow/scenarios";
//   for (const scenario of scenarios) test(scenario.name, () => scenario.run(await emptyStore()));
import { decode } from "./confirmation_flow.js";
import { handle } from "./handle.js";
import { type Delivery, type HandleOptions, poolOf } from "./options.js";
import type { Store } from "./store.js";

/** One promise of the store, tested. */
export interface Scenario {
  /** What it shows, as a test's name. */
  readonly name: string;
  /**
   * Runs on `store`, which must be empty (no users, phantoms or budgets).
   *
   * # Errors
   * An `Error` whose message says which promise broke and what was seen instead.
   */
  run(store: Store): Promise<void>;
}

const CLIENT = "scenarioclient";
const PASSWORD = "correct-horse-battery";

/** A 2048-bit RSA key for the tokens, PKCS #8 in base64, made once per isolate. */
let testSigningKey: Promise<string> | undefined;
function signingKeyForTests(): Promise<string> {
  testSigningKey ??= (async () => {
    const algorithm = { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" };
    const pair = (await crypto.subtle.generateKey(algorithm, true, ["sign", "verify"])) as CryptoKeyPair;
    const der = new Uint8Array(await crypto.subtle.exportKey("pkcs8", pair.privateKey));
    return btoa(String.fromCharCode(...der));
  })();
  return testSigningKey;
}

/**
 * `handle` on `store` with a test pool whose codes go to `attribute`, its deliveries kept;
 * `attribute` is an alias of the pool unless `aliases` is false.
 */
function harness(store: Store, attribute: "email" | "phone_number" = "email", signingKey?: string, aliases = true) {
  const delivered: Delivery[] = [];
  const pending: Promise<unknown>[] = [];
  const options: HandleOptions = {
    userPoolId: "us-east-1_scenario",
    keys: { current: { id: 1, secret: btoa(String.fromCharCode(...new Array<number>(32).fill(7))) } },
    // Sessions only where something redeems them.
    clients: [signingKey === undefined ? { clientId: CLIENT } : { clientId: CLIENT, authSessionMinutes: 3 }],
    autoVerifiedAttributes: [attribute],
    aliasAttributes: aliases ? [attribute] : [],
    deliver: (delivery) => void delivered.push(delivery),
    waitUntil: (promise) => void pending.push(promise),
    ...(signingKey === undefined ? {} : { signingKey }),
  };
  const call = async (operation: string, body: Record<string, unknown>) => {
    const response = await handle(
      new Request("https://cognito-idp.us-east-1.amazonaws.com/", {
        method: "POST",
        headers: {
          "content-type": "application/x-amz-json-1.1",
          "x-amz-target": `AWSCognitoIdentityProviderService.${operation}`,
        },
        body: JSON.stringify({ ClientId: CLIENT, ...body }),
      }),
      store,
      options,
    );
    const answer = (await response.json()) as { __type?: string; Session?: string; AuthenticationResult?: unknown };
    return { status: response.status, type: answer.__type ?? "ok", body: answer };
  };
  const signUp = async (username: string, address: string) => {
    const { type } = await call("SignUp", {
      Username: username, Password: PASSWORD, UserAttributes: [{ Name: attribute, Value: address }],
    });
    expect(type === "ok", `SignUp of ${username} answered ${type}`);
  };
  /** The last code delivered to `username`, once every delivery under way has ended. */
  const code = async (username: string) => {
    await Promise.all(pending);
    const last = delivered.filter((delivery) => delivery.username === username).at(-1);
    expect(last !== undefined, `no code was delivered to ${username}`);
    return last.code;
  };
  const confirm = (username: string, code: string, extra: Record<string, unknown> = {}) =>
    call("ConfirmSignUp", { Username: username, ConfirmationCode: code, ...extra });
  /**
   * Who holds their address verified, as the store reads each of `usernames`: its
   * `user.attributes` say `email_verified` (or `phone_number_verified`) `"true"`, as the
   * PostConfirmation event carries them.
   */
  const verifiedHolders = async (usernames: string[]) => {
    const holders: string[] = [];
    for (const username of usernames) {
      const operation = decode(poolOf(options), "ConfirmSignUp", JSON.stringify({
        ClientId: CLIENT, Username: username, ConfirmationCode: "000000",
      }));
      try {
        const { user } = await store.read(operation.needs);
        if (user?.attributes?.[`${attribute}_verified`] === "true") holders.push(username);
      } finally {
        operation.free();
      }
    }
    return holders;
  };
  return { call, signUp, code, confirm, verifiedHolders, delivered, pending };
}

function expect(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/** How many of `answers` are each `__type` (`ok` for a success), for messages. */
function tally(answers: { type: string }[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { type } of answers) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

const seen = (counts: Map<string, number>) => JSON.stringify(Object.fromEntries(counts));

/** The scenarios, in the order a store is best built up to pass them. */
export const scenarios: readonly Scenario[] = [
  {
    name: "sign up, then confirm with the delivered code",
    async run(store) {
      const h = harness(store);
      await h.signUp("alice", "alice@example.com");
      const wrong = await h.confirm("alice", (await h.code("alice")) === "000000" ? "111111" : "000000");
      expect(wrong.type === "CodeMismatchException", `a wrong code answered ${wrong.type}`);
      const right = await h.confirm("alice", await h.code("alice"));
      expect(right.type === "ok", `the delivered code answered ${right.type}`);
      const holders = await h.verifiedHolders(["alice"]);
      expect(holders.length === 1, "read() after the confirmation: user.attributes.email_verified is not \"true\"");
    },
  },
  {
    name: "concurrent sign-ups of one username make one user",
    async run(store) {
      const h = harness(store);
      const answers = await Promise.all(Array.from({ length: 10 }, (_, index) =>
        h.call("SignUp", {
          Username: "bob", Password: PASSWORD, UserAttributes: [{ Name: "email", Value: `bob${index}@example.com` }],
        })));
      const counts = tally(answers);
      expect(counts.get("ok") === 1 && counts.get("UsernameExistsException") === 9, `answers: ${seen(counts)}`);
    },
  },
  {
    name: "20 concurrent wrong codes: exactly 5 compared, none shares an attempt",
    async run(store) {
      const h = harness(store);
      await h.signUp("carol", "carol@example.com");
      const code = await h.code("carol");
      const wrong = code === "000000" ? "111111" : "000000";
      const counts = tally(await Promise.all(Array.from({ length: 20 }, () => h.confirm("carol", wrong))));
      expect(counts.get("CodeMismatchException") === 5, `CodeMismatchException must be 5: ${seen(counts)}`);
      expect(!counts.has("ok"), `a wrong code confirmed: ${seen(counts)}`);
      const after = await h.confirm("carol", code);
      expect(after.type !== "ok", "the right code confirmed after its five attempts were spent");
    },
  },
  {
    name: "concurrent confirmations of one email: one verified owner, the other refused",
    async run(store) {
      const h = harness(store);
      await h.signUp("dave", "shared@example.com");
      await h.signUp("erin", "shared@example.com");
      const [dave, erin] = [await h.code("dave"), await h.code("erin")];
      const answers = await Promise.all([h.confirm("dave", dave), h.confirm("erin", erin)]);
      const counts = tally(answers);
      expect(counts.get("ok") === 1 && counts.get("AliasExistsException") === 1, `answers: ${seen(counts)}`);
      const holders = await h.verifiedHolders(["dave", "erin"]);
      expect(holders.length === 1, `verified holders of one email: ${JSON.stringify(holders)}`);
    },
  },
  {
    name: "concurrent confirmations with ForceAliasCreation: both confirmed, one verified owner",
    async run(store) {
      const h = harness(store);
      await h.signUp("fred", "forced@example.com");
      await h.signUp("gina", "forced@example.com");
      const [fred, gina] = [await h.code("fred"), await h.code("gina")];
      const force = { ForceAliasCreation: true };
      const counts = tally(await Promise.all([h.confirm("fred", fred, force), h.confirm("gina", gina, force)]));
      expect(counts.get("ok") === 2, `answers: ${seen(counts)}`);
      const holders = await h.verifiedHolders(["fred", "gina"]);
      expect(holders.length === 1, `verified holders of one email: ${JSON.stringify(holders)}`);
    },
  },
  {
    name: "concurrent confirmations of one phone number: one verified owner, the other refused",
    async run(store) {
      const h = harness(store, "phone_number");
      await h.signUp("hana", "+12125550100");
      await h.signUp("ivan", "+12125550100");
      const [hana, ivan] = [await h.code("hana"), await h.code("ivan")];
      const counts = tally(await Promise.all([h.confirm("hana", hana), h.confirm("ivan", ivan)]));
      expect(counts.get("ok") === 1 && counts.get("AliasExistsException") === 1, `answers: ${seen(counts)}`);
      const holders = await h.verifiedHolders(["hana", "ivan"]);
      expect(holders.length === 1, `verified holders of one phone number: ${JSON.stringify(holders)}`);
    },
  },
  {
    name: "aliases switched on over two verified holders: taking the value clears both",
    async run(store) {
      // Without aliases, two users verify one address, as the service allows.
      const before = harness(store, "email", undefined, false);
      for (const username of ["kim", "lea"]) {
        await before.signUp(username, "already-shared@example.com");
        const confirmed = await before.confirm(username, await before.code(username));
        expect(confirmed.type === "ok", `${username} answered ${confirmed.type}`);
      }
      const h = harness(store);
      await h.signUp("max", "already-shared@example.com");
      const code = await h.code("max");
      const refused = await h.confirm("max", code);
      expect(refused.type === "AliasExistsException", `without ForceAliasCreation: ${refused.type}`);
      const forced = await h.confirm("max", code, { ForceAliasCreation: true });
      expect(forced.type === "ok", `with ForceAliasCreation: ${forced.type}`);
      const holders = await h.verifiedHolders(["kim", "lea", "max"]);
      expect(holders.join() === "max", `verified holders of one email: ${JSON.stringify(holders)}`);
    },
  },
  {
    name: "10 concurrent sign-ins with one confirmation's Session: exactly one let in",
    async run(store) {
      const h = harness(store, "email", await signingKeyForTests());
      const signedUp = await h.call("SignUp", {
        Username: "jane", Password: PASSWORD, UserAttributes: [{ Name: "email", Value: "jane@example.com" }],
      });
      expect(typeof signedUp.body.Session === "string", `SignUp answered no Session: ${signedUp.type}`);
      const confirmed = await h.confirm("jane", await h.code("jane"), { Session: signedUp.body.Session });
      expect(typeof confirmed.body.Session === "string", `ConfirmSignUp answered no Session: ${confirmed.type}`);
      const signIn = () => h.call("InitiateAuth", {
        AuthFlow: "USER_AUTH", AuthParameters: { USERNAME: "jane" }, Session: confirmed.body.Session,
      });
      const answers = await Promise.all(Array.from({ length: 10 }, signIn));
      const counts = tally(answers);
      expect(counts.get("ok") === 1 && counts.get("NotAuthorizedException") === 9, `answers: ${seen(counts)}`);
      expect(answers.some((answer) => answer.body.AuthenticationResult !== undefined), "no tokens for the one let in");
    },
  },
  {
    name: "an unknown user answers as a user with a code: 5 wrong codes, then too many",
    async run(store) {
      const h = harness(store);
      const answers = [];
      for (let attempt = 0; attempt < 6; attempt += 1) answers.push((await h.confirm("nobody", "123456")).type);
      const expected = [...Array<string>(5).fill("CodeMismatchException"), "TooManyFailedAttemptsException"];
      expect(answers.join() === expected.join(), `answers: ${answers.join()}`);
    },
  },
  {
    name: "one address gets 6 codes an hour, however many accounts name it",
    async run(store) {
      const h = harness(store);
      const accounts = ["hank", "iris", "jack", "kate"];
      await Promise.all(accounts.map((username) => h.signUp(username, "victim@example.com")));
      const resent = await Promise.all(accounts.map((username) =>
        h.call("ResendConfirmationCode", { Username: username })));
      expect(resent.every((answer) => answer.type === "ok"), `resends answered: ${seen(tally(resent))}`);
      await Promise.all(h.pending);
      expect(h.delivered.length === 6, `codes delivered to one address: ${h.delivered.length}, not 6`);
    },
  },
];
