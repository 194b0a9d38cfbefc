//! The Cognito API as a library: a [`Service`] opens the store and the keys a configuration
//! names, keeps them up while it lives (phantoms pruned, trimmed to their cap, pools'
//! users counted: all off the request path), and gives the axum [`Router`] to serve alone
//! or to mount inside an application of your own.

use std::{
    sync::{Arc, Weak},
    time::Duration,
};

use axum::Router;

use crate::{App, config::Config, destinations, http, lockout, refresh_tokens, throttle};

/// How often each process deletes the phantoms whose windows have passed.
const PRUNE_EVERY: Duration = Duration::from_secs(60);

/// A running user pool service: its state, and its upkeep, which runs for as long as the
/// service or a router it gave is alive (it holds the state weakly and stops once every
/// router and the service are gone).
///
/// ```no_run
/// # async fn host(config: confirmation_flow_server::config::Config) -> Result<(), String> {
/// let cognito = confirmation_flow_server::Service::start(config).await?;
/// // Your application, with the Cognito API under `/cognito`: an SDK's endpoint URL is
/// // `http://your-host/cognito`.
/// let app = axum::Router::new()
///     .route("/", axum::routing::get(|| async { "my application" }))
///     .nest("/cognito", cognito.router());
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await.map_err(|e| e.to_string())?;
/// axum::serve(listener, app).await.map_err(|e| e.to_string())
/// # }
/// ```
#[must_use = "its router serves the API; dropping both stops the upkeep"]
pub struct Service {
    app: Arc<App>,
}

impl Service {
    /// Opens what `config` names (the store, migrated; the keys; the outbox) and starts the
    /// upkeep on the current tokio runtime, for routes an application mounts: this server
    /// cannot see where they are served, so `admin_credentials` are required (the well-known
    /// test key is for the binary on a loopback address) and held to the rules beyond
    /// loopback. Put the application's listener behind the same limits as the binary's
    /// with [`http::serve`].
    ///
    /// # Errors
    /// A message saying what could not be set up: the configuration, credentials, keys or
    /// database.
    pub async fn start(config: Config) -> Result<Self, String> {
        Self::start_on(config, false).await
    }

    /// [`Self::start`] for routes served on a loopback address only (`loopback`), as the
    /// binary knows when it binds `listen` itself.
    pub(crate) async fn start_on(config: Config, loopback: bool) -> Result<Self, String> {
        let app = Arc::new(App::new(config, loopback).await?);
        tokio::spawn(prune(Arc::downgrade(&app)));
        tokio::spawn(trim(Arc::downgrade(&app)));
        tokio::spawn(count(Arc::downgrade(&app)));
        Ok(Self { app })
    }

    /// The routes: `POST /` (the API, AWS JSON 1.1), `GET /health` and the pools'
    /// `/.well-known/` documents (set `public_url` to where they are mounted), with request ids,
    /// traces and CORS. Mount it with [`Router::nest`]: signatures are checked over the path
    /// the client signed, the prefix included.
    pub fn router(&self) -> Router {
        http::router(Arc::clone(&self.app))
    }

    /// The service's state: its configuration, store and keys.
    #[must_use]
    pub fn app(&self) -> &App {
        &self.app
    }
}

/// Keeps every pool's phantoms at `limits.phantoms_per_pool`, off the request path.
async fn trim(app: Weak<App>) {
    let Some(seconds) = app
        .upgrade()
        .map(|app| app.config.limits.phantom_trim_seconds)
    else {
        return;
    };
    let mut every = tokio::time::interval(Duration::from_secs(seconds));
    loop {
        every.tick().await;
        let Some(app) = app.upgrade() else { return };
        let cap = app.config.limits.phantoms_per_pool;
        match throttle::trim_phantoms(&app.store, cap).await {
            Ok(0) => {}
            Ok(trimmed) => tracing::info!(trimmed, "trimmed pools to their phantom cap"),
            Err(error) => tracing::warn!(%error, "could not trim phantoms"),
        }
    }
}

/// Counts every pool's users against `limits.users_per_pool`, off the request path.
async fn count(app: Weak<App>) {
    let Some(seconds) = app
        .upgrade()
        .map(|app| app.config.limits.pool_count_seconds)
    else {
        return;
    };
    let mut every = tokio::time::interval(Duration::from_secs(seconds));
    let mut was_full = 0;
    loop {
        every.tick().await;
        let Some(app) = app.upgrade() else { return };
        match app.count_pools().await {
            Ok(full) if full != was_full => {
                was_full = full;
                tracing::warn!(
                    full,
                    "pools holding their cap of users (limits.users_per_pool)"
                );
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "could not count the pools' users"),
        }
    }
}

/// Deletes expired phantoms now and then; a failure is logged and tried again later.
async fn prune(app: Weak<App>) {
    let mut every = tokio::time::interval(PRUNE_EVERY);
    loop {
        every.tick().await;
        let Some(app) = app.upgrade() else { return };
        if let Err(error) = app.clock.refresh(&app.store).await {
            tracing::warn!(%error, "could not read the test clock");
        }
        let (_, now) = app.clock.now();
        match app.store.prune(now).await {
            Ok(0) => {}
            Ok(pruned) => tracing::info!(pruned, "deleted phantoms whose windows have passed"),
            Err(error) => tracing::warn!(%error, "could not prune phantoms"),
        }
        if let Err(error) = destinations::prune(&app.store, now).await {
            tracing::warn!(%error, "could not prune destination budgets");
        }
        // Kept a day past their expiry (the longest access token lifetime): an access token
        // of a session whose refresh token was revoked stays refused until it expires.
        match refresh_tokens::prune(&app.store, now.saturating_sub(86_400)).await {
            Ok(0) => {}
            Ok(pruned) => tracing::info!(pruned, "deleted expired refresh tokens"),
            Err(error) => tracing::warn!(%error, "could not prune refresh tokens"),
        }
        if let Err(error) = crate::srp_challenges::prune(&app.store, now).await {
            tracing::warn!(%error, "could not prune SRP challenges");
        }
        if let Err(error) = crate::password_challenges::prune(&app.store, now).await {
            tracing::warn!(%error, "could not prune new-password challenges");
        }
        if let Err(error) = crate::password_resets::prune(&app.store, now).await {
            tracing::warn!(%error, "could not prune password resets");
        }
        // Counts quiet for twice the reset, so a process whose clock runs ahead of the
        // others' (by less than 15 minutes) never prunes a count they still lock out with.
        let quiet = app.clock.now_ms().saturating_sub(lockout::LONGEST_MS);
        if let Err(error) = lockout::prune(&app.store, quiet).await {
            tracing::warn!(%error, "could not prune failed sign-ins");
        }
    }
}
