//! Passwords: the pool's policy with the service's messages, and argon2id hashes.
//!
//! The hash is Argon2id (RFC 9106) with the `argon2` crate's defaults, which are OWASP's
//! minimum: 19 MiB of memory, 2 passes, 1 lane, a 16-byte salt from the OS CSPRNG; stored
//! in PHC string form (`$argon2id$v=19$m=19456,t=2,p=1$…`), so parameters can be raised
//! later without breaking stored hashes (a hash verifies with its own). The request path
//! runs them through `hasher.rs`, a bounded number at a time.

use argon2::{
    Algorithm, Argon2, Block, Params, Version,
    password_hash::{Output, ParamsString, PasswordHash, Salt, SaltString},
};
use subtle::ConstantTimeEq as _;

use crate::settings::PasswordPolicy;

/// The characters the service counts as symbols (and a space inside the password).
const SYMBOLS: &str = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ";

/// How the service words a refused password, by operation: `SignUp`'s.
pub const SIGN_UP: &str = "Password did not conform with policy";
/// `AdminCreateUser`'s `TemporaryPassword`.
pub const TEMPORARY: &str = "Password did not conform with password policy";
/// A password changed: `AdminSetUserPassword`, and the answer to `NEW_PASSWORD_REQUIRED`.
pub const CHANGE: &str = "Password does not conform to policy";

/// The first rule of `policy` that `password` breaks, in the service's words, after
/// `wording` ([`SIGN_UP`], [`TEMPORARY`] or [`CHANGE`]).
///
/// # Errors
/// The `InvalidPasswordException` message.
pub fn check(policy: &PasswordPolicy, password: &str, wording: &str) -> Result<(), String> {
    let length = u32::try_from(password.chars().count()).unwrap_or(u32::MAX);
    let has = |kind: fn(char) -> bool| password.chars().any(kind);
    let symbol = |c: char| SYMBOLS.contains(c);
    let rules = [
        (length >= policy.minimum_length, "Password not long enough"),
        (
            !policy.require_lowercase || has(|c| c.is_ascii_lowercase()),
            "Password must have lowercase characters",
        ),
        (
            !policy.require_uppercase || has(|c| c.is_ascii_uppercase()),
            "Password must have uppercase characters",
        ),
        (
            !policy.require_numbers || has(|c| c.is_ascii_digit()),
            "Password must have numeric characters",
        ),
        (
            !policy.require_symbols || has(symbol),
            "Password must have symbol characters",
        ),
    ];
    match rules.iter().find(|(kept, _)| !kept) {
        None => Ok(()),
        Some((_, rule)) => Err(format!("{wording}: {rule}")),
    }
}

/// A temporary password that keeps `policy`: 16 characters (or the policy's minimum
/// length, if longer), at least one of each kind the service counts, from the operating
/// system's CSPRNG (uniform draws: each index is drawn by rejection, never by a biased
/// modulo).
#[must_use]
pub fn temporary(policy: &PasswordPolicy) -> String {
    const KINDS: [&str; 4] = [
        "ABCDEFGHJKLMNPQRSTUVWXYZ",
        "abcdefghijkmnopqrstuvwxyz",
        "23456789",
        "^$*.[]{}()?!@#%&/,><:;|_~=+-",
    ];
    let all: Vec<char> = KINDS.concat().chars().collect();
    let length = usize::try_from(policy.minimum_length).unwrap_or(16).max(16);
    let mut chars: Vec<char> = KINDS
        .iter()
        .map(|kind| {
            let kind: Vec<char> = kind.chars().collect();
            kind[below(kind.len())]
        })
        .collect();
    while chars.len() < length {
        chars.push(all[below(all.len())]);
    }
    // Fisher–Yates, so the guaranteed kinds are not always first.
    for i in (1..chars.len()).rev() {
        chars.swap(i, below(i + 1));
    }
    chars.into_iter().collect()
}

/// A uniform draw from `0..n` (`n` small and non-zero).
fn below(n: usize) -> usize {
    let n = u32::try_from(n).unwrap_or(u32::MAX).max(1);
    // The largest multiple of `n` a `u32` holds: draws at or above it are drawn again.
    let zone = u32::MAX - (u32::MAX % n);
    loop {
        let draw = u32::from_le_bytes(crate::random::random_bytes::<4>());
        if draw < zone {
            return usize::try_from(draw % n).unwrap_or(0);
        }
    }
}

/// [`check`], refused as the service refuses it: `InvalidPasswordException`.
///
/// # Errors
/// The refusal, with the first rule `password` breaks.
pub(crate) fn keeps(
    policy: &PasswordPolicy,
    password: &str,
    wording: &str,
) -> Result<(), crate::answer::Answer> {
    check(policy, password, wording).map_err(|message| {
        crate::answer::Answer::refuse(crate::exceptions::ServerException::InvalidPassword, message)
    })
}

/// `password`'s argon2id hash in PHC form, with a new salt.
///
/// # Errors
/// The hasher refused the input.
pub fn hash(password: &str) -> confirmation_flow_store::Result<String> {
    hash_in(password, &mut Vec::new())
}

