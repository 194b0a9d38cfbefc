//! The tokens: they verify with another RSA implementation (`ring`) against the published
//! JWKS alone, carry the service's claims, fail once touched, and still verify after a
//! rotation.

use std::time::Duration;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use confirmation_flow_server::{
    signing::{SigningKeys, TokenUse},
    tokens::{self, Identity, Minted},
};
use serde_json::{Value, json};

use crate::signing::{ring, ring_one};

/// The verifier a relying party would run, on another RSA implementation than the signer's:
/// the JWK of the token's `kid`, found in `jwks`, checks the RS256 signature (`ring`). The
/// token's header and claims, or why it does not verify.
fn verify(token: &str, jwks: &Value) -> Result<(Value, Value), String> {
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("not three parts".into());
    };
    let decode = |part: &str| URL_SAFE_NO_PAD.decode(part).map_err(|e| e.to_string());
    let header: Value = serde_json::from_slice(&decode(header)?).map_err(|e| e.to_string())?;
    let kid = header["kid"].as_str().ok_or("no kid")?;
    let jwk = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|key| key["kid"] == kid)
        .ok_or("no such kid")?;
    if header["alg"] != "RS256" || jwk["alg"] != "RS256" {
        return Err("not RS256".into());
    }
    let (n, e) = (jwk["n"].as_str().unwrap(), jwk["e"].as_str().unwrap());
    let key = ring::signature::RsaPublicKeyComponents {
        n: decode(n)?,
        e: decode(e)?,
    };
    let signed = &token[..token.rfind('.').unwrap()];
    key.verify(
        &ring::signature::RSA_PKCS1_2048_8192_SHA256,
        signed.as_bytes(),
        &decode(signature)?,
    )
    .map_err(|_| "bad signature".to_owned())?;
    let claims = serde_json::from_slice(&decode(payload)?).map_err(|e| e.to_string())?;
    Ok((header, claims))
}

fn alice() -> Identity {
    Identity {
        pool_id: "us-east-1_TOKENS".into(),
        username: "alice".into(),
        sub: "2a1c0e52-6c55-4f84-9e4b-5d6c2b9f0a11".into(),
        client_id: "publicclient".into(),
        email: Some("alice@example.com".into()),
        email_verified: true,
        phone_number: None,
        phone_number_verified: false,
    }
}

const ISSUER: &str = "http://127.0.0.1:9229/us-east-1_TOKENS";

fn mint(keys: &SigningKeys, identity: &Identity) -> Minted {
    let (access, id) = (Duration::from_secs(3600), Duration::from_secs(300));
    tokens::mint(
        keys,
        ISSUER,
        identity,
        1_700_000_000,
        1_700_000_060,
        access,
        id,
    )
    .unwrap()
}

#[test]
fn minted_tokens_verify_against_the_jwks_and_carry_the_services_claims() {
    let keys = ring_one();
    let minted = mint(keys, &alice());
    assert_eq!(minted.expires_in, 3600);
    let jwks = keys.jwks();
    let (id_header, id) = verify(&minted.id_token, &jwks).unwrap();
    let (access_header, access) = verify(&minted.access_token, &jwks).unwrap();
    // The service's header: `kid` and `alg` only; a key for each kind of token.
    assert_eq!(
        id_header,
        json!({"kid": keys.current(TokenUse::Id).kid(), "alg": "RS256"})
    );
    assert_eq!(access_header["kid"], keys.current(TokenUse::Access).kid());
    let uuid = |value: &Value| uuid::Uuid::parse_str(value.as_str().unwrap()).unwrap();
    for (claims, ttl) in [(&id, 300), (&access, 3600)] {
        assert_eq!(claims["iss"], ISSUER);
        assert_eq!(claims["sub"], "2a1c0e52-6c55-4f84-9e4b-5d6c2b9f0a11");
        assert_eq!(
            (&claims["auth_time"], &claims["iat"]),
            (&json!(1_700_000_000), &json!(1_700_000_060))
        );
        assert_eq!(
            claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
            ttl
        );
        assert_eq!(claims["origin_jti"], minted.origin_jti.as_str());
        assert_eq!(uuid(&claims["jti"]).get_version_num(), 4);
    }
    assert_ne!(id["jti"], access["jti"]);
    assert_eq!(id["event_id"], access["event_id"]);
    uuid(&id["event_id"]);
    uuid(&id["origin_jti"]);
    let keys_of = |claims: &Value| {
        let mut names: Vec<_> = claims.as_object().unwrap().keys().cloned().collect();
        names.sort();
        names
    };
    assert_eq!(
        keys_of(&id),
        [
            "aud",
            "auth_time",
            "cognito:username",
            "email",
            "email_verified",
            "event_id",
            "exp",
            "iat",
            "iss",
            "jti",
            "origin_jti",
            "sub",
            "token_use"
        ]
    );
    assert_eq!(
        (
            &id["aud"],
            &id["token_use"],
            &id["cognito:username"],
            &id["email"],
            &id["email_verified"]
        ),
        (
            &json!("publicclient"),
            &json!("id"),
            &json!("alice"),
            &json!("alice@example.com"),
            &json!(true)
        )
    );
    assert_eq!(
        keys_of(&access),
        [
            "auth_time",
            "client_id",
            "event_id",
            "exp",
            "iat",
            "iss",
            "jti",
            "origin_jti",
            "scope",
            "sub",
            "token_use",
            "username"
        ]
    );
    assert_eq!(
        (
            &access["client_id"],
            &access["token_use"],
            &access["scope"],
            &access["username"]
        ),
        (
            &json!("publicclient"),
            &json!("access"),
            &json!("aws.cognito.signin.user.admin"),
            &json!("alice")
        )
    );
}

