//! `GET /{poolId}/.well-known/jwks.json` and `GET /{poolId}/.well-known/openid-configuration`:
//! what a verifier needs to check this server's tokens, as the service serves them.

use std::sync::Arc;

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde_json::{Value, json};

use crate::{App, admin_request::pool_id_shaped, directory};

/// The JWKS: the pool's signing keys, the current ones first (`signing.rs`): every pool has
/// its own, as the service's do.
pub async fn jwks(State(app): State<Arc<App>>, Path(pool_id): Path<String>) -> Response {
    if let Err(response) = existing(&app, &pool_id).await {
        return response;
    }
    match app.signing_keys(&pool_id).await {
        Ok(keys) => Json(keys.jwks()).into_response(),
        Err(error) => failed(&error),
    }
}

/// The OIDC discovery document, with only what is true of this server: the issuer, the
/// JWKS, RS256 and public subjects. It has no OAuth endpoints (its tokens come from the API),
/// so it names none, and no response types.
pub async fn openid_configuration(
    State(app): State<Arc<App>>,
    Path(pool_id): Path<String>,
) -> Response {
    if let Err(response) = existing(&app, &pool_id).await {
        return response;
    }
    Json(discovery(&app.issuer(&pool_id))).into_response()
}

/// The discovery document of the pool whose issuer is `issuer`.
#[must_use]
pub fn discovery(issuer: &str) -> Value {
    json!({
        "issuer": issuer,
        "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
        "id_token_signing_alg_values_supported": ["RS256"],
        "subject_types_supported": ["public"],
        "response_types_supported": [],
    })
}

/// `Ok` if the pool `pool_id` exists, else a 404 (or a 500 if the database failed).
async fn existing(app: &App, pool_id: &str) -> Result<(), Response> {
    let not_found = |message: String| {
        let body = json!({"__type": "ResourceNotFoundException", "message": message});
        Err((StatusCode::NOT_FOUND, Json(body)).into_response())
    };
    if pool_id_shaped(pool_id).is_err() {
        return not_found("User pool does not exist.".to_owned());
    }
    match directory::pool(&app.store, pool_id).await {
        Ok(Some(_)) => Ok(()),
        Ok(None) => not_found(format!("User pool {pool_id} does not exist.")),
        Err(error) => Err(failed(&confirmation_flow_store::describe(&*error))),
    }
}

/// A 500 whose cause goes to the log only.
fn failed(error: &str) -> Response {
    tracing::error!(%error, "internal error");
    let body = json!({"__type": "InternalErrorException", "message": "Internal error"});
    (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response()
}
