//! What the endpoint answers, and its HTTP form: a JSON body with the AWS JSON 1.1 content
//! type, or `{"__type", "message"}` with `x-amzn-ErrorType` and `x-amzn-ErrorMessage`; and
//! the answers met before the crate decides (a body that is too large, not JSON, or a
//! failure of this server's own).

use axum::{body::Body, http::StatusCode, response::Response};
use confirmation_flow::cognito::Exception;
use confirmation_flow_store::http;

use crate::exceptions::ServerException;

/// What the endpoint answers.
#[derive(Debug)]
pub enum Answer {
    /// A JSON body.
    Ok(String),
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

impl Answer {
    /// `exception` of this server's own, saying `message`.
    #[must_use]
    pub fn refuse(exception: ServerException, message: impl Into<String>) -> Self {
        Self::Error(exception.name().into(), message.into(), exception.status())
    }
}

/// A handler's result: the answer either way, `Err` when it refuses.
pub type Outcome = Result<Answer, Answer>;

/// `InternalErrorException`; the cause goes to the log only.
pub fn internal(error: impl Into<confirmation_flow_store::Error>) -> Answer {
    let error = confirmation_flow_store::describe(&*error.into());
    tracing::error!(%error, "internal error");
    Exception::InternalError.into()
}

/// `SerializationException`, saying where the body broke and how, never what it held (a
/// value may be a code or a secret hash).
#[must_use]
pub fn malformed(operation: &str, error: &serde_json::Error) -> Answer {
    http::serialization(operation, error).into()
}

/// `RequestEntityTooLargeException`: the body is longer than `limit` bytes.
#[must_use]
pub fn too_large(limit: usize) -> Answer {
    let message = format!("The request body is larger than {limit} bytes");
    Answer::refuse(ServerException::RequestEntityTooLarge, message)
}

/// The body `T` of `operation`, or `SerializationException`.
///
/// # Errors
/// `SerializationException`, saying where the body broke and how.
pub fn decode<T: for<'de> serde::Deserialize<'de>>(
    operation: &str,
    body: &[u8],
) -> Result<T, Answer> {
    serde_json::from_slice(body).map_err(|error| malformed(operation, &error))
}

/// `answer` as an HTTP response: the store crate's form (`confirmation_flow_store::http`).
#[must_use]
pub fn respond(answer: Answer) -> Response {
    let response = match answer {
        Answer::Ok(body) => http::json(StatusCode::OK, body),
        Answer::Error(name, message, status) => http::error(&name, &message, status),
    };
    response.map(Body::from)
}

/// `body` with `status` and the AWS JSON 1.1 content type.
#[must_use]
pub fn json(status: StatusCode, body: String) -> Response {
    http::json(status, body).map(Body::from)
}
