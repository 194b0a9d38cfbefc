// `handle(request, store, options)`: an AWS JSON 1.1 request in, the service's answer out.
import { decode, type FlowError, type Operation } from "./confirmation_flow.js";
import { readAtMost } from "./body.js";
import { checkOptions } from "./check.js";
import { mustBeInstantiated } from "./init.js";
import { initiateAuth } from "./initiate.js";
import { discovery, issuer, keySet, signingKey } from "./tokens.js";
import { type HandleOptions, poolOf, served } from "./options.js";
import { serve } from "./serve.js";
import type { Store } from "./store.js";

/** What the AWS SDKs put before an operation's name in `X-Amz-Target`. */
const TARGET_PREFIX = "AWSCognitoIdentityProviderService.";

/** The key set or the discovery document, where the service publishes a pool's; else `undefined`. */
async function wellKnown(options: HandleOptions, path: string, issuedBy: string): Promise<object | undefined> {
  if (path === `/${options.userPoolId}/.well-known/jwks.json`) return keySet(options);
  if (path === `/${options.userPoolId}/.well-known/openid-configuration`) return discovery(issuedBy);
  return undefined;
}

/** The largest body read by default, as the example server's. */
const MAX_BODY = 64 * 1024;

/** The headers the AWS SDKs and Amplify send, which a preflight must allow. */
const ALLOWED_HEADERS = [
  "authorization", "cache-control", "content-type", "x-amz-content-sha256", "x-amz-date",
  "x-amz-security-token", "x-amz-target", "x-amz-user-agent", "amz-sdk-invocation-id", "amz-sdk-request",
].join(", ");
/** The headers a browser's SDK reads from an answer. */
const EXPOSED_HEADERS = "x-amzn-requestid, x-amzn-errortype, x-amzn-errormessage, date";

/**
 * Answers one request to the user pool (`POST` with `X-Amz-Target`, as the AWS SDKs and
 * Amplify send `SignUp`, `ConfirmSignUp` and `ResendConfirmationCode`, and with
 * `options.signingKey` the `InitiateAuth` that redeems a confirmation's `Session`) on `store`,
 * as the service does: the AWS JSON content type, `x-amzn-RequestId`, and for a refusal its
 * exception in the body and in `x-amzn-ErrorType`. Lost races are read and decided again
 * (up to 16 times); a code is handed to `options.deliver` after the answer is made. With a
 * signing key, `GET /<userPoolId>/.well-known/jwks.json` answers the key set.
 *
 * Refused before the body is decoded: an origin not in `options.allowedOrigins` (403), a
 * method other than `POST` (405), a body over `options.maxBodyBytes` (413), and every
 * operation not in `options.serves`, the admin ones always (`UnknownOperationException`:
 * they need a SigV4-signed caller, which `handle` does not check).
 *
 * Never rejects: options that `checkOptions` refuses, a module not instantiated, or a store
 * that fails is a 500 `InternalErrorException` answering only `Internal error.`, the reason
 * logged with `console.error` under the request's id.
 */
export async function handle(request: Request, store: Store, options: HandleOptions): Promise<Response> {
  const requestId = crypto.randomUUID();
  const headers = new Headers({ "x-amzn-requestid": requestId });
  let operation: Operation | undefined;
  try {
    checkOptions(options);
    mustBeInstantiated();
    const serves = served(options);
    const signsIn = options.signingKey !== undefined && serves.includes("InitiateAuth");
    const issuedBy = issuer(options, request.url);
    if (signsIn && request.method === "GET") {
      // Public documents, for verifiers anywhere: any origin may read them.
      const document = await wellKnown(options, new URL(request.url).pathname, issuedBy);
      if (document) {
        headers.set("content-type", "application/json");
        headers.set("cache-control", "public, max-age=300");
        headers.set("access-control-allow-origin", "*");
        return new Response(JSON.stringify(document), { status: 200, headers });
      }
    }
    const origin = request.headers.get("origin");
    const allowed = options.allowedOrigins ?? ["*"];
    const anyOrigin = allowed.includes("*");
    if (!anyOrigin) headers.set("vary", "origin");
    if (origin !== null) {
      if (!anyOrigin && !allowed.includes(origin)) {
        return answer(headers, 403, { __type: "AccessDeniedException", message: "This origin may not call this user pool." });
      }
      headers.set("access-control-allow-origin", anyOrigin ? "*" : origin);
      headers.set("access-control-expose-headers", EXPOSED_HEADERS);
    }
    if (request.method === "OPTIONS") {
      headers.set("access-control-allow-methods", "POST, OPTIONS");
      headers.set("access-control-allow-headers", ALLOWED_HEADERS);
      headers.set("access-control-max-age", "86400");
      return new Response(null, { status: 204, headers });
    }
    if (request.method !== "POST") {
      headers.set("allow", "POST, OPTIONS");
      return new Response(null, { status: 405, headers });
    }
    const pool = poolOf(options);
    const limit = options.maxBodyBytes ?? MAX_BODY;
    const body = await readAtMost(request, limit);
    if (!body) {
      return answer(headers, 413, {
        __type: "RequestEntityTooLargeException",
        message: `The request body is larger than ${limit} bytes`,
      });
    }
    const target = request.headers.get("x-amz-target") ?? "";
    if (signsIn && (target === "InitiateAuth" || target === `${TARGET_PREFIX}InitiateAuth`)) {
      await signingKey(options.signingKey ?? ""); // a key that does not load fails before a session is spent
      const signIn = initiateAuth(pool, options, body);
      if ("refusal" in signIn) return answer(headers, signIn.refusal.httpStatus, signIn.refusal.body);
      operation = signIn.operation;
    } else {
      // An operation not served is refused here, before the body is decoded.
      operation = decode(pool, target, body, serves.filter((name) => name !== "InitiateAuth"));
    }
    const reply = await serve(pool, store, options, operation, body, issuedBy);
    return answer(headers, reply.httpStatus, reply.body);
  } catch (caught) {
    // The package's errors carry what to answer; anything else (the store failing, a
    // misconfiguration) is a 500 that says nothing of it, its reason in the log.
    if (isFlowError(caught) && caught.httpStatus < 500) return answer(headers, caught.httpStatus, caught.body);
    const reason = caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught);
    console.error(`request ${requestId}: ${reason}`);
    return answer(headers, 500, { __type: "InternalErrorException", message: "Internal error." });
  } finally {
    operation?.free();
  }
}

/** The names of the errors the package throws with an answer for the request (400s). */
const REQUEST_FAULTS: readonly string[] = ["InvalidParameterException", "SerializationException", "UnknownOperationException"];

/** Whether `caught` is one of the package's own request faults, with its answer. */
function isFlowError(caught: unknown): caught is FlowError {
  if (!(caught instanceof Error) || !REQUEST_FAULTS.includes(caught.name)) return false;
  const { httpStatus, body } = caught as Partial<FlowError>;
  return typeof httpStatus === "number" && typeof body?.__type === "string" && body.__type === caught.name;
}

/** An AWS JSON 1.1 answer; a refusal's `__type` in `x-amzn-ErrorType` too. */
function answer(headers: Headers, status: number, body: object): Response {
  headers.set("content-type", "application/x-amz-json-1.1");
  const type = (body as { __type?: unknown }).__type;
  if (typeof type === "string") headers.set("x-amzn-errortype", `${type}:`);
  return new Response(JSON.stringify(body), { status, headers });
}
