//! Amazon Cognito's SRP-6a, the server's side of `USER_SRP_AUTH`, as its clients compute it
//! (amazon-cognito-identity-js's `AuthenticationHelper`, pycognito's `AWSSRP`): RFC 5054's
//! 3072-bit group with `g = 2`; SHA-256; `k = H(N | g)`; `x = H(salt | H(pool name |
//! username | ":" | password))`; `u = H(A | B)`; each integer hashed as its shortest
//! big-endian bytes with a zero byte in front when the top bit is set (the clients' `padHex`);
//! the session key is HKDF-SHA256 of `S` salted with `u`, info `Caldera Derived Key`, 16
//! bytes; the claim is HMAC-SHA256 under it of the pool name, the user id for SRP, the secret
//! block and the timestamp.
//!
//! The verifier `v = g^x` and its salt are made when the password is set; the password is
//! never stored. Integers are `crypto-bigint`'s `BoxedUint` (already pinned for the signing
//! keys): its modular exponentiation takes the same time for every exponent of a width,
//! which the secret exponents (`x`, `b`) need. Hashing an integer trims its leading zero
//! bytes in variable time, as every client does; that shows at most how many leading zero
//! bytes `S` has.

use std::sync::LazyLock;

use crypto_bigint::{
    BoxedUint, Odd,
    modular::{BoxedMontyForm, BoxedMontyParams},
};
use hkdf::Hkdf;
use hmac::{Hmac, KeyInit as _, Mac as _};
use sha2::{Digest as _, Sha256};

/// RFC 5054's (and RFC 3526's) 3072-bit prime, as the service's clients carry it.
const N_HEX: &str = "\
FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD\
EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED\
EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F\
83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B\
E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510\
15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7\
ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C\
BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF";

/// The group's width: every integer mod `N` is this wide.
pub const BITS: u32 = 3072;
/// The HKDF info of the session key.
const INFO: &[u8] = b"Caldera Derived Key";

struct Group {
    n: BoxedUint,
    params: BoxedMontyParams,
    g: BoxedMontyForm,
    k: BoxedMontyForm,
}

static GROUP: LazyLock<Group> = LazyLock::new(|| {
    // A constant: it decodes, and it is odd.
    let n_bytes = hex::decode(N_HEX).unwrap_or_else(|_| unreachable!());
    let n = BoxedUint::from_be_slice(&n_bytes, BITS).unwrap_or_else(|_| unreachable!());
    let odd = Odd::new(n.clone())
        .into_option()
        .unwrap_or_else(|| unreachable!());
    let params = BoxedMontyParams::new(odd);
    let k = sha(&[&padded(&n_bytes), &[2]]);
    Group {
        g: BoxedMontyForm::new(widen(&[2]), &params),
        k: BoxedMontyForm::new(widen(&k), &params),
        params,
        n,
    }
});

/// `bytes` (big-endian, at most [`BITS`] wide) as an integer mod `N`'s width.
fn widen(bytes: &[u8]) -> BoxedUint {
    BoxedUint::from_be_slice(bytes, BITS).unwrap_or_else(|_| unreachable!())
}

fn sha(parts: &[&[u8]]) -> [u8; 32] {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update(part);
    }
    hash.finalize().into()
}

/// The clients' `padHex`: the shortest big-endian bytes, with a zero byte in front when the
/// top bit is set (or for zero).
fn padded(bytes: &[u8]) -> Vec<u8> {
    let trimmed = trimmed(bytes);
    let mut out = Vec::with_capacity(trimmed.len() + 1);
    if trimmed.first().is_none_or(|&top| top & 0x80 != 0) {
        out.push(0);
    }
    out.extend_from_slice(trimmed);
    out
}

/// `bytes` without its leading zero bytes.
fn trimmed(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    bytes.get(start..).unwrap_or_default()
}

fn padded_int(value: &BoxedUint) -> Vec<u8> {
    padded(&value.to_be_bytes())
}

