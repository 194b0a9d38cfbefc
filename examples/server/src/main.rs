//! An example auth server that embeds `confirmation-flow` behind Amazon Cognito's AWS JSON 1.1
//! API: `SignUp`, `ConfirmSignUp`, `AdminConfirmSignUp` and `ResendConfirmationCode` through
//! the crate's one loop, and `AdminGetUser`; users in SQLite, codes "delivered" to a
//! JSON-lines outbox.
//!
//! `cargo run --release --manifest-path examples/server/Cargo.toml [-- --config PATH]`
//!
//! Not a production server: it accepts any SigV4 signature on the admin operations and never
//! signs users in (so it stores no passwords).

mod api;
mod config;
mod keys;
mod serve;
mod store;
mod users;

use std::{
    path::PathBuf,
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{Router, routing::post};
use confirmation_flow::{
    KeyRing, KeyRingError, Policy, PolicyConfig,
    cognito::{AppClient, AttributeSet, ClientSecret, Pool},
};

use crate::{
    config::{Config, attribute_set},
    keys::Keys,
    store::Store,
};

/// Everything a request needs, shared by all of them.
pub struct App {
    config: Config,
    store: Store,
    keys: Keys,
    policy: Policy,
    auto_verified: AttributeSet,
    aliases: AttributeSet,
    clients: Vec<(String, Option<ClientSecret>)>,
    outbox: PathBuf,
    outbox_lock: Mutex<()>,
}

impl App {
    /// The app client `client_id` names, if the server has it.
    fn client(&self, client_id: &str) -> Option<AppClient<'_>> {
        self.clients
            .iter()
            .find(|(id, _)| id == client_id)
            .map(|(id, secret)| AppClient {
                client_id: id,
                secret: secret.as_ref(),
                prevent_user_existence_errors: self.config.prevent_user_existence_errors,
            })
    }

    /// The key ring (checked at start, so this cannot fail in practice).
    fn keys(&self) -> Result<KeyRing<'_>, KeyRingError> {
        self.keys.ring()
    }

    fn pool<'a>(&'a self, keys: KeyRing<'a>) -> Pool<'a> {
        Pool {
            region: &self.config.region,
            user_pool_id: &self.config.user_pool_id,
            policy: &self.policy,
            keys,
            auto_verified: self.auto_verified,
            aliases: self.aliases,
            session_ttl: Duration::from_mins(3),
        }
    }
}

/// `N` bytes from the operating system's CSPRNG.
#[must_use]
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
#[must_use]
pub fn random_id(len: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    random_bytes::<64>()
        .iter()
        .take(len)
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect()
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
    let keys = match &config.keys {
        Some(path) => Keys::from_file(path)?,
        None => Keys::single(&store.server_key()?),
    };
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
    let invalid = |name| format!("{name} may hold only email and phone_number");
    let auto_verified = attribute_set(&config.auto_verified_attributes)
        .map_err(|()| invalid("auto_verified_attributes"))?;
    let aliases =
        attribute_set(&config.alias_attributes).map_err(|()| invalid("alias_attributes"))?;
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
        "user pool {} in {}; database {database}; outbox {}; current key {}",
        config.user_pool_id,
        config.region,
        outbox.display(),
        keys.current.id()
    );
    let app = Arc::new(App {
        config,
        store,
        keys,
        policy,
        auto_verified,
        aliases,
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
