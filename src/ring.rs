//! `KeyRing`: the current server key and the older ones whose tags are still stored.

use core::fmt;

use crate::key::{KeyId, ServerKey};

/// The keys a deployment holds: the current one, which makes every new tag and session,
/// and older ones, which only check what they made.
///
/// It borrows its keys; `confirmation_flow_store::OwnedKeyRing` is the owned form, checked
/// once, that a long-lived server keeps.
///
/// A state is checked with the key its [`KeyId`](crate::KeyId) names, so rotating keys never
/// strands a code; a reissue moves the state to the current key. Rotate by adding a key,
/// making it current, and keeping the old one until its codes have expired (a day, under
/// [`Policy::COGNITO`](crate::Policy::COGNITO)).
#[derive(Clone, Copy, Debug)]
pub struct KeyRing<'a> {
    current: &'a ServerKey,
    older: &'a [ServerKey],
}

impl<'a> KeyRing<'a> {
    /// A ring of one key.
    #[must_use]
    pub const fn single(key: &'a ServerKey) -> Self {
        Self {
            current: key,
            older: &[],
        }
    }

    /// The current key and the older ones.
    ///
    /// # Errors
    /// [`KeyRingError::DuplicateId`] if two keys share an id: a stored id must name exactly
    /// one key.
    pub fn new(current: &'a ServerKey, older: &'a [ServerKey]) -> Result<Self, KeyRingError> {
        let ring = Self { current, older };
        for (index, key) in ring.iter().enumerate() {
            if ring
                .iter()
                .skip(index.saturating_add(1))
                .any(|other| other.id() == key.id())
            {
                return Err(KeyRingError::DuplicateId(key.id()));
            }
        }
        Ok(ring)
    }

    /// The key for new tags, new sessions and derived ids.
    #[must_use]
    pub const fn current(&self) -> &'a ServerKey {
        self.current
    }

    /// The key with id `id`, if the ring holds it.
    #[must_use]
    pub fn get(&self, id: KeyId) -> Option<&'a ServerKey> {
        if self.current.id() == id {
            return Some(self.current);
        }
        self.older.iter().find(|key| key.id() == id)
    }

    /// Every key, the current one first.
    pub fn iter(&self) -> impl Iterator<Item = &'a ServerKey> + Clone + use<'a> {
        core::iter::once(self.current).chain(self.older)
    }
}

/// Why [`KeyRing::new`] refused its keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyRingError {
    /// Two keys have this id.
    DuplicateId(KeyId),
}

impl fmt::Display for KeyRingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::DuplicateId(id) => write!(f, "two keys in the ring have id {id}"),
        }
    }
}

impl core::error::Error for KeyRingError {}
