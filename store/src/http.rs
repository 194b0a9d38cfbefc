//! A reply's HTTP form, once, for anyone using the `http` crate's types (axum, hyper,
//! tower, Lambda's runtime): the status, the AWS JSON 1.1 content type, and for an
//! exception its `{"__type", "message"}` body with `x-amzn-ErrorType` and
//! `x-amzn-ErrorMessage`, as the service answers and the AWS SDKs read. And the other way, a
//! request's body decoded, with the service's `SerializationException` when it is not one.

use confirmation_flow::cognito::{Body, BodyFault, Exception, OperationName, Reply};
use http::{HeaderValue, header};
/// The `http` crate's types these answers are made of (version 1), so that a caller needs no
/// dependency of its own to name them.
pub use http::{Response, StatusCode};

use crate::Result;

/// The content type of every answer.
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// The body of a request for `operation`, decoded as the service reads it: one JSON object
/// of the operation's shape, and nothing after it. Boxed: a body is large. Then
/// [`Body::operation`] validates it.
///
/// # Errors
/// [`Exception::Serialization`] ([`serialization`]).
pub fn body(
    operation: OperationName,
    bytes: &[u8],
) -> core::result::Result<Box<Body>, Exception<'static>> {
    let mut json = serde_json::Deserializer::from_slice(bytes);
    let mut body = Box::new(Body::new(operation));
    match body.decode(&mut json).and_then(|()| json.end()) {
        Ok(()) => Ok(body),
        Err(error) => Err(serialization(operation.as_str(), &error)),
    }
}

/// `SerializationException` for a body of `operation` that `error` refused: where it broke
/// and how, never what it held (a value may be a code or a secret hash).
#[must_use]
pub fn serialization<'a>(operation: &'a str, error: &serde_json::Error) -> Exception<'a> {
    let fault = match error.classify() {
        serde_json::error::Category::Data => BodyFault::Member,
        serde_json::error::Category::Eof => BodyFault::Truncated,
        serde_json::error::Category::Syntax | serde_json::error::Category::Io => BodyFault::NotJson,
    };
    Exception::Serialization {
        operation,
        fault,
        line: error.line(),
        column: error.column(),
    }
}

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
    use confirmation_flow::cognito::{BodyFault, Exception, OperationName, Reply};

    use super::{body, response};

    /// A body is one JSON object of its operation's shape, and nothing after it; anything
    /// else is a `SerializationException` that says where and how, as the service's does.
    #[test]
    fn a_body_that_is_not_a_request_is_a_serialization_exception() {
        let name = OperationName::ConfirmSignUp;
        let request = br#"{"ClientId":"c","Username":"u","ConfirmationCode":"1","Other":[]}"#;
        let decoded = body(name, request).unwrap();
        assert!(
            decoded.operation().is_ok(),
            "a member of no operation is ignored"
        );
        for (bytes, expected) in [
            (&br#"{"ClientId":"c","#[..], BodyFault::Truncated),
            (b"not json", BodyFault::NotJson),
            (br#"{"ClientId":1}"#, BodyFault::Member),
            (b"{} {}", BodyFault::NotJson),
        ] {
            let Err(Exception::Serialization {
                operation, fault, ..
            }) = body(name, bytes)
            else {
                panic!("{:?} decoded", String::from_utf8_lossy(bytes));
            };
            assert_eq!((operation, fault), ("ConfirmSignUp", expected));
        }
    }

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
