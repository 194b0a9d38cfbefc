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

/// The signing keys of a ring: `(id, bytes offset)` of the current key and older ones.
pub fn ring(current: (u32, u8), older: &[(u32, u8)]) -> SigningKeys {
    SigningKeys::derive(&Seeds {
        current: Seed::of(current.0, &bytes(current.1)),
        older: older
            .iter()
            .map(|&(id, b)| Seed::of(id, &bytes(b)))
            .collect(),
    })
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
    let once = SigningKey::derive(&seed, TokenUse::Id).unwrap();
    let again = SigningKey::derive(&Seed::of(1, &bytes(0)), TokenUse::Id).unwrap();
    assert_eq!(once.kid(), again.kid());
    assert_eq!(public(&once), public(&again));
    let access = SigningKey::derive(&seed, TokenUse::Access).unwrap();
    let other_id = SigningKey::derive(&Seed::of(2, &bytes(0)), TokenUse::Id).unwrap();
    let other_bytes = SigningKey::derive(&Seed::of(1, &bytes(1)), TokenUse::Id).unwrap();
    for other in [&access, &other_id, &other_bytes] {
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

/// The keys ring key 1 with bytes `0..32` derives, by their moduli's SHA-256. A change here
/// is a change of every deployment's signing keys: the tokens they signed stop verifying.
/// If a dependency bump moved them, pin the old versions back, or ship it as a rotation (a
/// new label in `signing.rs`) and say so.
#[test]
fn the_derived_keys_match_the_test_vector() {
    let seed = Seed::of(1, &bytes(0));
    let digest = |kind| {
        let key = SigningKey::derive(&seed, kind).unwrap();
        (
            key.kid().to_owned(),
            hex::encode(Sha256::digest(modulus(&public(&key)))),
        )
    };
    let id = "0ee0b4c553c109c8a73e69bfe5c2356779d893b1bd212263a3dcf8d8e5538854";
    assert_eq!(
        digest(TokenUse::Id),
        ("1-0ee0b4c5".to_owned(), id.to_owned())
    );
    let access = "91bb65febff84d9a7f5e4292794788a6df51bac9868317f54b4a68bba2c60679";
    assert_eq!(
        digest(TokenUse::Access),
        ("1-91bb65fe".to_owned(), access.to_owned())
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
