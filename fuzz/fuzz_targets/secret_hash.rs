//! `SecretHash` with arbitrary strings.
//!
//! Invariants: `compute` is always 44 characters of padded base64; `verify` accepts exactly
//! the computed hash and nothing else, whatever the candidate's length or bytes.
#![no_main]

use arbitrary::Arbitrary;
use confirmation_flow::cognito::ClientSecret;
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    secret: &'a str,
    username: &'a str,
    client_id: &'a str,
    candidate: &'a str,
}

fuzz_target!(|input: Input<'_>| {
    let secret = ClientSecret::new(input.secret);
    let hash = secret.compute(input.username, input.client_id);
    assert_eq!(hash.len(), 44);
    assert!(
        hash.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
    );
    assert!(secret.verify(input.username, input.client_id, &hash));
    let verified = secret.verify(input.username, input.client_id, input.candidate);
    assert_eq!(verified, input.candidate == hash.as_str());
});
