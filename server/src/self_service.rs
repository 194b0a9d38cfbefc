//! What a signed-in user asks with their access token: `GetUser`, `GlobalSignOut`.

use confirmation_flow::cognito::Exception;
use confirmation_flow_store::{Param, UserRow};
use serde::Deserialize;
use serde_json::json;

use crate::{
    App,
    access_token::{self, Refused},
    admin_request::required,
    answer::{Answer, Outcome, decode, internal},
    exceptions::ServerException,
    refresh_tokens,
    users::user_json,
};

/// Whether the refresh token of the session `$3` (its `origin_jti`) of user `$2` in pool `$1`
/// was revoked (a row: when): `RevokeToken` revokes the access tokens of that session too,
/// as the service's does. A `bigint` column, which both backends' rows decode (PostgreSQL's
/// `SELECT 1` is an `int4`, which they do not).
const SESSION_REVOKED: &str = "SELECT revoked_at FROM refresh_tokens \
     WHERE pool_id = $1 AND username = $2 AND origin_jti = $3 AND revoked_at IS NOT NULL";

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AccessTokenRequest {
    access_token: Option<String>,
}

/// `GetUser`: the user the access token names, with its attributes, while the token is
/// valid, its session's refresh token is not revoked, and the user it was issued to (the
/// same `sub`) still exists.
pub(crate) async fn get_user(app: &App, body: &[u8]) -> Outcome {
    let request: AccessTokenRequest = decode("GetUser", body)?;
    let token = required(request.access_token, "accessToken")?;
    let (_, user) = signed_in_user(app, &token).await?;
    let attributes = user_json(&user)["Attributes"].take();
    Ok(Answer::Ok(
        json!({ "Username": user.username, "UserAttributes": attributes }).to_string(),
    ))
}

/// `GlobalSignOut`: every refresh token of the access token's user revoked, and with them
/// the access tokens of their sessions (this one included), as the service's does.
pub(crate) async fn global_sign_out(app: &App, body: &[u8]) -> Outcome {
    let request: AccessTokenRequest = decode("GlobalSignOut", body)?;
    let token = required(request.access_token, "accessToken")?;
    let (pool_id, user) = signed_in_user(app, &token).await?;
    let (_, now) = app.clock.now();
    refresh_tokens::revoke_user(&app.store, &pool_id, &user.username, now)
        .await
        .map_err(internal)?;
    Ok(Answer::Ok("{}".into()))
}

/// The user an access token names, and its pool, while the token is valid, its session's
/// refresh token is not revoked, and the user it was issued to (the same `sub`) still
/// exists.
async fn signed_in_user(app: &App, token: &str) -> Result<(String, UserRow), Answer> {
    let refuse =
        |refused: Refused| Answer::refuse(ServerException::NotAuthorized, refused.message());
    // The keys of the pool the token claims, if it exists (keys are derived for real pools
    // only); the signature then proves the claim.
    let pool_id = access_token::claimed_pool(token, &app.public_url)
        .ok_or_else(|| refuse(Refused::Invalid))?;
    let pool = app
        .directory
        .pool(&app.store, &pool_id)
        .await
        .map_err(internal)?;
    if pool.is_none() {
        return Err(refuse(Refused::Invalid));
    }
    let keys = app.signing_keys(&pool_id).await.map_err(internal)?;
    let (_, now) = app.clock.now();
    let presented = access_token::verify(&keys, &app.public_url, token, now).map_err(refuse)?;
    let session = [
        &presented.pool_id,
        &presented.username,
        &presented.origin_jti,
    ];
    let revoked = app
        .store
        .rows(SESSION_REVOKED.to_owned(), session.map(Param::text).into())
        .await
        .map_err(internal)?;
    if !revoked.is_empty() {
        let message = "Access Token has been revoked";
        return Err(Answer::refuse(ServerException::NotAuthorized, message));
    }
    let user = app
        .store
        .load(&presented.pool_id, &presented.username)
        .await
        .map_err(internal)?
        .filter(|user| user.sub == presented.sub)
        .ok_or(Exception::AdminUserNotFound)?;
    Ok((presented.pool_id, user))
}
