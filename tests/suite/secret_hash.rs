//! `SecretHash` against every vector of the spec's §6 (public and independently computed
//! with Python's hmac/hashlib/base64), and RFC 4231 through the public API.

use confirmation_flow::cognito::ClientSecret;

/// (username, client id, client secret, `SecretHash`).
const VECTORS: &[(&str, &str, &str, &str)] = &[
    (
        "username",
        "EPswPGbpdBLZnh9XW134hK7qYe",
        "ps50nb7hd1umdnmlt1xa9nwiscqvdvzy5ijw63vcacd09yihc2b",
        "oUkNFqfm7UjLds8vXFWarT1l3gqORGoztf+EyFmoX2Q=",
    ),
    (
        "john@doe.io",
        "3333",
        "44444",
        "MPes6MCbb9oZNDZDTpNlwG96sr65NiXkyFi8V7h2HCY=",
    ),
    (
        "alice",
        "1example23456789",
        "examplesecret0123456789abcdefghijklmnopqrstuvwxyz00",
        "89uv5q5I31Qozug8O6s7IDqx0FtNyrzrDsV8Cy1jrDU=",
    ),
    (
        "jie@example.com",
        "1234567890abcdef0",
        "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMN",
        "EB8kAEbqxkZtHxDah4sM1StIJc3lal90GR5HDEq+ifs=",
    ),
    (
        "Bob",
        "7ql4example",
        "s3cr3t",
        "kWrCOiuCWhyjsCaD2Hv4iyr82fBK4ToBUp/qwQuW+Ko=",
    ),
    (
        "bob",
        "7ql4example",
        "s3cr3t",
        "8AlXfm7lqunFtNoEnkrnzVzDARrhoDRYbxmPLDUEIZE=",
    ),
    (
        "Jürgen",
        "abc123",
        "k",
        "9krvyjBlR87GOuGy72s9ICAcrqHsOT0XKZ0L1ADSmPk=",
    ),
    (
        "+12065551212",
        "2ects9inqraapp43ejve80pv12",
        "1a2b3c4d5e6f7g8h9i0jklmnopqrstuvwxyz1234567890abcd",
        "HbbqUsa7lEX/PGMaWSAqwMPbq/y9Bl2O24l+0wCxsus=",
    ),
    (
        "",
        "clientid",
        "secret",
        "Qp230NVO+3MNxY8xAnJ3u5u4ycx8rnwah/huD/TCxv0=",
    ),
    (
        // The longest username (128 characters): the message no longer fits the buffer the
        // crate gathers short messages in, so this pins the streamed path too.
        "long-username-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "2ects9inqraapp43ejve80pv12",
        "1a2b3c4d5e6f7g8h9i0jklmnopqrstuvwxyz1234567890abcd",
        "Bjz928leREq9g9JthDAkkpzcErYDHjaggiCd5G3K6BE=",
    ),
];

#[test]
fn compute_matches_every_spec_vector() {
    for &(username, client_id, secret, expected) in VECTORS {
        let hash = ClientSecret::new(secret).compute(username, client_id);
        assert_eq!(hash.as_str(), expected, "{username} / {client_id}");
        assert_eq!(hash.len(), 44);
    }
}

#[test]
fn verify_accepts_every_spec_vector() {
    for &(username, client_id, secret, expected) in VECTORS {
        assert!(
            ClientSecret::new(secret).verify(username, client_id, expected),
            "{username}"
        );
    }
}

#[test]
fn verify_rejects_near_misses() {
    let (username, client_id, secret, right) = VECTORS[4];
    let secret = ClientSecret::new(secret);
    let flip = |index: usize| {
        let mut bytes = right.as_bytes().to_vec();
        bytes[index] = if bytes[index] == b'A' { b'B' } else { b'A' };
        String::from_utf8(bytes).unwrap()
    };
    for candidate in [
        flip(0),
        flip(42),
        right[..43].to_owned(),
        format!("{right}="),
        String::new(),
    ] {
        assert!(
            !secret.verify(username, client_id, &candidate),
            "{candidate:?}"
        );
    }
    assert!(
        !secret.verify("bob", client_id, right),
        "the username is case-sensitive"
    );
    assert!(
        !secret.verify(username, "7ql4exampl", right),
        "the client id is bound"
    );
}

#[test]
fn rfc4231_cases_1_and_2_through_the_public_type() {
    // SecretHash is HMAC-SHA-256(secret, username ‖ client id) in base64; with an empty
    // client id it is plain HMAC of the username, so the RFC's vectors apply (its hex
    // outputs, base64-encoded).
    let case_1 = ClientSecret::new(&"\u{0b}".repeat(20)).compute("Hi There", "");
    assert_eq!(
        case_1.as_str(),
        "sDRMYdjbOFNcqK/OrwvxK4gdwgDJgz2nJuk3bC4yz/c="
    );
    let case_2 = ClientSecret::new("Jefe").compute("what do ya want ", "for nothing?");
    assert_eq!(
        case_2.as_str(),
        "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM="
    );
}

#[test]
fn debug_redacts_the_secret() {
    let shown = format!("{:?}", ClientSecret::new("s3cr3t"));
    assert!(!shown.contains("s3cr3t"));
}

#[test]
fn verify_accepts_only_the_canonical_string() {
    // The candidate is decoded, so a text that decodes to the same bytes must still be
    // refused: the service compares strings.
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for &(username, client_id, secret, right) in VECTORS {
        let secret = ClientSecret::new(secret);
        let last = right.as_bytes()[42];
        let value = ALPHABET.iter().position(|&symbol| symbol == last).unwrap();
        for low_bits in 1..4 {
            // Same top four bits, so the same 32 bytes, but unused bits set.
            let other = ALPHABET[(value & !3) | low_bits];
            let mut bytes = right.as_bytes().to_vec();
            bytes[42] = other;
            let candidate = String::from_utf8(bytes).unwrap();
            assert!(
                !secret.verify(username, client_id, &candidate),
                "{candidate}"
            );
        }
        let url_safe = right.replace('+', "-").replace('/', "_");
        if url_safe != right {
            assert!(!secret.verify(username, client_id, &url_safe), "{url_safe}");
        }
        let unpadded = &right[..43];
        assert!(!secret.verify(username, client_id, unpadded));
        let early_pad = format!("{}={}", &right[..20], &right[21..]);
        assert!(!secret.verify(username, client_id, &early_pad));
        let with_space = format!("{} ", &right[..43]);
        assert!(!secret.verify(username, client_id, &with_space));
        assert!(secret.verify(username, client_id, right));
    }
}

proptest::proptest! {
    /// Invariant: a candidate verifies exactly when it is, byte for byte, the string the
    /// service computes — whatever byte is put at whatever place of the right one.
    #[test]
    fn verify_is_string_equality_with_the_right_hash(
        vector in 0..VECTORS.len(),
        place in 0..44_usize,
        byte in proptest::prop_oneof![
            proptest::sample::select(
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ .".to_vec()
            ),
            0..=0x7f_u8,
        ],
    ) {
        let (username, client_id, secret, right) = VECTORS[vector];
        let mut candidate = right.as_bytes().to_vec();
        candidate[place] = byte;
        let candidate = String::from_utf8(candidate).unwrap();
        let secret = ClientSecret::new(secret);
        proptest::prop_assert_eq!(
            secret.verify(username, client_id, &candidate),
            candidate == right
        );
    }
}
