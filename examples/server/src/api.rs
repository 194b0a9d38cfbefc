//! The AWS JSON 1.1 endpoint: `POST /` with the operation in `X-Amz-Target`.

use std::{sync::Arc, time::SystemTime};

use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use confirmation_flow::{
    Timestamp,
    cognito::{Body, Exception, OperationName},
};
use serde_json::{Value, json};

use crate::{App, serve, users};

/// What the endpoint answers.
pub enum Answer {
    Ok(Value),
    /// `__type`, message, status.
    Error(String, String, StatusCode),
}

impl From<&Exception<'_>> for Answer {
    fn from(exception: &Exception<'_>) -> Self {
        let status =
            StatusCode::from_u16(exception.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
        Self::Error(exception.name().to_owned(), exception.to_string(), status)
    }
}

impl From<Exception<'_>> for Answer {
    fn from(exception: Exception<'_>) -> Self {
        Self::from(&exception)
    }
}

pub(crate) fn internal(error: impl std::fmt::Display) -> Answer {
    eprintln!("internal error: {error}");
    Exception::InternalError.into()
}

/// `SerializationException`, saying where the body broke and how, never what it held (a
/// value may be a code or a secret hash).
fn malformed(operation: &str, error: &serde_json::Error) -> Answer {
    let kind = match error.classify() {
        serde_json::error::Category::Data => "a member has the wrong type or size",
        serde_json::error::Category::Eof => "the body ends early",
        serde_json::error::Category::Syntax | serde_json::error::Category::Io => "not JSON",
    };
    let message = format!(
        "The body is not a valid {operation} request: {kind} (line {}, column {})",
        error.line(),
        error.column()
    );
    Answer::Error(
        "SerializationException".into(),
        message,
        StatusCode::BAD_REQUEST,
    )
}

pub async fn endpoint(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    let target = headers
        .get("x-amz-target")
        .and_then(|value| value.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let handler = Arc::clone(&app);
    // SQLite calls block: run each request on the blocking pool.
    let served = tokio::task::spawn_blocking(move || dispatch(&handler, &target, &body)).await;
    let (answer, delivery) = served.unwrap_or_else(|error| (internal(error), None));
    if let Some(delivery) = delivery {
        // The answer does not wait for delivery (a phantom's answer has none to wait for).
        tokio::task::spawn_blocking(move || users::deliver(&app, &delivery));
    }
    respond(answer)
}

fn dispatch(app: &App, target: &str, body: &[u8]) -> (Answer, Option<serve::Delivery>) {
    let Some(operation) = OperationName::from_target(target) else {
        let answer = match target.strip_prefix(OperationName::TARGET_PREFIX) {
            Some("AdminGetUser") => users::admin_get_user(app, body).unwrap_or_else(|a| a),
            _ => Answer::Error(
                "UnknownOperationException".into(),
                format!("Unknown operation {target}"),
                StatusCode::BAD_REQUEST,
            ),
        };
        return (answer, None);
    };
    let mut json = serde_json::Deserializer::from_slice(body);
    let mut decoded = Body::new(operation);
    if let Err(error) = decoded.decode(&mut json).and_then(|()| json.end()) {
        return (malformed(operation.as_str(), &error), None);
    }
    match decoded.operation() {
        Ok(operation) => serve::serve(app, &operation),
        Err(exception) => (exception.into(), None),
    }
}

fn respond(answer: Answer) -> Response {
    let request_id = uuid::Uuid::new_v4().hyphenated().to_string();
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

pub(crate) fn decode<T: for<'de> serde::Deserialize<'de>>(
    operation: &str,
    body: &[u8],
) -> Result<T, Answer> {
    serde_json::from_slice(body).map_err(|error| malformed(operation, &error))
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
