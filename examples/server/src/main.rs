//! An example auth server that embeds `confirmation-flow` behind Amazon Cognito's AWS JSON 1.1
//! API: `SignUp`, `ConfirmSignUp`, `AdminConfirmSignUp`, `ResendConfirmationCode` and
//! `AdminGetUser`, with users in SQLite and codes "delivered" to a JSON-lines outbox.
//!
//! `cargo run --release --manifest-path examples/server/Cargo.toml [-- --config PATH]`
//!
//! Not a production server: it accepts any SigV4 signature on the admin operations and never
//! signs users in (so it stores no passwords).

mod api;
mod config;
mod confirmations;
mod store;
mod users;

use std::{
    path::PathBuf,
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{Router, routing::post};
use confirmation_flow::{
    KeyId, Policy, PolicyConfig, ServerKey,
    cognito::{AliasAttribute, AppClient, ClientSecret, Pool},
};

use crate::{config::Config, store::Store};

/// Everything a request needs, shared by all of them.
pub struct App {
    config: Config,
    store: Store,
    key: ServerKey,
    policy: Policy,
    clients: Vec<(String, Option<ClientSecret>)>,
    outbox: PathBuf,
    outbox_lock: Mutex<()>,
}

/// The decoy subject has the length of a real `sub` (a UUID), so unknown users cost the same.
const DECOY_SUB: &[u8] = b"00000000-0000-4000-8000-000000000000";

impl App {
    fn client(&self, client_id: &str) -> Option<&(String, Option<ClientSecret>)> {
        self.clients.iter().find(|(id, _)| id == client_id)
    }

    fn app_client(&self, client_id: &str) -> Option<AppClient<'_>> {
        self.client(client_id).map(|(id, secret)| AppClient {
            client_id: id,
            secret: secret.as_ref(),
            prevent_user_existence_errors: self.config.prevent_user_existence_errors,
        })
    }

    fn pool(&self) -> Pool<'_> {
        Pool {
            region: &self.config.region,
            user_pool_id: &self.config.user_pool_id,
            policy: &self.policy,
            key: &self.key,
            decoy_subject: DECOY_SUB,
            session_ttl: Duration::from_secs(180),
        }
    }

    fn is_alias(&self, attribute: AliasAttribute) -> bool {
        self.config
            .alias_attributes
            .iter()
            .any(|a| a == attribute.as_str())
    }
}

/// `N` bytes from the operating system's CSPRNG.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0; N];
    if let Err(error) = getrandom::fill(&mut bytes) {
        // Without randomness no code or key can be made safely: stop rather than guess.
        eprintln!("no randomness available: {error}");
        std::process::exit(1);
    }
    bytes
}

/// A random lower-case alphanumeric id (app client ids look like this).
pub fn random_id(len: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    random_bytes::<64>()
        .iter()
        .take(len)
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect()
}

/// A random (version 4) UUID.
pub fn uuid() -> String {
    let mut b = random_bytes::<16>();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|byte| format!("{byte:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let config = Config::from_args().map_err(|error| error.to_string())?;
    let database = config
        .database
        .clone()
        .unwrap_or_else(|| ":memory:".to_owned());
    let outbox = config
        .outbox
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join("confirmation-flow-outbox.jsonl"));
    let store = Store::open(&database)?;
    let key = ServerKey::new(KeyId(1), &store.server_key()?);
    let policy = Policy::new(PolicyConfig {
        code_ttl: Duration::from_secs(config.code_ttl_seconds),
        ..PolicyConfig::COGNITO
    })
    .map_err(|error| format!("code_ttl_seconds: {error}"))?;
    let clients = config
        .clients
        .iter()
        .map(|c| {
            (
                c.client_id.clone(),
                c.client_secret.as_deref().map(ClientSecret::new),
            )
        })
        .collect();
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    println!("listening on http://{}", listener.local_addr()?);
    for client in &config.clients {
        let secret = if client.client_secret.is_some() {
            "with a secret"
        } else {
            "without a secret"
        };
        println!("app client {} ({secret})", client.client_id);
    }
    println!(
        "user pool {} in {}; database {database}; outbox {}",
        config.user_pool_id,
        config.region,
        outbox.display()
    );
    let app = Arc::new(App {
        config,
        store,
        key,
        policy,
        clients,
        outbox,
        outbox_lock: Mutex::new(()),
    });
    let router = Router::new()
        .route("/", post(api::endpoint))
        .with_state(app);
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
