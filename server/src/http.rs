//! The HTTP side: the routes with their request ids, traces and CORS, and the listener with its
//! limits — at most `max_connections` connections (more wait in the kernel's backlog), a
//! deadline for each request's headers (which also closes idle keep-alive connections),
//! and a graceful stop: on a signal the listener closes and open requests finish.

use std::{future::Future, sync::Arc, time::Duration};

use axum::{
    Router,
    http::{HeaderName, HeaderValue, Method, Request, Response},
    routing::{get, post},
};
use hyper::server::conn::http1;
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    server::graceful::GracefulShutdown,
    service::TowerToHyperService,
};
use tokio::{net::TcpListener, sync::Semaphore};
use tower::ServiceBuilder;
use tower_http::{
    cors::{AllowOrigin, CorsLayer},
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    trace::TraceLayer,
};
use tracing::Span;

use crate::{App, api, well_known};

/// The most of a client-supplied value a log line shows.
const LOGGED_CHARS: usize = 128;

/// `value` as a log line shows it: control and non-ASCII characters escaped, at most
/// [`LOGGED_CHARS`] characters of it.
fn escaped(value: &str) -> String {
    let mut shown: String = value
        .chars()
        .take(LOGGED_CHARS)
        .flat_map(char::escape_default)
        .collect();
    if value.chars().count() > LOGGED_CHARS {
        shown.push('…');
    }
    shown
}

/// How long open requests may take to finish once the server is told to stop.
const DRAIN: Duration = Duration::from_secs(10);

/// The AWS request id header, as the SDKs read it.
const REQUEST_ID: HeaderName = HeaderName::from_static("x-amzn-requestid");

/// `POST /`, `GET /health` and each pool's `GET /{poolId}/.well-known/jwks.json` and
/// `openid-configuration`, each request given an id (`x-amzn-RequestId`) and a trace:
/// its id, operation, status, exception name and latency; never a body, so never a code,
/// secret hash, session or password. The line is at `debug` (`RUST_LOG=debug` for an
/// access log), a server error at `error`.
pub fn router(app: Arc<App>) -> Router {
    let trace = TraceLayer::new_for_http()
        .make_span_with(|request: &Request<_>| {
            // Client-supplied: escaped and cut short, never written as sent.
            let header = |name: &str| {
                let value = request
                    .headers()
                    .get(name)
                    .map_or("", |value| value.to_str().unwrap_or("<not ASCII>"));
                escaped(value)
            };
            let target = header("x-amz-target");
            let operation = target.rsplit('.').next().unwrap_or("");
            tracing::info_span!(
                "request",
                id = %header("x-amzn-requestid"),
                method = %request.method(),
                path = %request.uri().path(),
                operation = %operation,
            )
        })
        .on_request(())
        .on_response(|response: &Response<_>, latency: Duration, _: &Span| {
            let exception = response
                .headers()
                .get("x-amzn-errortype")
                .and_then(|value| value.to_str().ok())
                .map_or("", |value| value.trim_end_matches(':'));
            let (status, micros) = (response.status().as_u16(), latency.as_micros());
            if response.status().is_server_error() {
                tracing::error!(status, %exception, latency_us = micros, "answered");
            } else {
                tracing::debug!(status, %exception, latency_us = micros, "answered");
            }
        })
        .on_eos(())
        .on_failure(());
    let cors = cors(&app.config.cors_allowed_origins);
    let mut routes = Router::new();
    if app.clock.movable() {
        routes = routes
            .route("/_test/clock", post(api::advance_clock))
            .route("/_test/deliveries", post(crate::deliveries::flush));
    }
    routes
        .route("/", post(api::endpoint))
        .route("/health", get(api::health))
        .route("/{pool_id}/.well-known/jwks.json", get(well_known::jwks))
        .route(
            "/{pool_id}/.well-known/openid-configuration",
            get(well_known::openid_configuration),
        )
        .with_state(app)
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(trace)
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                .layer(cors),
        )
}

/// CORS as the service answers it: a preflight allows `POST` with the headers the AWS SDKs
/// and Amplify send, and every answer exposes the request id and the error headers, so a
/// browser's SDK can read them. `origins` were checked with the configuration.
fn cors(origins: &[String]) -> CorsLayer {
    let allowed = if origins.iter().any(|origin| origin == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(
            origins
                .iter()
                .filter_map(|origin| HeaderValue::from_str(origin).ok()),
        )
    };
    let headers = [
        "authorization",
        "cache-control",
        "content-type",
        "x-amz-content-sha256",
        "x-amz-date",
        "x-amz-security-token",
        "x-amz-target",
        "x-amz-user-agent",
        "amz-sdk-invocation-id",
        "amz-sdk-request",
    ];
    let exposed = [
        "x-amzn-requestid",
        "x-amzn-errortype",
        "x-amzn-errormessage",
        "date",
    ];
    CorsLayer::new()
        .allow_origin(allowed)
        .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
        .allow_headers(headers.map(HeaderName::from_static))
        .expose_headers(exposed.map(HeaderName::from_static))
        .max_age(Duration::from_secs(24 * 3600))
}

/// The listener's limits.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_connections: usize,
    pub header_timeout: Duration,
}

/// Serves `router` on `listener` until `stop` completes, then lets open requests finish
/// (for at most `DRAIN`, 10 seconds).
///
/// # Errors
/// The connection limit cannot be waited on (never, in practice).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    stop: impl Future<Output = ()>,
) -> Result<(), String> {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    let mut stop = std::pin::pin!(stop);
    loop {
        let slot = tokio::select! {
            slot = Arc::clone(&slots).acquire_owned() => slot.map_err(|error| error.to_string())?,
            () = &mut stop => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    // Out of file descriptors, say: wait a moment rather than spin.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(router.clone());
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection closed");
            }
            drop(slot);
        });
    }
    drop(listener);
    tracing::info!("stopping: open requests may finish");
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(DRAIN) => tracing::warn!("stopped with requests still open"),
    }
    Ok(())
}

/// Completes on SIGTERM or Ctrl-C (SIGINT).
pub async fn stop_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
}

#[cfg(test)]
mod tests {
    use super::{LOGGED_CHARS, escaped};

    #[test]
    fn client_values_are_logged_escaped_and_short() {
        assert_eq!(escaped("req-1"), "req-1");
        assert_eq!(escaped("a\"b\\c\u{1b}[31m"), "a\\\"b\\\\c\\u{1b}[31m");
        assert_eq!(escaped("\u{202e}evil"), "\\u{202e}evil");
        let long = "x".repeat(10_000);
        assert_eq!(escaped(&long).chars().count(), LOGGED_CHARS + 1);
    }
}
