// The tokens a session sign-in answers with: an ID token and an access token, RS256 JWTs
// with the service's claims, signed with WebCrypto by the key in `options.signingKey`; and
// the key set (JWKS) they verify against. No refresh token: nothing here redeems one.
import type { After, Reply, UserRecord } from "./confirmation_flow.js";
import type { HandleOptions } from "./options.js";

/** How long the tokens are good for, as the service's default: one hour. */
const VALIDITY_SECONDS = 3600;

/** A signing key, imported once: its key id (its RFC 7638 thumbprint) and public JWK. */
interface SigningKey {
  kid: string;
  key: CryptoKey;
  jwk: JsonWebKey & { kid: string; alg: "RS256"; use: "sig" };
}

/** Keys by their base64 text: imported once per isolate (a few at most: the cache starts over). */
const keys = new Map<string, Promise<SigningKey>>();
const KEYS_KEPT = 8;

/**
 * The signing key `text` holds: an RSA private key of 2048 bits or more, PKCS #8 DER in
 * base64 (or that in PEM).
 *
 * # Errors
 * `TypeError` for text that is not one, naming `options.signingKey` and never its value.
 */
export function signingKey(text: string): Promise<SigningKey> {
  let key = keys.get(text);
  if (!key) {
    if (keys.size >= KEYS_KEPT) keys.clear();
    key = importKey(text);
    keys.set(text, key);
    key.catch(() => keys.delete(text));
  }
  return key;
}

async function importKey(text: string): Promise<SigningKey> {
  const refused = () =>
    new TypeError("options.signingKey: expected an RSA private key of 2048 bits or more, PKCS #8 in base64 or PEM");
  const algorithm = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
  let der: Uint8Array<ArrayBuffer>;
  try {
    const base64 = text.replace(/-----(BEGIN|END) PRIVATE KEY-----/g, "").replace(/\s+/g, "");
    der = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  } catch {
    throw refused();
  }
  let n: string | undefined;
  let e: string | undefined;
  let key: CryptoKey;
  try {
    // Once extractable, for the public half only; then kept where it cannot be exported.
    ({ n, e } = await crypto.subtle.exportKey("jwk", await crypto.subtle.importKey("pkcs8", der, algorithm, true, ["sign"])));
    key = await crypto.subtle.importKey("pkcs8", der, algorithm, false, ["sign"]);
  } catch {
    throw refused();
  }
  if (!n || !e || (key.algorithm as RsaHashedKeyAlgorithm).modulusLength < 2048) throw refused();
  // RFC 7638: the SHA-256 of the required members, in lexicographic order, no spaces.
  const thumbprint = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`{"e":"${e}","kty":"RSA","n":"${n}"}`));
  const kid = base64url(new Uint8Array(thumbprint));
  return { kid, key, jwk: { kty: "RSA", alg: "RS256", use: "sig", kid, n, e } };
}

/** The key set the tokens verify against, as the service publishes it. */
export async function keySet(options: HandleOptions): Promise<{ keys: JsonWebKey[] }> {
  return { keys: options.signingKey ? [(await signingKey(options.signingKey)).jwk] : [] };
}

/**
 * The issuer (`iss`): `options.issuer`, else where this pool answers, as the server's is:
 * the origin `url` came to and the pool's id. Its `/.well-known/jwks.json` and
 * `/.well-known/openid-configuration` are what `handle` answers, so verifiers that discover
 * the key set from `iss` (aws-jwt-verify, OIDC clients) find it.
 */
export function issuer(options: HandleOptions, url: string): string {
  return options.issuer ?? `${new URL(url).origin}/${options.userPoolId}`;
}

/** The pool's OpenID discovery document, as the server's. */
export function discovery(issuer: string): Record<string, unknown> {
  return {
    issuer,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    id_token_signing_alg_values_supported: ["RS256"],
    subject_types_supported: ["public"],
    response_types_supported: [],
  };
}

/**
 * The attributes an ID token carries, as the service's: the email and phone number with
 * their flags (booleans), the standard OpenID ones and custom ones (strings). No other name,
 * so no stored attribute can pose as a claim (`cognito:groups`, `scope`, `nbf`, ...).
 */
const STANDARD_ATTRIBUTES = new Set([
  "email", "phone_number", "name", "given_name", "family_name", "middle_name", "nickname", "preferred_username",
  "profile", "picture", "website", "gender", "birthdate", "zoneinfo", "locale", "address", "updated_at",
]);

function attributeClaims(attributes: Record<string, string> | null | undefined): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (name === "email_verified" || name === "phone_number_verified") claims[name] = value === "true";
    else if (STANDARD_ATTRIBUTES.has(name) || /^custom:[\w.:-]{1,20}$/.test(name)) claims[name] = value;
  }
  return claims;
}

/**
 * The reply to a session sign-in that let `signedIn` in: the decided reply's body
 * (`ChallengeParameters`) with `AuthenticationResult`. `user` is the read the decision
 * used, for the ID token's attributes.
 */
export async function signedIn(
  options: HandleOptions,
  issuedBy: string,
  reply: Reply,
  signedIn: Extract<After, { kind: "signIn" }>,
  user: UserRecord | null | undefined,
  now: Date,
): Promise<Reply> {
  if (reply.kind !== "success" || !options.signingKey) return reply;
  const key = await signingKey(options.signingKey);
  const iat = Math.floor(now.getTime() / 1000);
  const common = {
    sub: signedIn.subject,
    iss: issuedBy,
    origin_jti: crypto.randomUUID(),
    event_id: crypto.randomUUID(),
    auth_time: iat,
    iat,
    exp: iat + VALIDITY_SECONDS,
  };
  const idToken = await sign(key, {
    ...attributeClaims(user?.attributes),
    ...common,
    "cognito:username": signedIn.username,
    aud: signedIn.clientId,
    token_use: "id",
    jti: crypto.randomUUID(),
  });
  const accessToken = await sign(key, {
    ...common,
    client_id: signedIn.clientId,
    token_use: "access",
    scope: "aws.cognito.signin.user.admin",
    jti: crypto.randomUUID(),
    username: signedIn.username,
  });
  return {
    kind: "success",
    httpStatus: 200,
    body: {
      ...reply.body,
      AuthenticationResult: { AccessToken: accessToken, ExpiresIn: VALIDITY_SECONDS, IdToken: idToken, TokenType: "Bearer" },
    },
  };
}

async function sign(key: SigningKey, claims: Record<string, unknown>): Promise<string> {
  const encode = (value: unknown) => base64url(new TextEncoder().encode(JSON.stringify(value)));
  const input = `${encode({ kid: key.kid, alg: "RS256" })}.${encode(claims)}`;
  const signature = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", key.key, new TextEncoder().encode(input));
  return `${input}.${base64url(new Uint8Array(signature))}`;
}

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
