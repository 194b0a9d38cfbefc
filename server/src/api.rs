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
    challenges, client_api,
    destinations::{self, Counted},
    exceptions::ServerException,
    initiate_auth, invitations,
    outbox::{Delivery, DeliveryKind},
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
    let served = tokio::time::timeout_at(deadline.into(), dispatch(&app, target, &body)).await;
    let (answer, delivery) =
        served.unwrap_or_else(|_| (internal("the request was not answered in time"), None));
    if let Some(delivery) = delivery {
        // Taken before the answer, given back once the line is written (or not sent).
        let in_flight = Arc::clone(&app.deliveries).read_owned().await;
        // The answer does not wait for delivery (a phantom's answer has none to wait for).
        tokio::spawn(async move {
            let _in_flight = in_flight;
            // Within the destination's budget only; past it the code is not sent (the answer,
            // already given, says nothing of it). An invitation, which only a signed admin
            // call sends, is not held to the budget anyone's `SignUp` can spend.
            if delivery.kind == DeliveryKind::TemporaryPassword {
                let delivered = tokio::task::spawn_blocking(move || deliver(&app, &delivery));
                drop(delivered.await);
                return;
            }
            let (_, now) = app.clock.now();
            let key =
                crate::destination_keys::of_address(delivery.attribute, &delivery.destination);
            let spent =
                destinations::spend(&app.store, &delivery.pool_id, &key, Counted::Code, now);
            match spent.await {
                Ok(true) => {
                    let delivered = tokio::task::spawn_blocking(move || deliver(&app, &delivery));
                    drop(delivered.await);
                }
                Ok(false) => tracing::info!(
                    username = %delivery.username,
                    "a code not delivered: its destination has had its codes for this hour"
                ),
                Err(error) => {
                    tracing::error!(error = %confirmation_flow_store::describe(&*error), "could not count a delivery");
                }
            }
        });
    }
    respond(answer)
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

/// `POST /_test/deliveries` (served only with `test_clock`, on loopback): answers `{}` once
/// every code, reset code and temporary password of a request answered before this one is
/// in the outbox (or was not sent: past its destination's budget). A test reads the outbox
/// after it and finds the newest code, never the one a resend replaced. A request a browser
/// sent (one with an `Origin`) is refused, as for the clock.
pub async fn flush_deliveries(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    if headers.contains_key(header::ORIGIN) {
        let message = "the test endpoints are not called from a browser".to_owned();
        return respond(Answer::refuse(ServerException::AccessDenied, message));
    }
    drop(app.deliveries.write().await);
    json(StatusCode::OK, "{}".to_owned())
}

/// `delivery` on stdout, for a developer watching the terminal (`print_codes`).
fn print_delivery(app: &App, delivery: &Delivery) {
    use std::io::Write as _;
    let what = match delivery.kind {
        DeliveryKind::Code => "code",
        DeliveryKind::PasswordResetCode => "password reset code",
        DeliveryKind::TemporaryPassword => "temporary password",
    };
    let mut stdout = std::io::stdout().lock();
    // Whoever started the server may have stopped reading: no reason to stop delivering.
    let _ = writeln!(
        stdout,
        "{what} for {} in {} ({}): {} (outbox {})",
        delivery.username,
        delivery.pool_id,
        delivery.destination,
        delivery.code,
        app.outbox.path().display()
    )
    .and_then(|()| stdout.flush());
}

fn deliver(app: &App, delivery: &Delivery) {
    // For a developer watching the terminal (`RUST_LOG=debug`); never at `info`. A
    // temporary password (an administrator may have chosen it) is in the outbox only.
    match delivery.kind {
        DeliveryKind::Code => tracing::debug!(
            target: "delivery",
            username = %delivery.username,
            destination = %delivery.destination,
            code = %delivery.code,
            "delivered a code"
        ),
        DeliveryKind::PasswordResetCode => tracing::debug!(
            target: "delivery",
            username = %delivery.username,
            destination = %delivery.destination,
            code = %delivery.code,
            "delivered a password reset code"
        ),
        DeliveryKind::TemporaryPassword => tracing::debug!(
            target: "delivery",
            username = %delivery.username,
            destination = %delivery.destination,
            "delivered a temporary password"
        ),
    }
    if app.config.print_codes {
        print_delivery(app, delivery);
    }
    if let Err(error) = app.outbox.deliver(delivery) {
        let outbox = app.outbox.path().display();
        tracing::error!(%error, %outbox, "could not deliver a code");
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
