//! What a decision draws fresh, new for each: the clock, and the CSPRNG's bytes for a new
//! code's entropy, a session's nonce and a new user's `sub`.

use alloc::string::String;

use confirmation_flow::{ENTROPY_LEN, Timestamp};

/// The crate's `Fresh`, owned (a new user's `sub` as the 16 random bytes of its UUID v4):
/// the clock and the CSPRNG's bytes, new for every decision; only those the operation
/// draws ([`Request::draws`](crate::request::Request::draws)) are filled in.
#[derive(Clone, Copy, Default)]
pub struct Fresh {
    /// Now.
    pub now: Timestamp,
    /// A new code's entropy.
    pub entropy: [u8; ENTROPY_LEN],
    /// A sign-in session's nonce.
    pub nonce: [u8; 16],
    /// A new user's `sub`, as the bytes of a UUID v4.
    pub subject: [u8; 16],
}

impl core::fmt::Debug for Fresh {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Fresh")
            .field("now", &self.now)
            .finish_non_exhaustive()
    }
}

/// A version-4 UUID from 16 random bytes, in its hyphenated lower-case form.
pub(crate) fn uuid_v4(bytes: &[u8; 16]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut uuid = *bytes;
    // Version 4 in the high nibble of byte 6, the RFC 9562 variant in byte 8.
    if let Some(byte) = uuid.get_mut(6) {
        *byte = (*byte & 0x0f) | 0x40;
    }
    if let Some(byte) = uuid.get_mut(8) {
        *byte = (*byte & 0x3f) | 0x80;
    }
    let mut text = String::with_capacity(36);
    for (index, byte) in uuid.iter().enumerate() {
        if matches!(index, 4 | 6 | 8 | 10) {
            text.push('-');
        }
        for nibble in [byte >> 4, byte & 0x0f] {
            text.push(char::from(
                HEX.get(usize::from(nibble)).copied().unwrap_or(b'0'),
            ));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::uuid_v4;

    #[test]
    fn a_uuid_is_version_4_with_the_rfc_variant() {
        let uuid = uuid_v4(&[0xff; 16]);
        assert_eq!(uuid, "ffffffff-ffff-4fff-bfff-ffffffffffff");
        assert_eq!(uuid_v4(&[0; 16]), "00000000-0000-4000-8000-000000000000");
    }
}
