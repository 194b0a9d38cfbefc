//! The AWS JSON 1.1 endpoint: `POST /` with the operation in `X-Amz-Target`, and `GET
//! /health`. Every answer, refusals of the transport included (a body too large, a request
//! too slow), is an AWS JSON body `{"__type", "message"}` with `x-amzn-ErrorType`.

use std::{sync::Arc, time::Instant};

use axum::{
    body::{Body as HttpBody, Bytes},
    extract::{OriginalUri, State},
    http::{HeaderMap, StatusCode, header},
    response::Response,
};
use confirmation_flow::cognito::{Exception, OperationName};
use http_body_util::{BodyExt, LengthLimitError, Limited};

use crate::{
    App, access,
    answer::{Answer, internal, json, respond, too_large},
    challenges, client_api, deliveries,
    exceptions::ServerException,
    initiate_auth, invitations,
    outbox::Delivery,
    password_change, password_reset, password_reset_admin, pool_api, refresh, self_service, serve,
    users,
};

/// `POST /`: reads the body (within the size limit and the request's deadline), serves
/// it, answers, then delivers the code, if any.
pub async fn endpoint(
    State(app): State<Arc<App>>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: HttpBody,
) -> Response {
    let deadline =
        Instant::now() + std::time::Duration::from_secs(app.config.request_timeout_seconds);
    let limit = app.config.max_body_bytes;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return respond(too_large(limit));
    }
    let read = tokio::time::timeout_at(deadline.into(), Limited::new(body, limit).collect()).await;
    let body = match read {
        Err(_) => {
            let message = "The request body was not received in time".to_owned();
            return respond(Answer::refuse(ServerException::RequestTimeout, message));
        }
        Ok(Err(error)) if error.is::<LengthLimitError>() => return respond(too_large(limit)),
        Ok(Err(error)) => {
            tracing::debug!(%error, "the request body broke off");
            let message = "The request body could not be read".to_owned();
            return respond(Answer::refuse(ServerException::Serialization, message));
        }
        Ok(Ok(collected)) => collected.to_bytes(),
    };
    let target = headers
        .get("x-amz-target")
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    let admitted = access::operation(target).and_then(|operation| {
        let local = app.credentials == crate::credentials::CredentialSource::LocalTestKey;
        access::admit(&app.verifier, local, operation, &uri, &headers, &body)
    });
    if let Err(refused) = admitted {
        return respond(Answer::Error(
            refused.exception.to_owned(),
            refused.message,
            refused.status,
        ));
    }
    // A movable clock is read from the database first: every process on it shares one clock.
    // So is the settings generation: a client or pool another process changed is read again.
    if let Err(error) = app.clock.refresh(&app.store).await {
        return respond(internal(error));
    }
    if let Err(error) = app.directory.refresh(&app.store).await {
        return respond(internal(error));
    }
    // Served to the end in a task of its own: a client that goes away does not cancel a
    // request whose change may be stored, before its code is delivered.
    let target = target.to_owned();
    let task = tokio::spawn(async move {
        let served = tokio::time::timeout_at(deadline.into(), async {
            // Taken before the decision, given back once its code (if any) is in the
            // outbox: `POST /_test/deliveries` waits for it.
            let in_flight = Arc::clone(&app.deliveries).read_owned().await;
            (dispatch(&app, &target, &body).await, in_flight)
        });
        match served.await {
            Ok(((answer, Some(delivery)), in_flight)) => {
                deliveries::send(app, delivery, in_flight);
                answer
            }
            Ok(((answer, None), _)) => answer,
            Err(_) => internal("the request was not answered in time"),
        }
    });
    respond(
        task.await
            .unwrap_or_else(|_| internal("the request's task ended early")),
    )
}

