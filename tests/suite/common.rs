//! Fixtures shared by the integration tests: a key, a user, a clock, entropy.
#![allow(
    dead_code,
    reason = "tests/no_alloc.rs includes this file too and uses only part of it"
)]

use confirmation_flow::{Code, Confirmation, KeyId, Policy, ServerKey, Timestamp};
use sha2::{Digest, Sha256};

/// An arbitrary issue time.
pub(crate) const T0: Timestamp = Timestamp::from_unix_seconds(1_700_000_000);
/// The user every test confirms.
pub(crate) const SUBJECT: &[u8] = b"user-0001";
pub(crate) const HOUR: u64 = 60 * 60;
pub(crate) const DAY: u64 = 24 * HOUR;

pub(crate) fn key() -> ServerKey {
    ServerKey::new(KeyId(1), &[7; 32])
}

pub(crate) fn rotated_key() -> ServerKey {
    ServerKey::new(KeyId(2), &[9; 32])
}

/// `seconds` after [`T0`].
pub(crate) fn at(seconds: u64) -> Timestamp {
    T0.saturating_add(core::time::Duration::from_secs(seconds))
}

/// Deterministic stand-in for CSPRNG output.
pub(crate) fn entropy(seed: u32) -> [u8; 32] {
    Sha256::digest(seed.to_be_bytes()).into()
}

/// A first code issued at [`T0`] under the Cognito policy.
pub(crate) fn issued() -> (Confirmation, Code) {
    Confirmation::issue(&Policy::COGNITO, &key(), SUBJECT, T0, &entropy(0))
        .expect("sha256 output fills a six-digit code")
}

/// A code of the same shape that is certainly not `code`.
pub(crate) fn wrong(code: &Code) -> String {
    code.as_str()
        .chars()
        .map(|digit| if digit == '0' { '1' } else { '0' })
        .collect()
}
