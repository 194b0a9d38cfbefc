// Budgets per destination, across accounts, as the example server keeps them
// (server/src/destinations.rs): an email address gets no more codes, and no more guesses at
// the codes sent to it, than one account gets, however many accounts name it. Without them,
// twenty sign-ups naming a victim's address mail it twenty codes and buy twenty accounts'
// guesses at them (a lucky one, with `ForceAliasCreation`, takes the verified address from
// its owner). A budget is keyed by the SHA-256 of the address's canonical form, never the
// address.
import type { AliasAttribute, Lookup, Needs } from "./confirmation_flow.js";

/** Codes delivered to one destination in an hour: one account's sign-up and five resends. */
export const CODES_PER_HOUR = 6;
/** Code submissions for one destination in an hour: one account's rolling window. */
export const GUESSES_PER_HOUR = 15;
/** A budget's window, in seconds: a fixed hour from its first use. */
export const BUDGET_WINDOW_SECONDS = 60 * 60;

/**
 * The budget key of an email address or phone number: the hex SHA-256 of the attribute's
 * name, a zero byte and the address's canonical form, exactly as the example server
 * computes it (`of_address` in server/src/destination_keys.rs says why each step), so a
 * store lists no address. server/tests/destination-keys.json holds both to the same keys.
 */
export async function addressKey(attribute: string, value: string): Promise<string> {
  const text = new TextEncoder().encode(`${attribute}\0${canonicalAddress(attribute, value)}`);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", text));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * One spelling per mailbox (SignUp has refused malformed addresses already), in the steps
 * of `of_address` in server/src/destination_keys.rs: an email NFKC-normalised and lower-cased;
 * U+200C and U+200D dropped; its local part (before the last `@`) cut at its first `+`;
 * a domain with a non-ASCII character replaced by its UTS-46 A-label form (the WHATWG URL
 * host parser's, as the server's `idna` computes it: `gmail。com` is `gmail.com`,
 * `bücher.de` is `xn--bcher-kva.de`), or left as it is where that fails, then one trailing
 * `.` dropped; `googlemail.com` read as `gmail.com`, whose local parts lose their dots.
 * A phone number stays as given (E.164): libphonenumber's reading (the server's key:
 * `+4407911123456` is `+447911123456`) is too large a dependency for an edge module.
 */
export function canonicalAddress(attribute: string, value: string): string {
  if (attribute !== "email") return value;
  const folded = value.normalize("NFKC").toLowerCase().replace(/[\u200c\u200d]/g, "");
  const at = folded.lastIndexOf("@");
  if (at < 0) return folded;
  const local = folded.slice(0, at);
  const plus = local.indexOf("+");
  const mailbox = plus < 0 ? local : local.slice(0, plus);
  const domain = asciiDomain(folded.slice(at + 1));
  return domain === "gmail.com" || domain === "googlemail.com"
    ? `${mailbox.replaceAll(".", "")}@gmail.com`
    : `${mailbox}@${domain}`;
}

/**
 * A domain's UTS-46 ToASCII form (non-transitional, forbidden domain code points failing:
 * the URL standard's "domain to ASCII"), or the domain itself where it is ASCII already
 * or that fails; then without one trailing `.`. The host is parsed with a last label `x`
 * added, so that one ending in a number is not read as an IPv4 address, and only where no
 * character would end the host or be percent-decoded (those fail ToASCII anyway).
 */
function asciiDomain(domain: string): string {
  let ascii = domain;
  if (!/^[\x00-\x7f]*$/.test(domain) && !/[\x00-\x20%#/:<>?@[\\\]^|\x7f]/.test(domain)) {
    try {
      ascii = new URL(`http://${domain}.x`).hostname.slice(0, -2);
    } catch {
      ascii = domain;
    }
  }
  return ascii.endsWith(".") ? ascii.slice(0, -1) : ascii;
}

/**
 * Where the code a ConfirmSignUp is compared against was sent, as a budget key: the user's
 * destination (the pool's auto-verified attribute: the phone when it is one and the user
 * has one, else the email); for a user with neither, the account's own; for an unknown
 * user, its phantom's own id (a made-up address reaches nobody). `null` for an unknown
 * user with no phantom (`UserNotFoundException` either way) and for an unknown app client
 * (refused before any code is compared, as the example server refuses it before counting).
 */
export async function guessDestination(
  lookup: Lookup,
  needs: Needs,
  autoVerified: readonly AliasAttribute[],
): Promise<string | null> {
  if (!lookup.client) return null;
  const user = lookup.user;
  if (!user) return needs.phantomId === null ? null : `phantom:${needs.phantomId}`;
  if (autoVerified.includes("phone_number") && user.phoneNumber) {
    return addressKey("phone_number", user.phoneNumber);
  }
  if (autoVerified.includes("email") && user.email) return addressKey("email", user.email);
  // Nowhere a code can have been sent: the account's own budget (the server's
  // `destinations::of_account`), so this user's answer costs a budget write, as an unknown
  // user's does, and takes its time.
  return addressKey("account", user.username);
}