/// [`hash`], in `blocks` (grown to the size the parameters need, then kept by the caller).
///
/// # Errors
/// The hasher refused the input.
pub(crate) fn hash_in(
    password: &str,
    blocks: &mut Vec<Block>,
) -> confirmation_flow_store::Result<String> {
    let params = Params::default();
    let salt = SaltString::encode_b64(&crate::random::random_bytes::<16>())
        .map_err(|error| format!("salt: {error}"))?;
    let mut output = [0; Params::DEFAULT_OUTPUT_LEN];
    derive_in(&params, &salt.as_salt(), password, &mut output, blocks)?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|error| format!("argon2: {error}"))?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&output).map_err(|error| format!("argon2: {error}"))?),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the PHC string `stored` (compared in constant time).
#[must_use]
pub fn verify(stored: &str, password: &str) -> bool {
    verify_in(stored, password, &mut Vec::new())
}

/// [`verify`], in `blocks`: the stored hash's own parameters and salt, so a hash made with
/// other parameters than today's still verifies. A string that is not an argon2id PHC hash
/// verifies nothing.
pub(crate) fn verify_in(stored: &str, password: &str, blocks: &mut Vec<Block>) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let (Ok(params), Some(salt), Some(expected)) =
        (Params::try_from(&parsed), parsed.salt, parsed.hash)
    else {
        return false;
    };
    if parsed.algorithm != Algorithm::Argon2id.ident() {
        return false;
    }
    let mut output = vec![0; expected.len()];
    derive_in(&params, &salt, password, &mut output, blocks).is_ok()
        && bool::from(expected.as_bytes().ct_eq(&output))
}

/// Argon2id of `password` with `params` and `salt` into `output`, in `blocks`.
fn derive_in(
    params: &Params,
    salt: &Salt<'_>,
    password: &str,
    output: &mut [u8],
    blocks: &mut Vec<Block>,
) -> confirmation_flow_store::Result<()> {
    blocks.resize(params.block_count(), Block::default());
    let mut salt_bytes = [0; Salt::MAX_LENGTH];
    let salt_bytes = salt
        .decode_b64(&mut salt_bytes)
        .map_err(|error| format!("salt: {error}"))?;
    let params = Params::new(
        params.m_cost(),
        params.t_cost(),
        params.p_cost(),
        Some(output.len()),
    )
    .map_err(|error| format!("argon2: {error}"))?;
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into_with_memory(password.as_bytes(), salt_bytes, output, blocks)
        .map_err(|error| format!("argon2: {error}").into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_broken_rule_is_named_as_the_service_names_it() {
        let policy = PasswordPolicy::service_default();
        let cases = [
            ("Sh0rt!", "Password not long enough"),
            ("ALLUPPER1!", "Password must have lowercase characters"),
            ("alllower1!", "Password must have uppercase characters"),
            ("NoDigits!!", "Password must have numeric characters"),
            ("NoSymbol11", "Password must have symbol characters"),
        ];
        for (password, rule) in cases {
            assert_eq!(
                check(&policy, password, SIGN_UP),
                Err(format!("Password did not conform with policy: {rule}")),
                "{password}"
            );
        }
        for good in ["Passw0rd!", "Pa55 w0rd", "Ünïcödé1a-A"] {
            assert_eq!(check(&policy, good, SIGN_UP), Ok(()), "{good}");
        }
        let lenient = PasswordPolicy {
            minimum_length: 6,
            ..PasswordPolicy::default()
        };
        assert_eq!(check(&lenient, "abcdef", SIGN_UP), Ok(()));
        // Characters, not bytes: six two-byte letters are six characters.
        assert_eq!(check(&lenient, "éééééé", SIGN_UP), Ok(()));
        assert!(check(&lenient, "ééééé", SIGN_UP).is_err());
    }

    #[test]
    fn a_hash_is_argon2id_salted_and_verifies_only_its_password() {
        let first = hash("Passw0rd!").expect("hashes");
        let second = hash("Passw0rd!").expect("hashes");
        assert!(
            first.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{first}"
        );
        assert_ne!(first, second, "each hash has its own salt");
        assert!(verify(&first, "Passw0rd!"));
        assert!(!verify(&first, "Passw0rd?"));
        assert!(!verify("not a PHC string", "Passw0rd!"));
    }

    #[test]
    fn a_temporary_password_keeps_the_strictest_policy_and_differs_each_time() {
        let strict = PasswordPolicy {
            minimum_length: 20,
            ..PasswordPolicy::service_default()
        };
        let made: Vec<String> = (0..200).map(|_| temporary(&strict)).collect();
        for password in &made {
            assert_eq!(check(&strict, password, SIGN_UP), Ok(()), "{password}");
            assert_eq!(password.chars().count(), 20, "{password}");
        }
        let distinct: std::collections::BTreeSet<_> = made.iter().collect();
        assert_eq!(distinct.len(), made.len(), "drawn afresh each time");
        let short = temporary(&PasswordPolicy::service_default());
        assert_eq!(short.chars().count(), 16, "{short}");
    }
}
