//! Checking an access token a user presents (`GetUser`): its RS256 signature by one of the
//! ring's access-token keys (found by its `kid`), its `token_use`, its issuer (this server's
//! `public_url` and a pool id) and its deadline, read against this server's clock rather
//! than the JWT crate's. What it says is then checked against the store by the caller: the
//! user must still exist, with the same `sub`.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

use crate::signing::{SigningKeys, TokenUse};

/// Why a token was refused, as the service words it (`NotAuthorizedException`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// `Invalid Access Token`: not one of this server's access tokens (malformed, forged,
    /// signed by a key it does not hold, an ID token, another issuer).
    Invalid,
    /// `Access Token has expired`.
    Expired,
}

impl Refused {
    /// The service's message.
    #[must_use]
    pub const fn message(self) -> &'static str {
        match self {
            Self::Invalid => "Invalid Access Token",
            Self::Expired => "Access Token has expired",
        }
    }
}

/// What a valid access token says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Presented {
    pub pool_id: String,
    pub username: String,
    pub sub: String,
    pub client_id: String,
    pub origin_jti: String,
}

/// The pool a token says it is from (its `iss` under `public_url`), read without checking
/// anything: only to find the keys [`verify`] then checks it with. `None` when it names none.
#[must_use]
pub fn claimed_pool(token: &str, public_url: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct Issuer {
        iss: String,
    }
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
    let issuer: Issuer = serde_json::from_slice(&bytes).ok()?;
    pool_of(&issuer.iss, public_url).map(str::to_owned)
}

/// The pool id of the issuer `iss` under `public_url`.
fn pool_of<'i>(iss: &'i str, public_url: &str) -> Option<&'i str> {
    iss.strip_prefix(public_url)
        .and_then(|rest| rest.strip_prefix('/'))
        .filter(|pool_id| !pool_id.is_empty() && !pool_id.contains('/'))
}

#[derive(Deserialize)]
struct Claims {
    sub: String,
    iss: String,
    client_id: String,
    token_use: String,
    username: String,
    origin_jti: String,
    exp: i64,
}

/// Checks `token` as an access token of this server (`public_url`, no trailing `/`) at
/// `now` (Unix seconds), with `keys`, the keys of the pool it claims ([`claimed_pool`]): a
/// token from another pool does not verify with them.
///
/// # Errors
/// [`Refused::Expired`] at or past its `exp`; [`Refused::Invalid`] for anything else.
pub fn verify(
    keys: &SigningKeys,
    public_url: &str,
    token: &str,
    now: i64,
) -> Result<Presented, Refused> {
    let header = jsonwebtoken::decode_header(token).map_err(|_| Refused::Invalid)?;
    if header.alg != Algorithm::RS256 {
        return Err(Refused::Invalid);
    }
    let kid = header.kid.ok_or(Refused::Invalid)?;
    let key = keys
        .verifying(TokenUse::Access)
        .find(|key| key.kid() == kid)
        .ok_or(Refused::Invalid)?;
    let key = DecodingKey::from_jwk(key.jwk()).map_err(|_| Refused::Invalid)?;
    let mut validation = Validation::new(Algorithm::RS256);
    // The deadline is read against this server's clock, below; access tokens have no `aud`.
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    let claims = jsonwebtoken::decode::<Claims>(token, &key, &validation)
        .map_err(|_| Refused::Invalid)?
        .claims;
    let pool_id = pool_of(&claims.iss, public_url).ok_or(Refused::Invalid)?;
    if claims.token_use != "access" {
        return Err(Refused::Invalid);
    }
    if now >= claims.exp {
        return Err(Refused::Expired);
    }
    Ok(Presented {
        pool_id: pool_id.to_owned(),
        username: claims.username,
        sub: claims.sub,
        client_id: claims.client_id,
        origin_jti: claims.origin_jti,
    })
}
