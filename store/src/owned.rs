//! The owned forms of what the core borrows, for a server that keeps them as long as it
//! runs: a key ring and a pool. Keep one (in an `Arc` to share it between tasks) and borrow
//! the core's [`KeyRing`] or [`Pool`] from it for each request — no `static`, no
//! `Box::leak`. The core stays without allocation; these live here, beside the store.

use confirmation_flow::{
    KeyRing, KeyRingError, Policy, ServerKey,
    cognito::{AttributeSet, Pool},
};

/// A key ring, owned: the current key and the older ones, checked when it is made (no key
/// can be added or changed after).
#[derive(Clone, Debug)]
pub struct OwnedKeyRing {
    current: ServerKey,
    older: Vec<ServerKey>,
}

impl OwnedKeyRing {
    /// The ring of `current` and `older` (kept while codes tagged under them live).
    ///
    /// # Errors
    /// [`KeyRingError::DuplicateId`] if two keys share an id, as [`KeyRing::new`].
    pub fn new(current: ServerKey, older: Vec<ServerKey>) -> Result<Self, KeyRingError> {
        KeyRing::new(&current, &older)?;
        Ok(Self { current, older })
    }

    /// A ring of one key.
    #[must_use]
    pub const fn single(current: ServerKey) -> Self {
        Self {
            current,
            older: Vec::new(),
        }
    }

    /// The ring the core reads (the core checks it again: a comparison of a few ids).
    #[must_use]
    pub fn ring(&self) -> KeyRing<'_> {
        // The keys were checked in `new` and cannot change since, so this is `Ok`. Were it
        // not (a check the core added later), the current key alone accepts nothing wrongly,
        // but codes under older keys would stop matching: said loudly.
        KeyRing::new(&self.current, &self.older).unwrap_or_else(|error| {
            tracing::error!(%error, "the key ring fails the crate's check: older keys are ignored");
            KeyRing::single(&self.current)
        })
    }

    /// The key new codes are tagged under.
    #[must_use]
    pub const fn current(&self) -> &ServerKey {
        &self.current
    }
}

/// A pool's settings, owned: [`Pool`]'s fields with their borrows made owned.
#[derive(Clone, Debug)]
#[expect(
    clippy::exhaustive_structs,
    reason = "a plain set of settings the caller fills in, as the core's `Pool`"
)]
pub struct OwnedPool {
    /// The region named in trigger events, e.g. `us-east-1`.
    pub region: String,
    /// The pool id, e.g. `us-east-1_EXAMPLE`.
    pub user_pool_id: String,
    /// Code lifetime, attempts and rate windows.
    pub policy: Policy,
    /// The keys for code tags, sessions and phantom ids.
    pub keys: OwnedKeyRing,
    /// `AutoVerifiedAttributes`: where codes go.
    pub auto_verified: AttributeSet,
    /// `AliasAttributes`: a verified value of these is unique in the pool.
    pub aliases: AttributeSet,
}

impl OwnedPool {
    /// The pool the core reads, borrowed from these settings.
    #[must_use]
    pub fn pool(&self) -> Pool<'_> {
        Pool {
            region: &self.region,
            user_pool_id: &self.user_pool_id,
            policy: &self.policy,
            keys: self.keys.ring(),
            auto_verified: self.auto_verified,
            aliases: self.aliases,
        }
    }
}

#[cfg(test)]
mod tests {
    use confirmation_flow::{KeyId, KeyRingError, ServerKey};

    use super::OwnedKeyRing;

    /// A ring that names one id twice is refused when it is made, as the core's is; one
    /// made is read back with every key, the current one first.
    #[test]
    fn a_ring_is_checked_once_when_it_is_made() {
        let key = |id| ServerKey::new(KeyId(id), &[u8::try_from(id).unwrap(); 32]);
        assert_eq!(
            OwnedKeyRing::new(key(2), vec![key(1), key(2)]).err(),
            Some(KeyRingError::DuplicateId(KeyId(2)))
        );
        let ring = OwnedKeyRing::new(key(2), vec![key(1)]).unwrap();
        let ids: Vec<_> = ring.ring().iter().map(ServerKey::id).collect();
        assert_eq!(ids, [KeyId(2), KeyId(1)]);
        assert_eq!(ring.current().id(), KeyId(2));
    }
}