/// An integer the client sent in hex (`SRP_A`), if it is one mod `N` other than zero.
#[must_use]
pub fn parse_public(hex_value: &str) -> Option<BoxedUint> {
    let even = if hex_value.len() % 2 == 1 {
        format!("0{hex_value}")
    } else {
        hex_value.to_owned()
    };
    let bytes = hex::decode(even).ok()?;
    let value = BoxedUint::from_be_slice(trimmed(&bytes), BITS).ok()?;
    let zero = BoxedUint::zero_with_precision(BITS);
    (value < GROUP.n && value != zero).then_some(value)
}

/// The shortest lower-case hex of `value`, as the service and its clients write them.
#[must_use]
pub fn to_hex(value: &BoxedUint) -> String {
    let hex_value = hex::encode(value.to_be_bytes());
    let trimmed = hex_value.trim_start_matches('0');
    if trimmed.is_empty() {
        "0".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// `v = g^x` for `password`, the verifier stored in its place.
#[must_use]
pub fn verifier(pool_name: &str, username: &str, password: &str, salt: &[u8]) -> BoxedUint {
    let inner = sha(&[
        pool_name.as_bytes(),
        username.as_bytes(),
        b":",
        password.as_bytes(),
    ]);
    let x = sha(&[&padded(salt), &inner]);
    let x = BoxedUint::from_be_slice(&x, 256).unwrap_or_else(|_| unreachable!());
    GROUP.g.pow(&x).retrieve()
}

/// The pool name the service's clients hash: the pool id after its region's `_`.
#[must_use]
pub fn pool_name(pool_id: &str) -> &str {
    pool_id.split_once('_').map_or(pool_id, |(_, name)| name)
}

/// A new verifier of `password` for the user `username` of the pool `pool_id`, with a new
/// 16-byte salt, as stored: `<salt hex>:<verifier hex>`.
#[must_use]
pub fn stored_verifier(pool_id: &str, username: &str, password: &str) -> String {
    let salt = salt(crate::random::random_bytes::<16>());
    let v = verifier(pool_name(pool_id), username, password, &salt);
    format!("{}:{}", hex::encode(salt), to_hex(&v))
}

/// `bytes` as a salt whose first byte is not zero. The clients disagree on a salt that starts
/// with one: amazon-cognito-identity-js reads `SALT` as a number and hashes it without its
/// leading zero byte; pycognito hashes the string as sent, zero byte and all.
#[must_use]
pub fn salt(mut bytes: [u8; 16]) -> [u8; 16] {
    bytes[0] = bytes[0].max(1);
    bytes
}

/// A verifier as [`stored_verifier`] wrote it: its salt (hex, as the challenge sends it)
/// and the verifier.
#[must_use]
pub fn parse_stored(stored: &str) -> Option<(String, BoxedUint)> {
    let (salt, v) = stored.split_once(':')?;
    hex::decode(salt).ok()?;
    Some((salt.to_owned(), parse_public(v)?))
}

/// The server's public value `B = k·v + g^b` for the secret `b` (256 bits).
#[must_use]
pub fn public_b(v: &BoxedUint, b: &[u8; 32]) -> BoxedUint {
    let group = &*GROUP;
    let v = BoxedMontyForm::new(v.clone(), &group.params);
    let b = BoxedUint::from_be_slice(b, 256).unwrap_or_else(|_| unreachable!());
    group.k.mul(&v).add(&group.g.pow(&b)).retrieve()
}

/// The session key both sides derive: from `S = (A·v^u)^b`; `None` when `u` is zero (the
/// clients refuse such a `B`, and so does the server).
#[must_use]
#[allow(
    clippy::many_single_char_names,
    reason = "the protocol's own names (RFC 5054): A, B, v, b, u, S"
)]
pub fn session_key(
    a: &BoxedUint,
    b_public: &BoxedUint,
    v: &BoxedUint,
    b: &[u8; 32],
) -> Option<[u8; 16]> {
    let group = &*GROUP;
    let u_hash = sha(&[&padded_int(a), &padded_int(b_public)]);
    if u_hash == [0; 32] {
        return None;
    }
    let u = BoxedUint::from_be_slice(&u_hash, 256).ok()?;
    let b = BoxedUint::from_be_slice(b, 256).ok()?;
    let a = BoxedMontyForm::new(a.clone(), &group.params);
    let v = BoxedMontyForm::new(v.clone(), &group.params);
    let s = a.mul(&v.pow(&u)).pow(&b).retrieve();
    let mut key = [0; 16];
    Hkdf::<Sha256>::new(Some(&padded(&u_hash)), &padded_int(&s))
        .expand(INFO, &mut key)
        .ok()?;
    Some(key)
}

