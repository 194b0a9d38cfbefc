//! An application of your own with the Cognito API mounted inside it, under `/cognito`: an
//! SDK's endpoint URL is then `http://ADDR/cognito`. It takes the server's own options; its
//! configuration must name `admin_credentials` (mounted, the routes may be reached from
//! anywhere the application is), and its listener keeps the binary's limits.
//!
//! `cargo run --release -p confirmation-flow-server --example mounted -- --config PATH --listen ADDR`
//! (`tests/conformance/test_mounted.py` signs a user up and confirms it through it with boto3).

use core::time::Duration;

use clap::Parser as _;
use confirmation_flow_server::{
    Service,
    config::{Args, Config},
    http::{Limits, serve, stop_signal},
};

#[tokio::main]
async fn main() -> Result<(), String> {
    let config = Config::from_args(&Args::parse())?;
    let listen = config.listen;
    // The binary's limits on the listener: a connection cap and a deadline for headers.
    let limits = Limits {
        max_connections: config.max_connections,
        header_timeout: Duration::from_secs(config.header_timeout_seconds),
    };
    let cognito = Service::start(config).await?;
    let app = axum::Router::new()
        .route("/", axum::routing::get(|| async { "the host application" }))
        .nest("/cognito", cognito.router());
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|error| format!("listen {listen}: {error}"))?;
    let address = listener.local_addr().map_err(|error| error.to_string())?;
    println!("listening on http://{address}");
    serve(listener, app, limits, stop_signal()).await
}
