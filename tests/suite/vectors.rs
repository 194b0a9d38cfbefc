//! Frozen known-answer vectors: a stored tag or a generated code must never change between
//! releases, or every state in every store would stop verifying.
//!
//! The expected values were computed outside this crate, with Python's `hmac`/`hashlib`
//! from the documented construction:
//!
//! ```text
//! entropy = sha256(seed)
//! code    = rejection-sample entropy bytes: accept b < 256 - 256 % n, symbol b % n
//! tag     = HMAC-SHA-256(bytes(range(32)),
//!                        b"confirmation-flow/v1/code-tag" + len(subject).to_bytes(8, "big")
//!                        + subject + code)
//! ```

use confirmation_flow::{
    Alphabet, Code, Confirmation, KeyId, Policy, PolicyConfig, ServerKey, StoredState,
};
use sha2::{Digest, Sha256};

struct Vector {
    seed: &'static [u8],
    alphabet: Alphabet,
    length: u8,
    subject: &'static [u8],
    code: &'static str,
    tag: &'static str,
}

const VECTORS: &[Vector] = &[
    Vector {
        seed: b"entropy-1",
        alphabet: Alphabet::Digits,
        length: 6,
        subject: b"user-0001",
        code: "809588",
        tag: "fd3ccabe00f3c6f80ecc2328d38736fc5525f2cebe692bf3de4ddf1d98ed0717",
    },
    Vector {
        seed: b"entropy-2",
        alphabet: Alphabet::Digits,
        length: 8,
        subject: b"9f1c2b7e-4d3a-4e8b-b1a0-5c6d7e8f9a0b",
        code: "20002906",
        tag: "4ba719be47d9a021c58b6fd301010399afe2dafb1da28ac6ab8750d848081db2",
    },
    Vector {
        seed: b"entropy-3",
        alphabet: Alphabet::CrockfordBase32,
        length: 8,
        subject: b"alice",
        code: "3DMGDY08",
        tag: "352e861b7dba4bd627bb85a4a11eed75faa5966a370c83e71e0ee3ebcfa94d50",
    },
    Vector {
        seed: b"entropy-4",
        alphabet: Alphabet::Digits,
        length: 6,
        subject: b"",
        code: "406357",
        tag: "aee98ec7008520e2acdaa8ef9b3900c29067dddb6b4de7c08cf48cac285c14f1",
    },
];

fn key() -> ServerKey {
    let secret: [u8; 32] = core::array::from_fn(|i| u8::try_from(i).unwrap());
    ServerKey::new(KeyId(7), &secret)
}

#[test]
fn issued_codes_and_stored_tags_match_the_frozen_vectors() {
    for (index, vector) in VECTORS.iter().enumerate() {
        let policy = Policy::new(PolicyConfig {
            alphabet: vector.alphabet,
            code_length: vector.length,
            ..PolicyConfig::COGNITO
        })
        .unwrap();
        let entropy: [u8; 32] = Sha256::digest(vector.seed).into();
        let (state, code) =
            Confirmation::issue(&policy, &key(), vector.subject, crate::common::T0, &entropy)
                .unwrap();
        assert_eq!(code.as_str(), vector.code, "vector {index}: code");
        let stored = StoredState::from(state);
        assert_eq!(stored.tag.as_str(), vector.tag, "vector {index}: tag");
        assert_eq!(stored.key_id, 7, "vector {index}: key id");
    }
}

#[test]
fn rejected_bytes_are_skipped_not_reduced() {
    // 250..=255 would bias a plain `% 10` towards 0–5; they must be skipped.
    let mut entropy = [0_u8; 32];
    let bytes = [250, 251, 252, 253, 254, 255, 10, 11, 12, 13, 14, 15];
    entropy
        .iter_mut()
        .zip(bytes)
        .for_each(|(slot, byte)| *slot = byte);
    assert_eq!(
        Code::generate(&Policy::COGNITO, &entropy).unwrap().as_str(),
        "012345"
    );
}
