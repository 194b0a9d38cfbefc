//! Refresh tokens on the wire: the one every sign-in is issued, `InitiateAuth`'s
//! `REFRESH_TOKEN_AUTH` (and its older name `REFRESH_TOKEN`), which answers new ID and access
//! tokens of the same session, and `RevokeToken`, after which the token is refused. How they
//! are stored is `refresh_tokens.rs`'s.

use std::time::Duration;

use confirmation_flow::cognito::Exception;
use serde::Deserialize;
use subtle::ConstantTimeEq as _;

use crate::{
    App,
    admin_request::{invalid, known_client, required},
    answer::{Answer, Outcome, decode, internal},
    exceptions::ServerException,
    pools::Client,
    refresh_tokens::{self, Issued},
    tokens::{self, Identity, Minted, Origin},
};

/// The service's message for a token that is unknown, touched, another client's, or whose
/// user is gone.
pub const INVALID: &str = "Invalid Refresh Token";
/// The service's message for a revoked token (moto's too).
pub const REVOKED: &str = "Refresh Token has been revoked";
/// The service's message for an expired token.
pub const EXPIRED: &str = "Refresh Token has expired";

fn not_authorized(message: &str) -> Answer {
    Answer::refuse(ServerException::NotAuthorized, message)
}

/// A new refresh token for `identity`'s session `origin`, stored (as its hash) until `ttl`
/// from `now`: the token, or the answer if the user was deleted meanwhile.
///
/// # Errors
/// The user is gone (`UserNotFoundException`), or a database error.
pub(crate) async fn issue(
    app: &App,
    identity: &Identity,
    origin: &Origin,
    now: i64,
    ttl: Duration,
) -> Result<String, Answer> {
    let token = refresh_tokens::new_token();
    let issued = Issued {
        pool_id: &identity.pool_id,
        client_id: &identity.client_id,
        username: &identity.username,
        sub: &identity.sub,
        origin_jti: &origin.origin_jti,
        auth_time: origin.auth_time,
        expires_at: now.saturating_add(i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX)),
        now,
    };
    let hash = app.keys.refresh.current(&token);
    let stored = refresh_tokens::store(&app.store, hash, &issued).await;
    if !stored.map_err(internal)? {
        return Err(Exception::UserNotFound.into());
    }
    Ok(token)
}

/// The answer to a sign-in or a refresh: `AuthenticationResult` with the tokens (a
/// `RefreshToken` only when one was issued), and the service's empty `ChallengeParameters`.
#[must_use]
pub fn authentication_result(minted: &Minted, refresh_token: Option<&str>) -> Answer {
    let mut result = serde_json::json!({
        "AccessToken": minted.access_token,
        "ExpiresIn": minted.expires_in,
        "IdToken": minted.id_token,
        "TokenType": "Bearer",
    });
    if let Some(token) = refresh_token {
        result["RefreshToken"] = token.into();
    }
    let body = serde_json::json!({
        "AuthenticationResult": result,
        "ChallengeParameters": {},
    });
    Answer::Ok(body.to_string())
}

/// The answer to a sign-in: `AuthenticationResult` with the tokens and a new refresh token
/// (living the client's `RefreshTokenValidity`), and the service's empty `ChallengeParameters`.
///
/// # Errors
/// The user was deleted meanwhile (`UserNotFoundException`), or the keys or the database
/// failed.
pub(crate) async fn signed_in(
    app: &App,
    client: &Client,
    identity: &Identity,
    auth_time: i64,
) -> Outcome {
    let [_, _, refresh_ttl] = client.settings.token_lifetimes();
    let (_, now) = app.clock.now();
    let origin = Origin::new(auth_time);
    let minted = mint(app, client, identity, &origin, now).await?;
    let refresh_token = issue(app, identity, &origin, now, refresh_ttl).await?;
    Ok(authentication_result(&minted, Some(&refresh_token)))
}

