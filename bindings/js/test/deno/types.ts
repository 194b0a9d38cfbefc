// `deno check` against the generated declarations: what they accept, and what they must
// refuse. Every `@ts-expect-error` fails the check if the declarations stop catching it,
// so this file also proves the types are not `any`.
import {
  type After,
  afterTrigger,
  decode,
  issue,
  type Lookup,
  type Needs,
  type Outcome,
  Pool,
  readState,
  type Reply,
  type Write,
} from "../../pkg/confirmation_flow.js";

declare const pool: Pool;
declare const lookup: Lookup;

const operation = decode(pool, "ConfirmSignUp", "{}");
const needs: Needs = operation.needs;
const phantomId: string | null = needs.phantomId;
const outcome: Outcome = operation.decide(lookup, new Date());
const served = decode(pool, "AWSCognitoIdentityProviderService.SignUp", "{}", ["SignUp", "ConfirmSignUp"]);
void served;
const write: Write | null = outcome.write;
const expected: number | "absent" | undefined = write?.expected;
const applied: { reply: Reply; after: After } = outcome.applied();
const after: After = applied.after;
if (after.kind === "deliver") {
  const code: string = after.code;
  const attribute: "email" | "phone_number" = after.destination.attribute;
  void code, attribute;
}
const reply: Reply = afterTrigger(applied.reply, { kind: "functionError", error: "no" });
if (reply.kind === "exception") {
  const status: number = reply.exception.httpStatus;
  void status;
}
void phantomId, expected;

// @ts-expect-error: a pool needs its keys
new Pool({ region: "us-east-1", userPoolId: "x", autoVerifiedAttributes: [] });
// @ts-expect-error: a key's secret is bytes, not text
new Pool({ region: "r", userPoolId: "x", autoVerifiedAttributes: [], keys: { current: { id: 1, secret: "k" } } });
// @ts-expect-error: attributes are email or phone_number
new Pool({ region: "r", userPoolId: "x", autoVerifiedAttributes: ["name"], keys: { current: { id: 1, secret: new Uint8Array(32) } } });
// @ts-expect-error: a user's status is one of Cognito's
operation.decide({ user: { username: "a", subject: "s", status: "confirmed", confirmation: "{}" } });
// @ts-expect-error: a stored state is JSON text
operation.decide({ phantom: { version: 1 } });
// @ts-expect-error: the reply comes from applied(), once the write is stored, not from the outcome
void outcome.reply;
// @ts-expect-error: and so does what follows the write
void outcome.after;
// @ts-expect-error: the write is read, not replaced
outcome.write = null;
// @ts-expect-error: there is no such trigger outcome
afterTrigger(applied.reply, { kind: "maybe" });
// @ts-expect-error: a success has no exception to read
if (applied.reply.kind === "success") void applied.reply.exception;
// @ts-expect-error: needs are read, not written
operation.needs = needs;
// @ts-expect-error: time is a Date or milliseconds, not text
operation.decide(lookup, "2026-01-01T00:00:00Z");
// Milliseconds type-check (seconds are refused when the call runs: a RangeError).
issue(pool, "sub", Date.now());
// @ts-expect-error: decode serves operations by their bare names
decode(pool, "SignUp", "{}", ["AWSCognitoIdentityProviderService.SignUp"]);
// @ts-expect-error: the time values a state holds are named by their unit
void readState("{}").expiresAt;
