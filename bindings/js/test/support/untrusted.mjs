// Untrusted input, generated: request bodies of every operation, valid ones with members
// replaced by values of every JSON type, cut short, or noise. Seeded (xorshift32), so a
// failure reproduces. Shared by the module's suite (untrusted.test.mjs) and handle's.

/** xorshift32: small, seeded, good enough to pick shapes. */
export function random(seed) {
  let state = seed >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  const below = (n) => Math.floor(next() * n);
  const pick = (items) => items[below(items.length)];
  return { next, below, pick };
}

export const MEMBERS = [
  'ClientId', 'Username', 'ConfirmationCode', 'SecretHash', 'Session', 'ForceAliasCreation', 'UserPoolId',
  'Password', 'UserAttributes', 'ValidationData', 'ClientMetadata', 'AnalyticsMetadata', 'UserContextData', 'Other',
  'AuthFlow', 'AuthParameters',
];

export function value(r, depth = 0) {
  switch (r.below(depth > 2 ? 6 : 9)) {
    case 0: return null;
    case 1: return r.next() < 0.5;
    case 2: return r.pick([0, -1, 1.5, 2 ** 64, 1e308, Number.MAX_SAFE_INTEGER]);
    case 3: return '';
    case 4: return r.pick(['123456', 'alice', 'a@b.c', '+15555550100', '\u0000', '\ud800', 'é'.repeat(300), 'x'.repeat(5000)]);
    case 5: return String.fromCodePoint(...Array.from({ length: r.below(40) }, () => r.below(0x2fff)));
    case 6: return Array.from({ length: r.below(20) }, () => value(r, depth + 1));
    case 7: return Object.fromEntries(Array.from({ length: r.below(6) }, () => [r.pick(['Name', 'Value', 'k', '']), value(r, depth + 1)]));
    default: return Object.fromEntries(Array.from({ length: r.below(5) }, () => [r.pick(MEMBERS), value(r, depth + 1)]));
  }
}

export const VALID = {
  SignUp: { ClientId: 'c', Username: 'alice', Password: 'correct-horse', UserAttributes: [{ Name: 'email', Value: 'alice@example.com' }] },
  ConfirmSignUp: { ClientId: 'c', Username: 'alice', ConfirmationCode: '123456' },
  AdminConfirmSignUp: { UserPoolId: 'us-east-1_edge', Username: 'alice' },
  ResendConfirmationCode: { ClientId: 'c', Username: 'alice' },
  InitiateAuth: { AuthFlow: 'USER_AUTH', ClientId: 'c', AuthParameters: { USERNAME: 'alice' }, Session: 's'.repeat(40) },
  Nope: {},
};

/** A valid body of `name` with a few members replaced, or noise. */
export function body(r, name) {
  const object = { ...VALID[name] };
  for (let i = r.below(4); i > 0; i -= 1) object[r.pick(MEMBERS)] = value(r);
  let text = JSON.stringify(object);
  if (r.next() < 0.2) text = text.slice(0, r.below(text.length + 1)); // cut short
  if (r.next() < 0.1) text = String.fromCharCode(...Array.from({ length: r.below(64) }, () => r.below(256)));
  return r.next() < 0.5 ? text : new TextEncoder().encode(text);
}

