//! The `PostConfirmation` trigger, delivered over HTTP: the crate's event JSON is posted to
//! the configured URL after the confirmation is written, and what came back is reported to
//! the crate, which maps it to the service's exceptions. The user stays confirmed whatever
//! the receiver does.
//!
//! | the receiver | the answer |
//! |---|---|
//! | 2xx with a JSON body (a Lambda returns the event) | success |
//! | 2xx with anything else | `InvalidLambdaResponseException` |
//! | any other status | `UserLambdaValidationException` "PostConfirmation failed with error {errorMessage}." (a Lambda error's `errorMessage`; never the body itself, which could be any page) |
//! | no answer within the timeout, or no connection | `UnexpectedLambdaException` |

use std::time::Duration;

use confirmation_flow::cognito::TriggerOutcome;
use http_body_util::{BodyExt, Full, Limited};
use hyper::{Request, Uri, body::Bytes, header};
use hyper_util::{
    client::legacy::{Client, connect::HttpConnector},
    rt::TokioExecutor,
};

use crate::trigger_urls::{Resolver, trigger_uri};

/// The most of a receiver's answer that is read.
const MAX_ANSWER: usize = 64 * 1024;
/// The longest error message passed on from a receiver.
const MAX_MESSAGE: usize = 256;

/// Where the trigger goes, and a client with pooled connections to it.
pub struct PostConfirmation {
    url: Uri,
    timeout: Duration,
    client: Client<HttpConnector<Resolver>, Full<Bytes>>,
    /// False for a stored URL the operator's list no longer allows: never sent.
    allowed: bool,
}

/// What an invocation saw, owned; [`Invocation::outcome`] is the crate's view of it.
#[derive(Debug, PartialEq, Eq)]
pub enum Invocation {
    Succeeded,
    FunctionError(String),
    InvocationFailed(String),
    InvalidOutput,
}

impl Invocation {
    #[must_use]
    pub fn outcome(&self) -> TriggerOutcome<'_> {
        match self {
            Self::Succeeded => TriggerOutcome::Succeeded,
            Self::FunctionError(error) => TriggerOutcome::FunctionError { error },
            Self::InvocationFailed(reason) => TriggerOutcome::InvocationFailed { reason },
            Self::InvalidOutput => TriggerOutcome::InvalidOutput,
        }
    }
}

impl PostConfirmation {
    /// A trigger that POSTs to `url` (`http://` only: this example has no TLS client) and
    /// waits `timeout` for the answer; with `public_only` (a URL given through the API), a host
    /// name is connected to on its public addresses only.
    ///
    /// # Errors
    /// `url` is not a plain `http://` URL with a host (see [`trigger_uri`]).
    pub fn new(url: &str, timeout: Duration, public_only: bool) -> Result<Self, String> {
        let uri = trigger_uri(url).map_err(|error| format!("post_confirmation_url {error}"))?;
        let mut connector = HttpConnector::new_with_resolver(Resolver { public_only });
        connector.set_connect_timeout(Some(timeout));
        Ok(Self {
            url: uri,
            timeout,
            client: Client::builder(TokioExecutor::new()).build(connector),
            allowed: true,
        })
    }

    /// A trigger for `url` that is never sent: every invocation fails (the operator no longer
    /// allows the URL a pool stored).
    ///
    /// # Errors
    /// As [`PostConfirmation::new`].
    pub fn disallowed(url: &str, timeout: Duration) -> Result<Self, String> {
        let mut trigger = Self::new(url, timeout, true)?;
        trigger.allowed = false;
        Ok(trigger)
    }

    /// POSTs `event` (the crate's JSON) and reports what happened.
    pub async fn invoke(&self, event: String) -> Invocation {
        if !self.allowed {
            tracing::warn!(url = %self.url, "a PostConfirmation URL the operator no longer allows: not sent");
            return Invocation::InvocationFailed(
                "Error invoking the PostConfirmation function".into(),
            );
        }
        let request = Request::post(self.url.clone())
            .header(header::CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from(event)));
        let Ok(request) = request else {
            return Invocation::InvocationFailed(
                "Error invoking the PostConfirmation function".into(),
            );
        };
        let exchange = async {
            let response = self.client.request(request).await?;
            let status = response.status();
            let body = Limited::new(response.into_body(), MAX_ANSWER)
                .collect()
                .await?;
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>((status, body.to_bytes()))
        };
        match tokio::time::timeout(self.timeout, exchange).await {
            Err(_) => {
                Invocation::InvocationFailed("Socket timeout while invoking Lambda function".into())
            }
            Ok(Err(error)) => {
                tracing::warn!(%error, url = %self.url, "the PostConfirmation receiver did not answer");
                Invocation::InvocationFailed("Error invoking the PostConfirmation function".into())
            }
            Ok(Ok((status, body))) if status.is_success() => {
                if serde_json::from_slice::<serde_json::Value>(&body).is_ok() {
                    Invocation::Succeeded
                } else {
                    Invocation::InvalidOutput
                }
            }
            Ok(Ok((status, body))) => Invocation::FunctionError(message(status, &body)),
        }
    }
}

/// A failed function's message: a Lambda error's `errorMessage`, cut to [`MAX_MESSAGE`]
/// characters, without control characters; a body without one is not passed on (it could
/// be any page: the caller sees only what a function chose to say).
fn message(status: hyper::StatusCode, body: &[u8]) -> String {
    let from_json = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|value| value.get("errorMessage")?.as_str().map(str::to_owned));
    from_json.map_or_else(
        || format!("Unhandled (HTTP status {})", status.as_u16()),
        |text| {
            text.chars()
                .filter(|character| !character.is_control())
                .take(MAX_MESSAGE)
                .collect()
        },
    )
}
