//! The ID and access tokens of a sign-in, with the service's claims, signed by the ring's
//! signing keys (`signing.rs`): the ID token by the ID key, the access token by the access
//! key, as the service does.
//!
//! The claims are those of a user pool's `InitiateAuth` tokens (the service's guide,
//! "Understanding the ID token" and "… the access token"). ID token: `sub`,
//! `email_verified` and `email` when the user has an email, `phone_number_verified` and
//! `phone_number` when they have a phone number, `iss`, `cognito:username`, `origin_jti`,
//! `aud` (the app client), `event_id`, `token_use` `id`, `auth_time`, `exp`, `iat`, `jti`.
//! Access token: `sub`, `iss`, `client_id`, `origin_jti`, `event_id`, `token_use` `access`,
//! `scope` `aws.cognito.signin.user.admin`, `auth_time`, `exp`, `iat`, `jti`, `username`.
//! `jti` is each token's own; `event_id` is the sign-in's, `origin_jti` the session's (kept
//! by the tokens a refresh gives): random UUIDs.

use std::time::Duration;

use serde::Serialize;

use crate::signing::{SigningKeys, TokenUse};

/// The access token's scope without OAuth: the user's own API operations.
pub const SCOPE: &str = "aws.cognito.signin.user.admin";

/// Who the tokens are for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub pool_id: String,
    /// The user's username as the pool stores it (`cognito:username`, `username`).
    pub username: String,
    /// The user's `sub`.
    pub sub: String,
    /// The app client the user signed in through (`aud`, `client_id`).
    pub client_id: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub phone_number: Option<String>,
    pub phone_number_verified: bool,
}

/// The session a sign-in starts: when the user authenticated, and the `origin_jti` every
/// token of the session carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub auth_time: i64,
    pub origin_jti: String,
}

impl Origin {
    /// A new session, authenticated at `auth_time` (Unix seconds).
    #[must_use]
    pub fn new(auth_time: i64) -> Self {
        Self {
            auth_time,
            origin_jti: uuid(),
        }
    }
}

/// What a sign-in answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Minted {
    pub access_token: String,
    pub id_token: String,
    /// The access token's lifetime in seconds (`ExpiresIn`).
    pub expires_in: i64,
    /// The session's `origin_jti`, for the refresh token to keep.
    pub origin_jti: String,
}

/// The issuer of `pool_id`'s tokens, given the server's public URL (no trailing `/`).
#[must_use]
pub fn issuer(public_url: &str, pool_id: &str) -> String {
    format!("{public_url}/{pool_id}")
}

/// The tokens of a new sign-in by `identity` at `auth_time`, issued `now` (Unix seconds) by
/// `issuer` ([`issuer`]), living `access_ttl` and `id_ttl`.
///
/// # Errors
/// A token could not be signed (see [`SigningKeys::sign`]).
pub fn mint(
    keys: &SigningKeys,
    issuer: &str,
    identity: &Identity,
    auth_time: i64,
    now: i64,
    access_ttl: Duration,
    id_ttl: Duration,
) -> Result<Minted, String> {
    let origin = Origin::new(auth_time);
    mint_in(keys, issuer, identity, &origin, now, access_ttl, id_ttl)
}

/// [`mint`] within the session `origin` (a refresh: the same `auth_time` and `origin_jti`).
///
/// # Errors
/// A token could not be signed (see [`SigningKeys::sign`]).
pub fn mint_in(
    keys: &SigningKeys,
    issuer: &str,
    identity: &Identity,
    origin: &Origin,
    now: i64,
    access_ttl: Duration,
    id_ttl: Duration,
) -> Result<Minted, String> {
    let event_id = uuid();
    let common = |ttl: Duration| Common {
        origin_jti: &origin.origin_jti,
        event_id: &event_id,
        auth_time: origin.auth_time,
        exp: now.saturating_add(seconds(ttl)),
        iat: now,
        jti: uuid(),
    };
    let id = IdClaims {
        sub: &identity.sub,
        email_verified: identity.email.as_ref().map(|_| identity.email_verified),
        phone_number_verified: (identity.phone_number.as_ref())
            .map(|_| identity.phone_number_verified),
        iss: issuer,
        username: &identity.username,
        aud: &identity.client_id,
        token_use: "id",
        common: common(id_ttl),
        phone_number: identity.phone_number.as_deref(),
        email: identity.email.as_deref(),
    };
    let access = AccessClaims {
        sub: &identity.sub,
        iss: issuer,
        client_id: &identity.client_id,
        token_use: "access",
        scope: SCOPE,
        common: common(access_ttl),
        username: &identity.username,
    };
    Ok(Minted {
        access_token: keys.sign(TokenUse::Access, &access)?,
        id_token: keys.sign(TokenUse::Id, &id)?,
        expires_in: seconds(access_ttl),
        origin_jti: origin.origin_jti.clone(),
    })
}

/// The claims both tokens carry.
#[derive(Serialize)]
struct Common<'a> {
    origin_jti: &'a str,
    event_id: &'a str,
    auth_time: i64,
    exp: i64,
    iat: i64,
    jti: String,
}

#[derive(Serialize)]
struct IdClaims<'a> {
    sub: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    email_verified: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone_number_verified: Option<bool>,
    iss: &'a str,
    #[serde(rename = "cognito:username")]
    username: &'a str,
    aud: &'a str,
    token_use: &'static str,
    #[serde(flatten)]
    common: Common<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone_number: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
}

#[derive(Serialize)]
struct AccessClaims<'a> {
    sub: &'a str,
    iss: &'a str,
    client_id: &'a str,
    token_use: &'static str,
    scope: &'static str,
    #[serde(flatten)]
    common: Common<'a>,
    username: &'a str,
}

/// A random UUID, as the service's `jti`, `event_id` and `origin_jti` are.
fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// `ttl` in whole seconds, saturating.
fn seconds(ttl: Duration) -> i64 {
    i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX)
}
