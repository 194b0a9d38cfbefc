//! The tokens' signing keys: derived from the ring, the same from the same ring key in every
//! process and across builds (a test vector), others from another, the current ones published
//! first.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use confirmation_flow_server::signing::{Seed, Seeds, SigningKey, SigningKeys, TokenUse};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The ring key bytes of the tests: `0, 1, …, 31`, or that plus `offset` per byte.
pub fn bytes(offset: u8) -> [u8; 32] {
    std::array::from_fn(|i| u8::try_from(i).unwrap().wrapping_add(offset))
}

/// The pool the tests' keys are for.
pub const POOL: &str = "us-east-1_TOKENS";

/// The signing keys of a ring in [`POOL`]: `(id, bytes offset)` of the current key and
/// older ones.
pub fn ring(current: (u32, u8), older: &[(u32, u8)]) -> SigningKeys {
    SigningKeys::derive(
        &Seeds {
            current: Seed::of(current.0, &bytes(current.1)),
            older: older
                .iter()
                .map(|&(id, b)| Seed::of(id, &bytes(b)))
                .collect(),
        },
        POOL,
    )
    .unwrap()
}

/// The ring of key 1 with bytes `0..32`, derived once for the tests that share it.
pub fn ring_one() -> &'static SigningKeys {
    static RING: std::sync::OnceLock<SigningKeys> = std::sync::OnceLock::new();
    RING.get_or_init(|| ring((1, 0), &[]))
}

/// A key's modulus, as its JWK publishes it.
fn modulus(jwk: &Value) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(jwk["n"].as_str().unwrap()).unwrap()
}

fn public(key: &SigningKey) -> Value {
    serde_json::to_value(key.jwk()).unwrap()
}

#[test]
fn the_same_ring_key_gives_the_same_signing_keys_and_another_gives_others() {
    let seed = Seed::of(1, &bytes(0));
    let once = SigningKey::derive(&seed, TokenUse::Id, POOL).unwrap();
    let again = SigningKey::derive(&Seed::of(1, &bytes(0)), TokenUse::Id, POOL).unwrap();
    assert_eq!(once.kid(), again.kid());
    assert_eq!(public(&once), public(&again));
    let access = SigningKey::derive(&seed, TokenUse::Access, POOL).unwrap();
    let other_id = SigningKey::derive(&Seed::of(2, &bytes(0)), TokenUse::Id, POOL).unwrap();
    let other_bytes = SigningKey::derive(&Seed::of(1, &bytes(1)), TokenUse::Id, POOL).unwrap();
    // Every pool has its own: a verifier trusting one pool's JWKS takes no other's tokens.
    let other_pool = SigningKey::derive(&seed, TokenUse::Id, "us-east-1_OTHER").unwrap();
    for other in [&access, &other_id, &other_bytes, &other_pool] {
        assert_ne!(modulus(&public(other)), modulus(&public(&once)));
        assert_ne!(other.kid(), once.kid());
    }
    assert!(once.kid().starts_with("1-") && other_id.kid().starts_with("2-"));
    assert_eq!(once.kid().len(), "1-".len() + 8);
    let jwk = public(&once);
    assert_eq!(
        (&jwk["kty"], &jwk["alg"], &jwk["use"], &jwk["e"]),
        (
            &json!("RSA"),
            &json!("RS256"),
            &json!("sig"),
            &json!("AQAB")
        )
    );
    assert_eq!(modulus(&jwk).len(), 256, "a 2048-bit modulus");
}

/// The keys ring key 1 with bytes `0..32` derives in [`POOL`], by their moduli's SHA-256. A change here
/// is a change of every deployment's signing keys: the tokens they signed stop verifying.
/// If a dependency bump moved them, pin the old versions back, or ship it as a rotation (a
/// new label in `signing.rs`) and say so.
#[test]
fn the_derived_keys_match_the_test_vector() {
    let seed = Seed::of(1, &bytes(0));
    let digest = |kind| {
        let key = SigningKey::derive(&seed, kind, POOL).unwrap();
        (
            key.kid().to_owned(),
            hex::encode(Sha256::digest(modulus(&public(&key)))),
        )
    };
    let id = "fa417a541cc3610b47451007cccc6e9c6641aac8768aa4e12e893c5f145c03c1";
    assert_eq!(
        digest(TokenUse::Id),
        ("1-fa417a54".to_owned(), id.to_owned())
    );
    let access = "02c9186f2a8cb9d2a2d2563188bc9e9fa7aa9b2252faceb9333bfa4e1ea72fe8";
    assert_eq!(
        digest(TokenUse::Access),
        ("1-02c9186f".to_owned(), access.to_owned())
    );
}

#[test]
fn a_ring_publishes_the_current_keys_first_then_the_older_ones() {
    let jwks = ring((2, 5), &[(1, 0)]).jwks();
    let kids: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|key| key["kid"].as_str().unwrap())
        .collect();
    let alone = ring_one();
    let older = [
        alone.current(TokenUse::Id).kid(),
        alone.current(TokenUse::Access).kid(),
    ];
    assert_eq!(kids.len(), 4);
    assert!(
        kids[..2].iter().all(|kid| kid.starts_with("2-")),
        "{kids:?}"
    );
    assert_eq!(kids[2..], older);
}
