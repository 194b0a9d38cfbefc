//! `SecretHash`: `Base64(HMAC-SHA-256(client secret, Username ‖ ClientId))`.

use core::fmt;

use crate::{
    ct::ct_eq,
    key::{HmacSha256, absorb, finish, keyed_hmac},
};
use base64ct::{Base64, Encoding};

/// Characters in a `SecretHash`: 32 bytes in padded standard base64.
pub const SECRET_HASH_LEN: usize = 44;

/// An app client's secret with its HMAC key schedule computed once, so each request pays
/// only for its own message blocks.
///
/// The secret string itself is the key, as UTF-8 bytes — it is not base64-decoded (AWS's
/// sample code does the same; the prose beside it is wrong). `Debug` is redacted.
#[derive(Clone)]
pub struct ClientSecret {
    mac: HmacSha256,
}

impl ClientSecret {
    /// Keys the HMAC with `secret` (the app client's `ClientSecret`).
    #[must_use]
    pub fn new(secret: &str) -> Self {
        Self {
            mac: keyed_hmac(secret.as_bytes()),
        }
    }

    /// The `SecretHash` a client sends for `username` (exactly as sent on the wire, UTF-8)
    /// and `client_id`: 44 characters of padded base64, encoded in constant time.
    #[must_use]
    pub fn compute(&self, username: &str, client_id: &str) -> heapless::String<SECRET_HASH_LEN> {
        let mut text = [0_u8; SECRET_HASH_LEN];
        let encoded = Base64::encode(&self.mac(username, client_id), &mut text).unwrap_or_default();
        let mut out = heapless::String::new();
        // Base64 of 32 bytes is exactly 44 ASCII bytes, so the push succeeds.
        let _ = out.push_str(encoded);
        out
    }

    /// Whether `candidate` is the right `SecretHash` for `username` and `client_id`.
    ///
    /// The candidate is public (it is on the wire), so it is decoded with a lookup table;
    /// only our MAC is secret, and it is only ever compared, in constant time, with the 32
    /// decoded bytes. Anything but canonical padded base64 of 32 bytes is refused, so a
    /// candidate verifies exactly when it is the string [`compute`](Self::compute) gives.
    #[must_use]
    pub fn verify(&self, username: &str, client_id: &str, candidate: &str) -> bool {
        let expected = self.mac(username, client_id);
        let (decoded, canonical) = decode(candidate.as_bytes());
        bool::from(ct_eq(&expected, &decoded) & subtle::Choice::from(u8::from(canonical)))
    }

    /// `HMAC-SHA-256(secret, username ‖ client id)`.
    fn mac(&self, username: &str, client_id: &str) -> [u8; 32] {
        let mut mac = self.mac.clone();
        absorb(&mut mac, &[username.as_bytes(), client_id.as_bytes()]);
        finish(mac)
    }
}

/// Each base64 symbol's value; all ones for bytes that are not symbols (`=` included), so
/// that a group holding one has bits set above its 24 data bits.
const SYMBOLS: [u32; 256] = symbols();

#[expect(
    clippy::indexing_slicing,
    clippy::cast_possible_truncation,
    clippy::arithmetic_side_effects,
    reason = "evaluated at compile time: indices are below 64 and 256, values below 64"
)]
const fn symbols() -> [u32; 256] {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut table = [u32::MAX; 256];
    let mut value = 0;
    while value < alphabet.len() {
        table[alphabet[value] as usize] = value as u32;
        value += 1;
    }
    table
}

/// Decodes 44 characters of padded base64 into 32 bytes, and whether the text was that:
/// exactly 43 symbols and one `=`, the last symbol's two unused bits zero (canonical).
/// Hand-written because the input is public and this runs on every request: a table is
/// twice as fast as base64ct's constant-time decoder, which the secret side does not need.
fn decode(text: &[u8]) -> ([u8; 32], bool) {
    let mut bytes = [0_u8; 32];
    let Ok(text) = <&[u8; SECRET_HASH_LEN]>::try_from(text) else {
        return (bytes, false);
    };
    // Four symbols as 24 bits; a non-symbol sets bits above them.
    let word = |group: &[u8]| {
        group.iter().fold(0_u32, |word, &symbol| {
            (word << 6)
                | SYMBOLS
                    .get(usize::from(symbol))
                    .copied()
                    .unwrap_or(u32::MAX)
        })
    };
    let mut invalid = 0_u32;
    // Ten groups of four symbols make thirty bytes; the last three symbols make two, and
    // the two bits left over must be zero.
    let (groups, last) = text.split_at(40);
    for (group, out) in groups.chunks_exact(4).zip(bytes.chunks_exact_mut(3)) {
        let word = word(group);
        invalid |= word;
        let [_, high, middle, low] = word.to_be_bytes();
        out.iter_mut()
            .zip([high, middle, low])
            .for_each(|(slot, byte)| *slot = byte);
    }
    // The last three symbols, shifted as if a fourth (zero) followed: two bytes, and the
    // third holds the two unused bits; the padding must be the one `=`.
    let (symbols, padding) = last.split_at(3);
    let tail = word(symbols);
    invalid |= tail << 6;
    let [_, high, low, unused] = (tail << 6).to_be_bytes();
    let [.., before_last, last_byte] = &mut bytes;
    (*before_last, *last_byte) = (high, low);
    let canonical = invalid >> 24 == 0 && padding == b"=" && unused == 0;
    (bytes, canonical)
}

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientSecret(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::{SECRET_HASH_LEN, decode};

    #[test]
    fn a_byte_that_is_not_a_symbol_is_never_canonical() {
        // 32 bytes of 0xff: every group is "////", the one symbol whose bits a careless
        // decoder gives a non-symbol too, so only the validity check can refuse these.
        let right = *b"//////////////////////////////////////////8=";
        assert_eq!(decode(&right), ([0xff; 32], true));
        // Every place of a group of four and of the last three symbols (the other groups
        // are decoded by the same code); under Miri, a few of the bytes.
        let all: heapless::Vec<u8, 256> = (0..=u8::MAX).collect();
        let bytes: &[u8] = if cfg!(miri) {
            &[0x00, b' ', b'-', b'.', b'=', b'_', 0x7f, 0x80, 0xff]
        } else {
            &all
        };
        for place in (0..4).chain(40..SECRET_HASH_LEN - 1) {
            for &byte in bytes.iter().filter(|byte| !byte.is_ascii_alphanumeric()) {
                if matches!(byte, b'+' | b'/') {
                    continue;
                }
                let mut text = right;
                if let Some(slot) = text.get_mut(place) {
                    *slot = byte;
                }
                assert!(!decode(&text).1, "{byte:#04x} at {place}");
            }
        }
    }
}
