// `InitiateAuth`'s body, read here: its one flow the package decides, `USER_AUTH` with the
// `Session` a `ConfirmSignUp` answered with, goes to the module as a session sign-in; every
// other flow is answered as the service answers a flow a pool does not offer.
import { type Operation, type Pool, signIn } from "./confirmation_flow.js";
import { clientOf, type HandleOptions } from "./options.js";

/** `AuthFlow`'s values, as the service model lists them. */
const AUTH_FLOWS = [
  "USER_SRP_AUTH", "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN", "CUSTOM_AUTH", "ADMIN_NO_SRP_AUTH",
  "USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "USER_AUTH",
];

/** An answer made before any decision: the status and the AWS JSON error body. */
export interface Refusal {
  httpStatus: number;
  body: { __type: string; message: string };
}

/**
 * The session sign-in `body` asks for, as an `Operation` to decide, or the refusal to answer.
 *
 * # Errors
 * `InvalidParameterException` from the module for members that break the service model.
 */
export function initiateAuth(
  pool: Pool,
  options: HandleOptions,
  body: Uint8Array,
): { operation: Operation } | { refusal: Refusal } {
  const refuse = (type: string, message: string) => ({ refusal: { httpStatus: 400, body: { __type: type, message } } });
  const invalid = (message: string) => refuse("InvalidParameterException", message);
  const malformed = (fault: string) =>
    refuse("SerializationException", `The body is not a valid InitiateAuth request: ${fault}`);
  let request: unknown;
  try {
    request = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
  } catch {
    return malformed("not JSON");
  }
  if (typeof request !== "object" || request === null || Array.isArray(request)) return malformed("not JSON");
  const { AuthFlow: flow, ClientId: clientId, AuthParameters: parameters, Session: session } =
    request as Record<string, unknown>;
  const text = (value: unknown) => value === undefined || value === null || typeof value === "string";
  const map = parameters === undefined || parameters === null ||
    (typeof parameters === "object" && !Array.isArray(parameters) && Object.values(parameters).every((v) => typeof v === "string"));
  if (!text(flow) || !text(clientId) || !text(session) || !map) return malformed("a member has the wrong type or size");
  const missing = (member: string) =>
    invalid(`1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
  if (typeof clientId !== "string") return missing("clientId");
  if (!/^[\w+]{1,128}$/.test(clientId)) {
    return invalid(
      "1 validation error detected: Value at 'clientId' failed to satisfy constraint: Member must satisfy " +
        "regular expression pattern: [\\w+]+ and have length between 1 and 128",
    );
  }
  if (typeof flow !== "string") return missing("authFlow");
  if (!AUTH_FLOWS.includes(flow)) {
    return invalid(
      `1 validation error detected: Value '${flow.slice(0, 64)}' at 'authFlow' failed to satisfy constraint: ` +
        `Member must satisfy enum value set: [${AUTH_FLOWS.join(", ")}]`,
    );
  }
  const client = clientOf(options, clientId);
  if (!client) {
    return refuse("ResourceNotFoundException", `User pool client ${clientId} does not exist.`);
  }
  if (flow.startsWith("ADMIN_")) return invalid("Initiate Auth method not supported.");
  if (flow !== "USER_AUTH") {
    // Not the service's "flow not enabled" answer: that sends a developer to the app
    // client's settings, where nothing would help.
    return invalid(
      `${flow} is not served here: this pool signs in only with USER_AUTH and the Session ConfirmSignUp answered with`,
    );
  }
  if (client.authSessionMinutes === null || client.authSessionMinutes === undefined) {
    return invalid("USER_AUTH flow not enabled for this client");
  }
  const given = (parameters ?? {}) as Record<string, string>;
  const username = given["USERNAME"];
  if (username === undefined) return invalid("Missing required parameter USERNAME");
  if (typeof session !== "string") {
    return invalid("USER_AUTH without a Session (choosing a challenge) is not served here: pass the Session ConfirmSignUp answered with");
  }
  return { operation: signIn(pool, { clientId, username, secretHash: given["SECRET_HASH"] ?? null, session }) };
}
