//! Each pool's signing keys (`signing.rs`), derived at the pool's first use and kept.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
};

use crate::signing::{Seeds, SigningKeys};

/// Each pool's signing keys, derived at their first use (the pool's JWKS, its first token): a
/// process that never signs never spends the time (see the README's Keys), and concurrent
/// first uses wait for one derivation. Ask only for pools that exist: each is kept for as
/// long as the process runs.
#[derive(Debug)]
pub struct LazySigningKeys {
    seeds: Arc<Seeds>,
    pools: Mutex<HashMap<String, Arc<tokio::sync::OnceCell<Arc<SigningKeys>>>>>,
}

impl LazySigningKeys {
    /// The keys `seeds` will give.
    #[must_use]
    pub fn new(seeds: Seeds) -> Self {
        Self {
            seeds: Arc::new(seeds),
            pools: Mutex::new(HashMap::new()),
        }
    }

    /// The pool `pool_id`'s keys, derived on a blocking thread the first time.
    ///
    /// # Errors
    /// The derivation failed (see [`SigningKeys::derive`]); the next call tries again.
    pub async fn get(&self, pool_id: &str) -> Result<Arc<SigningKeys>, String> {
        let cell = {
            let mut pools = self.pools.lock().unwrap_or_else(PoisonError::into_inner);
            Arc::clone(pools.entry(pool_id.to_owned()).or_default())
        };
        cell.get_or_try_init(|| async {
            let (seeds, pool_id) = (Arc::clone(&self.seeds), pool_id.to_owned());
            let derived =
                tokio::task::spawn_blocking(move || SigningKeys::derive(&seeds, &pool_id));
            derived
                .await
                .map_err(|error| error.to_string())?
                .map(Arc::new)
        })
        .await
        .cloned()
    }
}
