//! What every request shares: the configuration as the crate reads it, the store, the key
//! ring and the outbox.

use std::time::Duration;

use confirmation_flow::{
    KeyRing, KeyRingError, Policy, PolicyConfig,
    cognito::{AppClient, AttributeSet, ClientSecret, Pool},
};

use crate::{
    config::{Config, attribute_set},
    keys::Keys,
    outbox::Outbox,
    store::{Database, Store, describe},
    trigger::PostConfirmation,
};

/// Everything a request needs.
pub struct App {
    pub config: Config,
    pub database: Database,
    pub store: Store,
    pub keys: Keys,
    pub policy: Policy,
    auto_verified: AttributeSet,
    aliases: AttributeSet,
    clients: Vec<(String, Option<ClientSecret>)>,
    pub outbox: Outbox,
    pub post_confirmation: Option<PostConfirmation>,
}

impl App {
    /// Checks `config`, finds the key ring and opens the store.
    ///
    /// # Errors
    /// A message naming the value, file or database that is wrong.
    pub async fn new(config: Config) -> Result<Self, String> {
        let policy = Policy::new(PolicyConfig {
            code_ttl: Duration::from_secs(config.code_ttl_seconds),
            ..PolicyConfig::COGNITO
        })
        .map_err(|error| format!("code_ttl_seconds: {error}"))?;
        let auto_verified =
            attribute_set("auto_verified_attributes", &config.auto_verified_attributes)?;
        let aliases = attribute_set("alias_attributes", &config.alias_attributes)?;
        let clients = config
            .clients
            .iter()
            .map(|client| {
                let secret = client.client_secret.as_deref().map(ClientSecret::new);
                (client.client_id.clone(), secret)
            })
            .collect();
        let database = Database::parse(&config.database);
        let keys = Keys::load(config.keys.as_deref(), &database)?;
        let store = Store::open(&database, &config.user_pool_id)
            .await
            .map_err(|error| format!("database {}: {}", database.shown(), describe(&*error)))?;
        let outbox = Outbox::new(
            config
                .outbox
                .clone()
                .unwrap_or_else(|| std::env::temp_dir().join("confirmation-flow-outbox.jsonl")),
        );
        let post_confirmation = config
            .post_confirmation_url
            .as_deref()
            .map(|url| {
                PostConfirmation::new(url, Duration::from_secs(config.trigger_timeout_seconds))
            })
            .transpose()?;
        Ok(Self {
            config,
            database,
            store,
            keys,
            policy,
            auto_verified,
            aliases,
            clients,
            outbox,
            post_confirmation,
        })
    }

    /// The app client `client_id` names, if the server has it.
    #[must_use]
    pub fn client(&self, client_id: &str) -> Option<AppClient<'_>> {
        self.clients
            .iter()
            .find(|(id, _)| id == client_id)
            .map(|(id, secret)| AppClient {
                client_id: id,
                secret: secret.as_ref(),
                prevent_user_existence_errors: self.config.prevent_user_existence_errors,
            })
    }

    /// The key ring (checked when it was loaded, so this does not fail in practice).
    ///
    /// # Errors
    /// Two keys share an id.
    pub fn keys(&self) -> Result<KeyRing<'_>, KeyRingError> {
        self.keys.ring()
    }

    /// The pool as the crate sees it.
    #[must_use]
    pub fn pool<'a>(&'a self, keys: KeyRing<'a>) -> Pool<'a> {
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
