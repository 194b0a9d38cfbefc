//! Passwords: the pool's policy with the service's messages, and argon2id hashes.
//!
//! The hash is Argon2id (RFC 9106) with the `argon2` crate's defaults, which are OWASP's
//! minimum: 19 MiB of memory, 2 passes, 1 lane, a 16-byte salt from the OS CSPRNG; stored
//! in PHC string form (`$argon2id$v=19$m=19456,t=2,p=1$…`), so parameters can be raised
//! later without breaking stored hashes. Each hash takes its 19 MiB for tens of
//! milliseconds, so at most one runs per core at a time: a burst of sign-ups waits
//! instead of taking the memory of all of them at once.

use std::sync::{Arc, Mutex, PoisonError};

use argon2::{
    Algorithm, Argon2, Block, Params, Version,
    password_hash::{Output, ParamsString, PasswordHash, PasswordVerifier, SaltString},
};
use tokio::sync::Semaphore;

use crate::{pools::PasswordPolicy, store};

/// The characters the service counts as symbols (and a space inside the password).
const SYMBOLS: &str = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ";

/// The first rule of `policy` that `password` breaks, in the service's words.
///
/// # Errors
/// The `InvalidPasswordException` message.
pub fn check(policy: &PasswordPolicy, password: &str) -> Result<(), String> {
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
        Some((_, rule)) => Err(format!("Password did not conform with policy: {rule}")),
    }
}

/// Hashes passwords, one per core at a time, each in 19 MiB of memory allocated once and
/// reused: a fresh buffer per hash is freed to the allocator but not to the system
/// (measured: 830 MB kept after a burst of 200 sign-ups; with reuse the process stays at
/// its working set plus one buffer per core).
pub struct Hasher {
    permits: Arc<Semaphore>,
    memory: Arc<Mutex<Vec<Vec<Block>>>>,
}

impl Default for Hasher {
    fn default() -> Self {
        Self::new()
    }
}

impl Hasher {
    #[must_use]
    pub fn new() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Self {
            permits: Arc::new(Semaphore::new(cores)),
            memory: Arc::default(),
        }
    }

    /// `password`'s argon2id hash in PHC form, computed off the request threads.
    ///
    /// # Errors
    /// The hasher refused the input (it does not for a password the model allows).
    pub async fn hash(&self, password: String) -> store::Result<String> {
        // The permit goes with the hash, not with the request: a request that times out
        // leaves its hash running, and still counted, until it ends.
        let permit = Arc::clone(&self.permits).acquire_owned().await?;
        let memory = Arc::clone(&self.memory);
        tokio::task::spawn_blocking(move || {
            let mut blocks = memory
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .pop()
                .unwrap_or_default();
            let hashed = hash_in(&password, &mut blocks);
            memory
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(blocks);
            drop(permit);
            hashed
        })
        .await?
    }
}

/// `password`'s argon2id hash in PHC form, with a new salt.
///
/// # Errors
/// The hasher refused the input.
pub fn hash(password: &str) -> store::Result<String> {
    hash_in(password, &mut Vec::new())
}

/// [`hash`], in `blocks` (grown to the size the parameters need, then kept by the caller).
fn hash_in(password: &str, blocks: &mut Vec<Block>) -> store::Result<String> {
    let params = Params::default();
    blocks.resize(params.block_count(), Block::default());
    let salt = SaltString::encode_b64(&crate::random_bytes::<16>())
        .map_err(|error| format!("salt: {error}"))?;
    let mut salt_bytes = [0; 16];
    let salt_bytes = salt
        .decode_b64(&mut salt_bytes)
        .map_err(|error| format!("salt: {error}"))?;
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let mut output = [0; Params::DEFAULT_OUTPUT_LEN];
    argon2
        .hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut output, blocks)
        .map_err(|error| format!("argon2: {error}"))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|error| format!("argon2: {error}"))?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&output).map_err(|error| format!("argon2: {error}"))?),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the PHC string `stored` (in constant time, by the crate).
#[must_use]
pub fn verify(stored: &str, password: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
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
                check(&policy, password),
                Err(format!("Password did not conform with policy: {rule}")),
                "{password}"
            );
        }
        for good in ["Passw0rd!", "Pa55 w0rd", "Ünïcödé1a-A"] {
            assert_eq!(check(&policy, good), Ok(()), "{good}");
        }
        let lenient = PasswordPolicy {
            minimum_length: 6,
            ..PasswordPolicy::default()
        };
        assert_eq!(check(&lenient, "abcdef"), Ok(()));
        // Characters, not bytes: six two-byte letters are six characters.
        assert_eq!(check(&lenient, "éééééé"), Ok(()));
        assert!(check(&lenient, "ééééé").is_err());
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

    /// The hasher's reused memory gives each hash its own right answer.
    #[tokio::test]
    async fn hashes_made_in_reused_memory_verify() {
        let hasher = Hasher::new();
        for password in ["first-Passw0rd!", "second-Passw0rd!", "first-Passw0rd!"] {
            let stored = hasher.hash(password.to_owned()).await.expect("hashes");
            assert!(verify(&stored, password), "{password}");
            assert!(!verify(&stored, "other-Passw0rd!"));
        }
    }
}
