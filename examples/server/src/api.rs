//! The AWS JSON 1.1 endpoint: `POST /` with the operation in `X-Amz-Target`.

use std::{sync::Arc, time::SystemTime};

use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use confirmation_flow::{Timestamp, cognito::Exception};
use serde_json::{Value, json};

use crate::{App, confirmations, users};

const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService.";
/// How often a request re-reads and re-runs after losing a compare-and-swap race.
pub(crate) const RETRIES: usize = 64;

/// What the endpoint answers.
pub enum Answer {
    Ok(Value),
    /// `__type`, message, status.
    Error(String, String, StatusCode),
}

impl From<Exception<'_>> for Answer {
    fn from(exception: Exception<'_>) -> Self {
        let status =
            StatusCode::from_u16(exception.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
        Self::Error(exception.name().to_owned(), exception.to_string(), status)
    }
}

pub(crate) fn internal(error: impl std::fmt::Display) -> Answer {
    eprintln!("internal error: {error}");
    Exception::InternalError.into()
}

pub async fn endpoint(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    let target = headers
        .get("x-amz-target")
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    let operation = target
        .strip_prefix(TARGET_PREFIX)
        .unwrap_or(target)
        .to_owned();
    let app = Arc::clone(&app);
    // SQLite calls block: run each request on the blocking pool.
    let answer = tokio::task::spawn_blocking(move || dispatch(&app, &operation, &body))
        .await
        .unwrap_or_else(internal);
    respond(answer)
}

fn dispatch(app: &App, operation: &str, body: &[u8]) -> Answer {
    let body_json = |body: &[u8]| serde_json::from_slice::<Value>(body);
    if body_json(body).is_err() {
        return Answer::Error(
            "SerializationException".into(),
            "Request body is not valid JSON".into(),
            StatusCode::BAD_REQUEST,
        );
    }
    let result = match operation {
        "SignUp" => users::sign_up(app, body),
        "ConfirmSignUp" => confirmations::confirm(app, body),
        "AdminConfirmSignUp" => confirmations::admin_confirm(app, body),
        "ResendConfirmationCode" => confirmations::resend(app, body),
        "AdminGetUser" => users::admin_get_user(app, body),
        _ => {
            return Answer::Error(
                "UnknownOperationException".into(),
                format!("Unknown operation {operation}"),
                StatusCode::BAD_REQUEST,
            );
        }
    };
    result.unwrap_or_else(|answer| answer)
}

fn respond(answer: Answer) -> Response {
    let request_id = crate::uuid();
    let (status, body, error_type) = match answer {
        Answer::Ok(value) => (StatusCode::OK, value, None),
        Answer::Error(name, message, status) => (
            status,
            json!({ "__type": name, "message": message }),
            Some(format!("{name}:")),
        ),
    };
    let mut response = (status, body.to_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-amz-json-1.1"),
    );
    if let Ok(id) = HeaderValue::from_str(&request_id) {
        headers.insert("x-amzn-requestid", id);
    }
    if let Some(error_type) = error_type.and_then(|value| HeaderValue::from_str(&value).ok()) {
        headers.insert("x-amzn-errortype", error_type);
    }
    response
}

pub(crate) type Outcome = Result<Answer, Answer>;

pub(crate) fn decode<T: for<'de> serde::Deserialize<'de>>(body: &[u8]) -> Result<T, Answer> {
    serde_json::from_slice(body).map_err(|error| {
        Answer::Error(
            "SerializationException".into(),
            error.to_string(),
            StatusCode::BAD_REQUEST,
        )
    })
}

pub(crate) fn now() -> (Timestamp, i64) {
    let seconds = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    (
        Timestamp::from_unix_seconds(seconds),
        i64::try_from(seconds).unwrap_or(i64::MAX),
    )
}
