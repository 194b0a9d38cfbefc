//! Passwords: the pool's policy with the service's messages, and argon2id hashes.
//!
//! The hash is Argon2id (RFC 9106) with the `argon2` crate's defaults, which are OWASP's
//! minimum: 19 MiB of memory, 2 passes, 1 lane, a 16-byte salt from the OS CSPRNG; stored
//! in PHC string form (`$argon2id$v=19$m=19456,t=2,p=1$…`), so parameters can be raised
//! later without breaking stored hashes. Each hash takes its 19 MiB for tens of
//! milliseconds, so at most one runs per core at a time (`limits.password_hashes_at_once`),
//! and at most a few per core wait (`limits.password_hashes_waiting`): a burst of sign-ups
//! beyond that is refused at once instead of queueing work nobody may wait for.

use std::sync::{Arc, Mutex, PoisonError};

use argon2::{
    Algorithm, Argon2, Block, Params, Version,
    password_hash::{Output, ParamsString, PasswordHash, PasswordVerifier, SaltString},
};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::settings::PasswordPolicy;

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

/// Hashes passwords, a bounded number at a time, each in 19 MiB of memory allocated once and
/// reused: a fresh buffer per hash is freed to the allocator but not to the system
/// (measured: 830 MB kept after a burst of 200 sign-ups; with reuse the process stays at
/// its working set plus one buffer per hash at once).
///
/// The queue is bounded too: a sign-up takes a [`Place`] before anything about its user is
/// looked up, and one that finds none is refused at once, whatever its user. A place is
/// given back when its hash ends, or when the request goes away while waiting (a timed-out
/// request's future is dropped, and its place with it): no hash is queued for nobody.
pub struct Hasher {
    running: Arc<Semaphore>,
    places: Arc<Semaphore>,
    memory: Arc<Mutex<Vec<Vec<Block>>>>,
}

/// A place in the hasher's queue: the right to have one password hashed.
pub struct Place {
    held: OwnedSemaphorePermit,
    running: Arc<Semaphore>,
    memory: Arc<Mutex<Vec<Vec<Block>>>>,
}

impl Hasher {
    /// A hasher computing `at_once` hashes at a time, with `waiting` more in its queue.
    #[must_use]
    pub fn new(at_once: usize, waiting: usize) -> Self {
        let at_once = at_once.max(1);
        Self {
            running: Arc::new(Semaphore::new(at_once)),
            places: Arc::new(Semaphore::new(at_once.saturating_add(waiting))),
            memory: Arc::default(),
        }
    }

    /// A place in the queue, if one is free now.
    #[must_use]
    pub fn reserve(&self) -> Option<Place> {
        let place = Arc::clone(&self.places).try_acquire_owned().ok()?;
        Some(Place {
            held: place,
            running: Arc::clone(&self.running),
            memory: Arc::clone(&self.memory),
        })
    }

    /// `password`'s argon2id hash in PHC form, waiting for a place if none is free.
    ///
    /// # Errors
    /// The hasher refused the input (it does not for a password the model allows).
    pub async fn hash(&self, password: String) -> confirmation_flow_store::Result<String> {
        let place = Arc::clone(&self.places).acquire_owned().await?;
        let place = Place {
            held: place,
            running: Arc::clone(&self.running),
            memory: Arc::clone(&self.memory),
        };
        place.hash(password).await
    }
}

impl Place {
    /// `password`'s argon2id hash in PHC form, computed off the request threads.
    ///
    /// # Errors
    /// The hasher refused the input (it does not for a password the model allows).
    pub async fn hash(self, password: String) -> confirmation_flow_store::Result<String> {
        // Dropped while waiting here (the request timed out), the place is given back.
        let permit = Arc::clone(&self.running).acquire_owned().await?;
        // Once started, the hash runs to its end (argon2 cannot be stopped half-way; tens of
        // milliseconds) and keeps its place and its permit until then.
        let Self { held, memory, .. } = self;
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
            drop((permit, held));
            hashed
        })
        .await?
    }
}

/// `password`'s argon2id hash in PHC form, with a new salt.
///
/// # Errors
/// The hasher refused the input.
pub fn hash(password: &str) -> confirmation_flow_store::Result<String> {
    hash_in(password, &mut Vec::new())
}

/// [`hash`], in `blocks` (grown to the size the parameters need, then kept by the caller).
fn hash_in(password: &str, blocks: &mut Vec<Block>) -> confirmation_flow_store::Result<String> {
    let params = Params::default();
    blocks.resize(params.block_count(), Block::default());
    let salt = SaltString::encode_b64(&crate::random::random_bytes::<16>())
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
        let hasher = Hasher::new(1, 0);
        for password in ["first-Passw0rd!", "second-Passw0rd!", "first-Passw0rd!"] {
            let stored = hasher.hash(password.to_owned()).await.expect("hashes");
            assert!(verify(&stored, password), "{password}");
            assert!(!verify(&stored, "other-Passw0rd!"));
        }
    }

    /// A full queue refuses at once; a request that goes away while waiting gives its place
    /// back, so the queue never fills with work nobody waits for.
    #[tokio::test]
    async fn the_queue_is_bounded_and_a_dropped_wait_frees_its_place() {
        let hasher = Hasher::new(1, 1);
        // A hash in progress: its running permit is taken.
        let busy = Arc::clone(&hasher.running)
            .try_acquire_owned()
            .expect("a free permit");
        let first = hasher.reserve().expect("a place");
        let second = hasher.reserve().expect("a place");
        assert!(hasher.reserve().is_none(), "two places, both taken");
        // The second waits for the busy hash, and its request times out.
        let waited = tokio::time::timeout(
            std::time::Duration::from_millis(50),
            second.hash("Passw0rd!".into()),
        )
        .await;
        assert!(waited.is_err(), "it waited for the busy hash");
        let third = hasher
            .reserve()
            .expect("the timed-out request's place is free again");
        drop((busy, first));
        let stored = third.hash("third-Passw0rd!".into()).await.expect("hashes");
        assert!(verify(&stored, "third-Passw0rd!"));
        assert_eq!(hasher.places.available_permits(), 2, "every place is back");
    }
}
