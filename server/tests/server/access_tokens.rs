//! An access token presented back (`GetUser`): this server's own, signed by an access-token
//! key of its ring, before its `exp` by this server's clock, and from this server's issuer;
//! anything else refused with the service's message.

use std::time::Duration;

use confirmation_flow_server::{
    access_token::{Refused, verify},
    tokens::{self, Identity},
};

use crate::signing::{ring, ring_one};

const PUBLIC_URL: &str = "http://127.0.0.1:9229";
const NOW: i64 = 1_700_000_060;

fn bob() -> Identity {
    Identity {
        pool_id: "us-east-1_ACCESS".into(),
        username: "bob".into(),
        sub: "0d9bd0c5-0cb4-4a8d-94a3-3c1b2f2b0f6e".into(),
        client_id: "publicclient".into(),
        email: None,
        email_verified: false,
        phone_number: None,
        phone_number_verified: false,
    }
}

#[test]
fn an_access_token_verifies_until_its_exp_and_says_whose_it_is() {
    let keys = ring_one();
    let issuer = tokens::issuer(PUBLIC_URL, "us-east-1_ACCESS");
    let hour = Duration::from_secs(3600);
    let minted = tokens::mint(keys, &issuer, &bob(), NOW, NOW, hour, hour).unwrap();
    let presented = verify(keys, PUBLIC_URL, &minted.access_token, NOW).unwrap();
    assert_eq!(
        (presented.pool_id.as_str(), presented.username.as_str()),
        ("us-east-1_ACCESS", "bob")
    );
    assert_eq!(presented.sub, bob().sub);
    assert_eq!(presented.origin_jti, minted.origin_jti);
    assert!(verify(keys, PUBLIC_URL, &minted.access_token, NOW + 3599).is_ok());
    assert_eq!(
        verify(keys, PUBLIC_URL, &minted.access_token, NOW + 3600),
        Err(Refused::Expired)
    );
    assert_eq!(Refused::Expired.message(), "Access Token has expired");
}

#[test]
fn an_id_token_another_issuer_or_another_rings_token_is_invalid() {
    let keys = ring_one();
    let hour = Duration::from_secs(3600);
    let issuer = tokens::issuer(PUBLIC_URL, "us-east-1_ACCESS");
    let minted = tokens::mint(keys, &issuer, &bob(), NOW, NOW, hour, hour).unwrap();
    let invalid = Err(Refused::Invalid);
    assert_eq!(verify(keys, PUBLIC_URL, &minted.id_token, NOW), invalid);
    assert_eq!(
        verify(keys, "http://elsewhere:9229", &minted.access_token, NOW),
        invalid
    );
    let other_ring = ring((1, 9), &[]);
    let foreign = tokens::mint(&other_ring, &issuer, &bob(), NOW, NOW, hour, hour).unwrap();
    assert_eq!(
        verify(keys, PUBLIC_URL, &foreign.access_token, NOW),
        invalid
    );
    // `alg: none`, a payload with no signature.
    let mut parts = minted.access_token.split('.');
    let (_, payload) = (parts.next(), parts.next().unwrap());
    let none = format!("eyJhbGciOiJub25lIn0.{payload}.");
    assert_eq!(verify(keys, PUBLIC_URL, &none, NOW), invalid);
    assert_eq!(Refused::Invalid.message(), "Invalid Access Token");
}