/// ID and access tokens of `identity`'s session `origin`, signed with its pool's keys, living
/// `client`'s lifetimes from `now`.
async fn mint(
    app: &App,
    client: &Client,
    identity: &Identity,
    origin: &Origin,
    now: i64,
) -> Result<Minted, Answer> {
    let [access_ttl, id_ttl, _] = client.settings.token_lifetimes();
    let keys = app
        .signing_keys(&identity.pool_id)
        .await
        .map_err(internal)?;
    let issuer = app.issuer(&identity.pool_id);
    tokens::mint_in(&keys, &issuer, identity, origin, now, access_ttl, id_ttl).map_err(internal)
}

/// `REFRESH_TOKEN_AUTH` through `client` (which allows it: checked before) with the
/// `REFRESH_TOKEN` and `SECRET_HASH` parameters: new ID and access tokens of the token's
/// session (its `auth_time` and `origin_jti`), and no new refresh token, as the service
/// answers without rotation. The secret hash is computed over the token's user's username.
pub(crate) async fn refresh(
    app: &App,
    client: &Client,
    token: Option<&str>,
    secret_hash: Option<&str>,
) -> Outcome {
    let token = token.ok_or_else(|| invalid("Missing required parameter REFRESH_TOKEN"))?;
    let client_id = client.id.as_str();
    if client.secret.is_some() && secret_hash.is_none() {
        return Err(Exception::SecretHashMissing { client_id }.into());
    }
    let found = refresh_tokens::find(&app.store, &app.keys.refresh, token).await;
    let stored = found
        .map_err(internal)?
        .filter(|stored| stored.client_id == client.id && stored.pool_id == client.pool_id)
        .ok_or_else(|| not_authorized(INVALID))?;
    client
        .app_client()
        .authorize(client_id, &stored.username, secret_hash)
        .map_err(Answer::from)?;
    let (_, now) = app.clock.now();
    if stored.revoked {
        return Err(not_authorized(REVOKED));
    }
    if stored.expires_at <= now {
        return Err(not_authorized(EXPIRED));
    }
    let user = stored
        .user
        .filter(|user| user.status == "CONFIRMED")
        .ok_or_else(|| not_authorized(INVALID))?;
    let identity = Identity {
        pool_id: stored.pool_id,
        username: stored.username,
        sub: stored.sub,
        client_id: stored.client_id,
        email: user.email,
        email_verified: user.email_verified,
        phone_number: user.phone_number,
        phone_number_verified: user.phone_number_verified,
    };
    let origin = Origin {
        auth_time: stored.auth_time,
        origin_jti: stored.origin_jti,
    };
    let minted = mint(app, client, &identity, &origin, now).await?;
    Ok(authentication_result(&minted, None))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RevokeToken {
    token: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

/// `RevokeToken` (public): the refresh token `Token` of the client `ClientId` (with its
/// `ClientSecret`, compared in constant time, when it has one) is refused from now on. A
/// token this server does not know answers `{}`, as a revoked one does; another client's is
/// `UnauthorizedException`.
pub(crate) async fn revoke_token(app: &App, body: &[u8]) -> Outcome {
    let request: RevokeToken = decode("RevokeToken", body)?;
    let token = required(request.token, "token")?;
    let client_id = required(request.client_id, "clientId")?;
    let client = known_client(app, &client_id).await?;
    if let Some(secret) = &client.settings.client_secret {
        let Some(sent) = &request.client_secret else {
            return Err(not_authorized(&format!(
                "Client {client_id} is configured with secret but ClientSecret was not received"
            )));
        };
        if !bool::from(secret.as_bytes().ct_eq(sent.as_bytes())) {
            return Err(not_authorized(&format!(
                "Unable to verify client secret for client {client_id}"
            )));
        }
    }
    let found = refresh_tokens::find(&app.store, &app.keys.refresh, &token).await;
    let Some(stored) = found.map_err(internal)? else {
        return Ok(Answer::Ok("{}".into()));
    };
    if stored.client_id != client.id || stored.pool_id != client.pool_id {
        return Err(Answer::refuse(
            ServerException::Unauthorized,
            "The token was not issued to this client",
        ));
    }
    let (_, now) = app.clock.now();
    refresh_tokens::revoke(&app.store, &stored.token_hash, now)
        .await
        .map_err(internal)?;
    Ok(Answer::Ok("{}".into()))
}
