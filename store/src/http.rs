//! A reply's HTTP form, once, for anyone using the `http` crate's types (axum, hyper,
//! tower, Lambda's runtime): the status, the AWS JSON 1.1 content type, and for an
//! exception its `{"__type", "message"}` body with `x-amzn-ErrorType` and
//! `x-amzn-ErrorMessage`, as the service answers and the AWS SDKs read.

use confirmation_flow::cognito::{Exception, Reply};
use http::{HeaderValue, header};
/// The `http` crate's types these answers are made of (version 1), so that a caller needs no
/// dependency of its own to name them.
pub use http::{Response, StatusCode};

use crate::Result;

/// The content type of every answer.
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// `reply` as a response.
///
/// # Errors
/// The body does not serialize (it does for every reply the crate makes).
pub fn response(reply: &Reply<'_>) -> Result<Response<String>> {
    Ok(match reply.exception() {
        Some(exception) => exception_response(exception),
        None => json(StatusCode::OK, serde_json::to_string(&reply.body())?),
    })
}

/// `exception` as a response.
#[must_use]
pub fn exception_response(exception: &Exception<'_>) -> Response<String> {
    let status = StatusCode::from_u16(exception.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    error(exception.name(), &exception.to_string(), status)
}

/// An error of any name (an embedder's own, around the crate's decision) as the service
/// answers one: the body, the status, and the two headers.
#[must_use]
pub fn error(name: &str, message: &str, status: StatusCode) -> Response<String> {
    let body = serde_json::json!({ "__type": name, "message": message }).to_string();
    let mut response = json(status, body);
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&format!("{name}:")) {
        headers.insert("x-amzn-errortype", value);
    }
    // The service repeats the message in a header; a header cannot carry every character
    // a body can, so a message that does not fit is left to the body.
    if let Ok(value) = HeaderValue::from_str(message) {
        headers.insert("x-amzn-errormessage", value);
    }
    response
}

/// `body` with `status` and the AWS JSON 1.1 content type.
#[must_use]
pub fn json(status: StatusCode, body: String) -> Response<String> {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    response
}

#[cfg(test)]
mod tests {
    use confirmation_flow::cognito::{Exception, Reply};

    use super::response;

    /// The service's answer to a wrong code, byte for byte where the SDKs read it.
    #[test]
    fn a_refusal_has_the_services_status_headers_and_body() {
        let answer = response(&Reply::Exception(Exception::CodeMismatch)).unwrap();
        assert_eq!(answer.status(), 400);
        let header = |name: &str| answer.headers()[name].to_str().unwrap().to_owned();
        assert_eq!(header("content-type"), "application/x-amz-json-1.1");
        assert_eq!(header("x-amzn-errortype"), "CodeMismatchException:");
        assert_eq!(
            header("x-amzn-errormessage"),
            "Invalid verification code provided, please try again."
        );
        assert_eq!(
            answer.body(),
            r#"{"__type":"CodeMismatchException","message":"Invalid verification code provided, please try again."}"#
        );
        let done = response(&Reply::AdminConfirmSignUp).unwrap();
        assert_eq!((done.status().as_u16(), done.body().as_str()), (200, "{}"));
    }
}
