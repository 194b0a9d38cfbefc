//! `PhantomId`: where an unknown user's phantom state lives, derived with the server key.

use core::fmt;

use crate::ServerKey;

/// Prefix of the MAC a phantom id is taken from.
const PHANTOM_DOMAIN: &[u8] = b"confirmation-flow/v1/phantom-id";

/// Characters in a phantom id: a UUID's 36, so a store can keep phantoms beside users' subs
/// and tagging a phantom's codes costs what tagging a user's does.
pub const PHANTOM_ID_LEN: usize = 36;

/// The opaque id of a phantom: the state that stands in for a user who does not exist,
/// under `PreventUserExistenceErrors`.
///
/// It is `HMAC(current key, domain ‖ pool id ‖ username)` shaped as a version-8 UUID, so the
/// store never holds the usernames people tried, the same username always finds the same
/// phantom, and nobody without the key can tell which username a phantom stands for.
/// Rotating the current key starts every phantom afresh (their old rows can be pruned).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PhantomId {
    text: [u8; PHANTOM_ID_LEN],
    shown: [u8; 4],
}

impl PhantomId {
    /// The phantom id of `username` in the pool `user_pool_id`, under `key`.
    #[must_use]
    pub fn derive(key: &ServerKey, user_pool_id: &str, username: &str) -> Self {
        let digest = key.derive(
            PHANTOM_DOMAIN,
            &[user_pool_id.as_bytes(), username.as_bytes()],
        );
        let mut uuid = [0_u8; 16];
        uuid.iter_mut()
            .zip(digest)
            .for_each(|(slot, byte)| *slot = byte);
        // Version 8 (custom) and the RFC 9562 variant, so it parses as a UUID.
        if let Some(byte) = uuid.get_mut(6) {
            *byte = (*byte & 0x0f) | 0x80;
        }
        if let Some(byte) = uuid.get_mut(8) {
            *byte = (*byte & 0x3f) | 0x80;
        }
        let mut hex = [0_u8; 32];
        let _ = base16ct::lower::encode(&uuid, &mut hex);
        // 8-4-4-4-12 hex digits, dashes at 8, 13, 18 and 23.
        let mut text = [b'-'; PHANTOM_ID_LEN];
        let positions = (0..PHANTOM_ID_LEN).filter(|index| ![8, 13, 18, 23].contains(index));
        for (position, digit) in positions.zip(hex) {
            if let Some(slot) = text.get_mut(position) {
                *slot = digit;
            }
        }
        let mut shown = [0_u8; 4];
        shown
            .iter_mut()
            .zip(digest.iter().skip(16))
            .for_each(|(slot, byte)| *slot = *byte);
        Self { text, shown }
    }

    /// The id, 36 characters of lower-case hex and dashes.
    #[must_use]
    pub fn as_str(&self) -> &str {
        // Hex digits and dashes are ASCII.
        core::str::from_utf8(&self.text).unwrap_or_default()
    }

    /// The id's bytes, as its codes' tags bind them.
    pub(crate) const fn as_bytes(&self) -> &[u8] {
        &self.text
    }

    /// Bytes for the destination a phantom's replies show, from digest bytes the id does
    /// not contain.
    pub(crate) const fn shown(&self) -> [u8; 4] {
        self.shown
    }
}

impl fmt::Debug for PhantomId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PhantomId({})", self.as_str())
    }
}

impl fmt::Display for PhantomId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
