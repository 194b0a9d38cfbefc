//! `SecretHash`: `Base64(HMAC-SHA-256(client secret, Username ‖ ClientId))`.

use core::fmt;

use crate::key::{HmacSha256, ct_eq, finish, keyed_hmac};
use base64ct::{Base64, Encoding};
use hmac::Mac;

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
    /// and `client_id`: 44 characters of padded base64.
    #[must_use]
    pub fn compute(&self, username: &str, client_id: &str) -> heapless::String<SECRET_HASH_LEN> {
        let encoded = self.encoded(username, client_id);
        let mut out = heapless::String::new();
        // Base64 output is ASCII and exactly 44 bytes, so the conversion and push succeed.
        let _ = out.push_str(core::str::from_utf8(&encoded).unwrap_or_default());
        out
    }

    /// Whether `candidate` is the right `SecretHash` for `username` and `client_id`.
    ///
    /// Constant-time in the candidate's content: the 44 expected bytes are compared through
    /// `subtle` against a fixed 44-byte copy of the candidate; only its length (which is
    /// public: it is on the wire) decides anything else.
    #[must_use]
    pub fn verify(&self, username: &str, client_id: &str, candidate: &str) -> bool {
        let expected = self.encoded(username, client_id);
        let mut received = [0_u8; SECRET_HASH_LEN];
        received
            .iter_mut()
            .zip(candidate.bytes())
            .for_each(|(slot, byte)| *slot = byte);
        let same_length = subtle::Choice::from(u8::from(candidate.len() == SECRET_HASH_LEN));
        bool::from(ct_eq(&expected, &received) & same_length)
    }

    /// The base64 text as bytes. On the impossible failure of encoding 32 bytes into 44,
    /// the all-zero buffer is returned, which no well-formed candidate equals.
    fn encoded(&self, username: &str, client_id: &str) -> [u8; SECRET_HASH_LEN] {
        let mut mac = self.mac.clone();
        mac.update(username.as_bytes());
        mac.update(client_id.as_bytes());
        let digest = finish(mac);
        let mut text = [0_u8; SECRET_HASH_LEN];
        if Base64::encode(&digest, &mut text).is_err() {
            text = [0; SECRET_HASH_LEN];
        }
        text
    }
}

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientSecret(<redacted>)")
    }
}