/// The claim a client proves it knows the password with: HMAC-SHA256 under the session key.
#[must_use]
pub fn claim(
    key: &[u8; 16],
    pool_name: &str,
    user_id: &str,
    secret_block: &[u8],
    timestamp: &str,
) -> [u8; 32] {
    // HMAC takes a key of any length: this cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    for part in [
        pool_name.as_bytes(),
        user_id.as_bytes(),
        secret_block,
        timestamp.as_bytes(),
    ] {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use base64::{Engine as _, engine::general_purpose::STANDARD};

    use super::*;

    /// `server/tests/data/srp_vector.txt`, made by pycognito's client math.
    fn vector(name: &str) -> String {
        include_str!("../tests/data/srp_vector.txt")
            .lines()
            .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
            .unwrap_or_else(|| panic!("{name} is in the vector"))
            .to_owned()
    }

    /// The server's side agrees with an independent client's: the same `k`, verifier, `B`,
    /// session key and claim for the same inputs.
    #[test]
    fn the_server_side_agrees_with_pycognitos_client_math() {
        let k = hex::encode(GROUP.k.retrieve().to_be_bytes());
        assert!(k.ends_with(&vector("k")), "{k}");
        let salt = hex::decode("0a1b2c3d4e5f60718293a4b5c6d7e8f9").unwrap();
        let v = verifier("ExAmPle12", "alice", "Passw0rd!", &salt);
        assert_eq!(to_hex(&v), vector("v"));
        let b = [0x7f; 32];
        let b_public = public_b(&v, &b);
        assert_eq!(to_hex(&b_public), vector("B"));
        let a = parse_public(&vector("A")).unwrap();
        let key = session_key(&a, &b_public, &v, &b).unwrap();
        assert_eq!(hex::encode(key), vector("hkdf"));
        let block: Vec<u8> = (0..48).collect();
        let signed = claim(
            &key,
            "ExAmPle12",
            "alice",
            &block,
            "Sat Dec 5 20:01:02 UTC 2026",
        );
        assert_eq!(STANDARD.encode(signed), vector("sig"));
        // Another password gives another verifier, and another key for the same A and b.
        let other = verifier("ExAmPle12", "alice", "Passw0rd?", &salt);
        assert_ne!(other, v);
        assert_ne!(session_key(&a, &public_b(&other, &b), &v, &b), Some(key));
    }

    #[test]
    fn a_public_value_is_refused_unless_it_is_one_mod_n_other_than_zero() {
        assert!(parse_public("0").is_none());
        assert!(parse_public("").is_none());
        assert!(parse_public("zz").is_none());
        assert!(parse_public(N_HEX).is_none(), "N itself is zero mod N");
        assert!(parse_public(&format!("1{N_HEX}")).is_none(), "wider than N");
        assert!(parse_public("2").is_some());
        assert_eq!(padded(&[]), [0]);
        assert_eq!(padded(&[0, 0, 0x7f]), [0x7f]);
        assert_eq!(padded(&[0, 0x80]), [0, 0x80]);
        // A salt never starts with a zero byte, which the clients would hash apart.
        assert_eq!(salt([0; 16])[0], 1);
        assert_eq!(salt([0x80; 16]), [0x80; 16]);
    }
}
