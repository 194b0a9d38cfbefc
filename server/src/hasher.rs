//! Argon2id on the request path: a bounded number at a time, off the async workers, in
//! memory allocated once and reused. Sign-ups hash with it, sign-ins verify with it, and a
//! sign-in for a user who does not exist (or has no password) verifies against a stand-in
//! hash made when the hasher was, with the same parameters: the same work as a real user's.
//!
//! Each argon2id takes its 19 MiB for tens of milliseconds, so at most one runs per core at
//! a time (`limits.password_hashes_at_once`), and at most a few per core wait
//! (`limits.password_hashes_waiting`): a burst beyond that is refused at once instead of
//! queueing work nobody may wait for.

use std::sync::{Arc, Mutex, PoisonError};

use argon2::Block;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::password;

/// Hashes and verifies passwords, a bounded number at a time, each in 19 MiB of memory
/// allocated once and reused: a fresh buffer per hash is freed to the allocator but not to
/// the system (measured: 830 MB kept after a burst of 200 sign-ups; with reuse the process
/// stays at its working set plus one buffer per hash at once).
///
/// The queue is bounded too: a request takes a [`Place`] before anything about its user is
/// looked up, and one that finds none is refused at once, whatever its user. A place is
/// given back when its hash ends, or when the request goes away while waiting (a timed-out
/// request's future is dropped, and its place with it): no hash is queued for nobody.
pub struct Hasher {
    running: Arc<Semaphore>,
    places: Arc<Semaphore>,
    memory: Memory,
    /// The hash a password is verified against when its user has none (or does not exist).
    stand_in: Arc<str>,
}

type Memory = Arc<Mutex<Vec<Vec<Block>>>>;

/// A place in the hasher's queue: the right to have one password hashed or verified.
pub struct Place {
    held: OwnedSemaphorePermit,
    running: Arc<Semaphore>,
    memory: Memory,
    stand_in: Arc<str>,
}

impl Hasher {
    /// A hasher computing `at_once` hashes at a time, with `waiting` more in its queue.
    ///
    /// # Errors
    /// The stand-in hash could not be made (argon2 refused its own defaults).
    pub fn new(at_once: usize, waiting: usize) -> confirmation_flow_store::Result<Self> {
        let at_once = at_once.max(1);
        // A password nobody knows: 32 random bytes, as hex.
        let secret = hex::encode(crate::random::random_bytes::<32>());
        Ok(Self {
            running: Arc::new(Semaphore::new(at_once)),
            places: Arc::new(Semaphore::new(at_once.saturating_add(waiting))),
            memory: Arc::default(),
            stand_in: password::hash(&secret)?.into(),
        })
    }

    /// A place in the queue, if one is free now.
    #[must_use]
    pub fn reserve(&self) -> Option<Place> {
        let place = Arc::clone(&self.places).try_acquire_owned().ok()?;
        Some(self.place(place))
    }

    /// `password`'s argon2id hash in PHC form, waiting for a place if none is free.
    ///
    /// # Errors
    /// The hasher refused the input (it does not for a password the model allows).
    pub async fn hash(&self, password: String) -> confirmation_flow_store::Result<String> {
        let place = Arc::clone(&self.places).acquire_owned().await?;
        self.place(place).hash(password).await
    }

    fn place(&self, held: OwnedSemaphorePermit) -> Place {
        Place {
            held,
            running: Arc::clone(&self.running),
            memory: Arc::clone(&self.memory),
            stand_in: Arc::clone(&self.stand_in),
        }
    }
}

impl Place {
    /// `password`'s argon2id hash in PHC form, computed off the request threads.
    ///
    /// # Errors
    /// The hasher refused the input (it does not for a password the model allows).
    pub async fn hash(self, password: String) -> confirmation_flow_store::Result<String> {
        self.run(move |blocks| password::hash_in(&password, blocks))
            .await?
    }

    /// `password`'s argon2id hash in PHC form and its SRP verifier for the user `username` of
    /// the pool `pool_id` (`srp.rs`), computed off the request threads.
    ///
    /// # Errors
    /// The hasher refused the input (it does not for a password the model allows).
    pub async fn credentials(
        self,
        password: String,
        pool_id: String,
        username: String,
    ) -> confirmation_flow_store::Result<(String, String)> {
        self.run(move |blocks| {
            let hash = password::hash_in(&password, blocks)?;
            Ok((
                hash,
                crate::srp::stored_verifier(&pool_id, &username, &password),
            ))
        })
        .await?
    }

    /// Whether `password` matches `stored`; with no stored hash, `password` is verified
    /// against the stand-in (and matches nothing): the same work either way.
    ///
    /// # Errors
    /// The verification's thread panicked.
    pub async fn verify(
        self,
        stored: Option<String>,
        password: String,
    ) -> confirmation_flow_store::Result<bool> {
        let stand_in = Arc::clone(&self.stand_in);
        self.run(move |blocks| {
            let matched =
                password::verify_in(stored.as_deref().unwrap_or(&stand_in), &password, blocks);
            matched && stored.is_some()
        })
        .await
    }

    /// `work` (other than a hash: SRP's modular exponentiations) off the request threads, once
    /// a running permit is free: bounded by the same queue as the hashes.
    ///
    /// # Errors
    /// The work's thread panicked.
    pub async fn compute<T: Send + 'static>(
        self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> confirmation_flow_store::Result<T> {
        self.run(move |_| work()).await
    }

    /// `work` in reused memory, off the request threads, once a running permit is free.
    async fn run<T: Send + 'static>(
        self,
        work: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static,
    ) -> confirmation_flow_store::Result<T> {
        // Dropped while waiting here (the request timed out), the place is given back.
        let permit = Arc::clone(&self.running).acquire_owned().await?;
        // Once started, the hash runs to its end (argon2 cannot be stopped half-way; tens of
        // milliseconds) and keeps its place and its permit until then.
        let Self { held, memory, .. } = self;
        Ok(tokio::task::spawn_blocking(move || {
            let mut blocks = memory
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .pop()
                .unwrap_or_default();
            let done = work(&mut blocks);
            memory
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(blocks);
            drop((permit, held));
            done
        })
        .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hasher's reused memory gives each hash its own right answer, and verification in
    /// it tells the right password from a wrong one; with no stored hash, nothing matches.
    #[tokio::test]
    async fn hashes_made_and_verified_in_reused_memory() {
        let hasher = Hasher::new(1, 0).expect("a hasher");
        let place = || hasher.reserve().expect("a place");
        for password in ["first-Passw0rd!", "second-Passw0rd!", "first-Passw0rd!"] {
            let stored = place().hash(password.to_owned()).await.expect("hashes");
            assert!(password::verify(&stored, password), "{password}");
            let right = place().verify(Some(stored.clone()), password.into());
            assert!(right.await.expect("verifies"), "{password}");
            let wrong = place().verify(Some(stored), "other-Passw0rd!".into());
            assert!(!wrong.await.expect("verifies"));
        }
        let stand_in = place().verify(None, "first-Passw0rd!".into());
        assert!(!stand_in.await.expect("verifies"));
    }

    /// A full queue refuses at once; a request that goes away while waiting gives its place
    /// back, so the queue never fills with work nobody waits for.
    #[tokio::test]
    async fn the_queue_is_bounded_and_a_dropped_wait_frees_its_place() {
        let hasher = Hasher::new(1, 1).expect("a hasher");
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
        assert!(password::verify(&stored, "third-Passw0rd!"));
        assert_eq!(hasher.places.available_permits(), 2, "every place is back");
    }
}