/// `GET /health`: 200 when the database answers, else 503.
pub async fn health(State(app): State<Arc<App>>) -> Response {
    match app.store.health().await {
        Ok(()) => json(StatusCode::OK, r#"{"status":"ok"}"#.to_owned()),
        Err(error) => {
            tracing::warn!(%error, "health check: the database does not answer");
            json(
                StatusCode::SERVICE_UNAVAILABLE,
                r#"{"status":"unavailable"}"#.to_owned(),
            )
        }
    }
}

/// `POST /_test/clock` (served only with `test_clock`, on loopback): moves the clock every
/// rule reads `advance_seconds` forward, for every process on the database, and answers
/// `{"now": <Unix seconds>}`. A request a browser sent (one with an `Origin`) is refused:
/// a web page the developer visits cannot move it.
pub async fn advance_clock(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Advance {
        advance_seconds: i64,
    }
    if headers.contains_key(header::ORIGIN) {
        let message = "the test clock is not moved from a browser".to_owned();
        return respond(Answer::refuse(ServerException::AccessDenied, message));
    }
    let advance: Advance = match serde_json::from_slice(&body) {
        Ok(advance) => advance,
        Err(error) => {
            let message = format!("expected {{\"advance_seconds\": n}}: {error}");
            return respond(Answer::refuse(ServerException::Serialization, message));
        }
    };
    match app.clock.advance(&app.store, advance.advance_seconds).await {
        Ok((_, now)) => {
            tracing::info!(advance.advance_seconds, now, "moved the test clock forward");
            json(
                StatusCode::OK,
                serde_json::json!({ "now": now }).to_string(),
            )
        }
        Err(error) => respond(Answer::refuse(
            ServerException::InvalidParameter,
            error.to_string(),
        )),
    }
}

async fn dispatch(app: &App, target: &str, body: &Bytes) -> (Answer, Option<Delivery>) {
    match target.strip_prefix(OperationName::TARGET_PREFIX) {
        Some("InitiateAuth") => return initiate_auth::initiate_auth(app, body, false).await,
        Some("AdminInitiateAuth") => return initiate_auth::initiate_auth(app, body, true).await,
        Some("AdminCreateUser") => return invitations::admin_create_user(app, body).await,
        Some("ForgotPassword") => return password_reset::forgot_password(app, body).await,
        Some("AdminResetUserPassword") => {
            return password_reset_admin::admin_reset_user_password(app, body).await;
        }
        _ => {}
    }
    let Some(operation) = OperationName::from_target(target) else {
        let answer = match target.strip_prefix(OperationName::TARGET_PREFIX) {
            Some("GetUser") => self_service::get_user(app, body).await,
            Some("RevokeToken") => refresh::revoke_token(app, body).await,
            Some("RespondToAuthChallenge") => challenges::respond(app, body).await,
            Some("GlobalSignOut") => self_service::global_sign_out(app, body).await,
            Some("AdminUserGlobalSignOut") => users::admin_user_global_sign_out(app, body).await,
            Some("AdminGetUser") => users::admin_get_user(app, body).await,
            Some("AdminSetUserPassword") => {
                password_change::admin_set_user_password(app, body).await
            }
            Some("AdminRespondToAuthChallenge") => challenges::admin_respond(app, body).await,
            Some("ConfirmForgotPassword") => {
                password_reset::confirm_forgot_password(app, body).await
            }
            Some("AdminDeleteUser") => users::admin_delete_user(app, body).await,
            Some("ListUsers") => users::list_users(app, body).await,
            Some("CreateUserPool") => pool_api::create_pool(app, body).await,
            Some("DescribeUserPool") => pool_api::describe_user_pool(app, body).await,
            Some("ListUserPools") => pool_api::list_pools(app, body).await,
            Some("UpdateUserPool") => pool_api::update_pool(app, body).await,
            Some("DeleteUserPool") => pool_api::delete_pool(app, body).await,
            Some("CreateUserPoolClient") => client_api::create_client(app, body).await,
            Some("DescribeUserPoolClient") => {
                client_api::describe_user_pool_client(app, body).await
            }
            Some("ListUserPoolClients") => client_api::list_clients(app, body).await,
            Some("DeleteUserPoolClient") => client_api::delete_client(app, body).await,
            Some("UpdateUserPoolClient") => client_api::update_client(app, body).await,
            _ => Err(Exception::UnknownOperation { target }.into()),
        };
        return (answer.unwrap_or_else(|answer| answer), None);
    };
    let decoded = match confirmation_flow_store::http::body(operation, body) {
        Ok(decoded) => decoded,
        Err(exception) => return (exception.into(), None),
    };
    match decoded.operation() {
        Ok(operation) => serve::serve(app, &operation).await,
        Err(exception) => (exception.into(), None),
    }
}
