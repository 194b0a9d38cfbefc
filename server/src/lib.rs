//! A Cognito-compatible auth server that embeds `confirmation-flow` behind Amazon Cognito's AWS JSON 1.1
//! API: `SignUp`, `ConfirmSignUp`, `AdminConfirmSignUp` and `ResendConfirmationCode` through
//! the crate's one loop, pools and app clients through the API, and the admin user
//! operations; pools, clients and users in SQLite (embedded, the default) or PostgreSQL
//! (several processes, one database); codes "delivered" to a JSON-lines outbox.
//!
//! Admin operations, pools and clients answer only to SigV4 signatures by configured keys
//! (`access`, `sigv4`). Users sign in with the confirmation's `Session`, a password
//! (argon2id, with the service's lock-out: `lockout`) or SRP (`srp`), and get the RS256
//! tokens a sign-in answers (`tokens`), with keys derived from the key ring (`signing`) and
//! published for verifiers (each pool's `/.well-known/jwks.json` and
//! `openid-configuration`), and refresh tokens stored as keyed hashes (`refresh_tokens`).
//! Tests may move its clock (`clock`).

#![allow(
    clippy::std_instead_of_core,
    clippy::alloc_instead_of_core,
    reason = "a std server: the core's no_std hygiene buys nothing here"
)]
#![allow(
    clippy::exhaustive_enums,
    clippy::exhaustive_structs,
    reason = "not published: its types change with it, no semver promise to keep"
)]
#![allow(
    missing_docs,
    unreachable_pub,
    missing_debug_implementations,
    clippy::missing_errors_doc,
    reason = "until its public surface is narrowed to the Router and the config (issue 21): \
              most `pub` items are the binary's and the tests' internals"
)]
#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    clippy::unreachable,
    reason = "not yet gone through one by one in the server (issue 21 splits its modules); \
              the core, which embedders run anywhere, keeps these lints"
)]

pub mod access;
pub mod access_token;
mod admin_request;
pub mod answer;
pub mod api;
pub mod app;
mod batches;
mod challenges;
mod client_api;
pub mod client_directory;
pub mod client_settings;
pub mod clock;
pub mod config;
pub mod config_client;
pub mod credentials;
mod decision;
mod defaults;
mod deliveries;
pub mod destination_keys;
pub mod destinations;
pub mod directory;
pub mod exceptions;
pub mod generation;
pub mod hasher;
pub mod http;
pub mod ids;
mod initiate_auth;
mod invitation_insert;
mod invitation_request;
mod invitations;
pub mod keys;
pub mod limits;
pub mod lockout;
mod logins;
mod new_password;
mod origins;
pub mod outbox;
pub mod password;
mod password_challenges;
mod password_change;
mod password_redeem;
mod password_reset;
mod password_reset_admin;
mod password_resets;
mod password_sign_in;
mod pool_api;
pub mod pool_keys;
pub mod pools;
pub mod random;
mod redact;
mod refresh;
pub mod refresh_tokens;
mod reset_account;
mod self_service;
pub mod serve;
mod service;
pub mod settings;
pub mod signing;
pub mod sigv4;
mod sigv4_canonical;
mod sigv4_time;
pub mod srp;
mod srp_challenges;
mod srp_sign_in;
pub mod throttle;
pub mod tokens;
pub mod trigger;
pub mod trigger_urls;
pub mod user_directory;
mod users;
mod well_known;

use std::time::Duration;

pub use app::App;
pub use service::Service;

use crate::{config::Config, credentials::CredentialSource, http::Limits};

/// Runs the server with `config` until SIGTERM or Ctrl-C.
///
/// # Errors
/// A message saying what could not be set up: the configuration, keys, database or socket.
pub async fn run(config: Config) -> Result<(), String> {
    run_until(config, false).await
}

/// [`run`], and with `stdin_closes` also until stdin is closed
/// (`--stop-when-stdin-closes`).
///
/// # Errors
/// As [`run`].
pub async fn run_until(mut config: Config, stdin_closes: bool) -> Result<(), String> {
    // This server binds `listen` itself: whether it is loopback is known, and the address it
    // is reached at unless `public_url` says otherwise (a port 0 resolved).
    let loopback = config.listen.ip().to_canonical().is_loopback();
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|error| format!("listen {}: {error}", config.listen))?;
    let address = listener.local_addr().map_err(|error| error.to_string())?;
    config
        .public_url
        .get_or_insert_with(|| format!("http://{address}"));
    let service = Service::start_on(config, loopback).await?;
    let app = service.app();
    let config = &app.config;
    // The first line, read by the tests: the socket is bound.
    say(&format!("listening on http://{address}"));
    for client in &config.clients {
        let secret = if client.client_secret.is_some() {
            "with a secret"
        } else {
            "without a secret"
        };
        say(&format!("app client {} ({secret})", client.client_id));
    }
    say(&format!(
        "user pool {} in {}; database {}; outbox {}; keys: {} (current key {})",
        config.user_pool_id,
        config.region,
        app.database.shown(),
        app.outbox.path().display(),
        app.keys.source,
        app.keys.ring.current().id()
    ));
    if matches!(
        app.database,
        confirmation_flow_store::database::Database::Memory
    ) {
        say(
            "database :memory: — every user, pool and client is lost when this server stops \
             (name a file or a postgres:// URL in `database` to keep them)",
        );
    }
    say(match app.credentials {
        CredentialSource::Configured => "admin calls: SigV4, with the configured access keys",
        CredentialSource::LocalTestKey => {
            "admin calls: SigV4, with the local test key test / test (no admin_credentials \
             configured; accepted on loopback only)"
        }
    });
    say(&format!(
        "tokens issued as {} (public_url)",
        app.issuer(&config.user_pool_id)
    ));
    let limits = Limits {
        max_connections: config.max_connections,
        header_timeout: Duration::from_secs(config.header_timeout_seconds),
    };
    let stop = async move {
        tokio::select! {
            () = http::stop_signal() => {}
            () = stdin_closed(), if stdin_closes => {}
        }
    };
    http::serve(listener, service.router(), limits, stop).await
}

/// Resolves once stdin is closed (its other end gone), read on a thread of its own: one
/// blocked in a read does not hold up the runtime's shutdown, as a blocking task would.
async fn stdin_closed() {
    let (closed, on_close) = tokio::sync::oneshot::channel::<()>();
    let reader = std::thread::Builder::new()
        .name("stdin".into())
        .spawn(move || {
            use std::io::Read as _;
            let mut sink = [0_u8; 256];
            let mut stdin = std::io::stdin().lock();
            while matches!(stdin.read(&mut sink), Ok(read) if read > 0) {}
            let _ = closed.send(());
        });
    match reader {
        Ok(_) => drop(on_close.await),
        Err(error) => {
            tracing::warn!(%error, "cannot watch stdin: the server stops on SIGTERM only");
            std::future::pending::<()>().await;
        }
    }
}

/// A start-up line on stdout. Whoever started the server may have stopped reading (a test
/// that read the first line, `| head -1`): that is no reason to stop serving.
fn say(line: &str) {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{line}").and_then(|()| stdout.flush());
}