#[test]
fn a_phone_number_goes_into_the_id_token_with_its_verification() {
    let keys = ring_one();
    let identity = Identity {
        email: None,
        phone_number: Some("+15555550100".into()),
        ..alice()
    };
    let (_, id) = verify(&mint(keys, &identity).id_token, &keys.jwks()).unwrap();
    assert_eq!(id["phone_number"], "+15555550100");
    assert_eq!(id["phone_number_verified"], false);
    assert!(id.get("email").is_none() && id.get("email_verified").is_none());
}

#[test]
fn a_touched_token_does_not_verify() {
    let keys = ring_one();
    let minted = mint(keys, &alice());
    let jwks = keys.jwks();
    let parts: Vec<&str> = minted.access_token.split('.').collect();
    // Another username, the signature kept.
    let mut claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    claims["username"] = json!("mallory");
    let forged = [
        parts[0],
        &URL_SAFE_NO_PAD.encode(claims.to_string()),
        parts[2],
    ]
    .join(".");
    assert_eq!(verify(&forged, &jwks), Err("bad signature".to_owned()));
    // A bit of the signature flipped.
    let mut signature = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
    signature[100] ^= 1;
    let flipped = [parts[0], parts[1], &URL_SAFE_NO_PAD.encode(signature)].join(".");
    assert_eq!(verify(&flipped, &jwks), Err("bad signature".to_owned()));
    // An access token's signature passed off as the ID key's (`kid` swapped).
    let mut header: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    header["kid"] = json!(keys.current(TokenUse::Id).kid());
    let swapped = [
        &URL_SAFE_NO_PAD.encode(header.to_string()),
        parts[1],
        parts[2],
    ]
    .join(".");
    assert_eq!(verify(&swapped, &jwks), Err("bad signature".to_owned()));
    // Signed by another ring.
    let stranger = mint(&ring((1, 7), &[]), &alice());
    assert_eq!(
        verify(&stranger.id_token, &jwks),
        Err("no such kid".to_owned())
    );
}

#[test]
fn after_a_rotation_old_tokens_verify_by_their_kid_and_new_ones_use_the_new_key() {
    let before = ring_one();
    let old = mint(before, &alice());
    // Key 2 added and made current, key 1 kept.
    let after = ring((2, 5), &[(1, 0)]);
    let jwks = after.jwks();
    let old_kids = [
        before.current(TokenUse::Id).kid(),
        before.current(TokenUse::Access).kid(),
    ];
    for (token, kid) in [&old.id_token, &old.access_token].into_iter().zip(old_kids) {
        let (header, _) = verify(token, &jwks).unwrap();
        assert_eq!(header["kid"], kid);
    }
    let new = mint(&after, &alice());
    for token in [&new.id_token, &new.access_token] {
        let (header, _) = verify(token, &jwks).unwrap();
        assert!(header["kid"].as_str().unwrap().starts_with("2-"));
        // A verifier that has not fetched the new keys yet does not know them.
        assert_eq!(verify(token, &before.jwks()), Err("no such kid".to_owned()));
    }
}

#[test]
fn tokens_minted_within_a_session_keep_its_origin() {
    let keys = ring_one();
    let origin = tokens::Origin::new(1_700_000_000);
    let (ttl, now) = (Duration::from_secs(3600), 1_700_003_000);
    let refreshed = tokens::mint_in(keys, ISSUER, &alice(), &origin, now, ttl, ttl).unwrap();
    assert_eq!(refreshed.origin_jti, origin.origin_jti);
    let (_, access) = verify(&refreshed.access_token, &keys.jwks()).unwrap();
    assert_eq!(access["origin_jti"], origin.origin_jti.as_str());
    assert_eq!(
        (&access["auth_time"], &access["iat"]),
        (&json!(1_700_000_000), &json!(now))
    );
}
