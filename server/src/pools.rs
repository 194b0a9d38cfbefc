//! User pools and app clients as the request loop sees them: their settings in the
//! service's JSON shapes (stored as such), and a cache of the ones in use.
//!
//! A pool's or client's settings never change once created (this server has no
//! `UpdateUserPool`), so a process may keep what it has read; a deletion by another process
//! is seen by the request's own read (`Snapshot::live`), never by the cache.

use std::{
    collections::HashMap,
    sync::{
        Arc, PoisonError, RwLock,
        atomic::{AtomicI64, Ordering},
    },
    time::Duration,
};

use confirmation_flow::cognito::{AppClient, AttributeSet, ClientSecret};
use confirmation_flow_store::{Result, SqlStore};

use crate::{
    client_directory::{self, ClientRecord},
    client_settings::ClientSettings,
    directory::{self, PoolRecord},
    settings::{PasswordPolicy, PoolSettings, attribute_set},
    trigger::PostConfirmation,
    trigger_urls::{AllowedUrls, trigger_uri},
};

/// The most entries each cache keeps before it starts again (pools and clients deleted by
/// other processes would otherwise stay).
const MAX_CACHED: usize = 10_000;

/// How triggers are sent: how long they may take, the configuration's own URL (trusted as
/// written), and the URLs the operator allows pools created through the API to name.
#[derive(Debug, Clone)]
pub struct Triggers {
    pub timeout: Duration,
    /// The configuration's pool id and `post_confirmation_url`.
    pub configured: (String, Option<String>),
    pub allowed: AllowedUrls,
}

impl Triggers {
    /// Whether a pool created through the API may name `url`.
    ///
    /// # Errors
    /// The service's `InvalidParameterException` message for a URL that is malformed or not
    /// among `allowed_trigger_urls`.
    pub fn check(&self, url: &str) -> std::result::Result<(), String> {
        let uri = trigger_uri(url)?;
        if self.allowed.allows(&uri) {
            Ok(())
        } else {
            Err(format!(
                "{url:?} is not among the trigger URLs this server's operator allows \
                 (allowed_trigger_urls)"
            ))
        }
    }

    /// The trigger pool `pool_id` stored for `url`: the configuration's own as written; one
    /// given through the API to public addresses only, and never sent once the operator no
    /// longer allows it.
    ///
    /// # Errors
    /// A stored URL that is malformed.
    pub fn post_confirmation(&self, pool_id: &str, url: &str) -> Result<PostConfirmation> {
        let (configured_pool, configured_url) = &self.configured;
        let trigger = if configured_pool == pool_id && configured_url.as_deref() == Some(url) {
            PostConfirmation::new(url, self.timeout, false)
        } else if self.check(url).is_ok() {
            PostConfirmation::new(url, self.timeout, true)
        } else {
            PostConfirmation::disallowed(url, self.timeout)
        };
        Ok(trigger?)
    }
}

/// A pool ready for the request loop.
pub struct Pool {
    pub id: String,
    pub auto_verified: AttributeSet,
    /// Email and phone number among `AliasAttributes` (`preferred_username` needs no code).
    pub aliases: AttributeSet,
    pub username_attributes: AttributeSet,
    pub password_policy: PasswordPolicy,
    pub post_confirmation: Option<PostConfirmation>,
}

impl Pool {
    /// The pool `record` describes, its trigger sent as `triggers` allow.
    ///
    /// # Errors
    /// Stored settings that do not load.
    pub fn of(record: &PoolRecord, triggers: &Triggers) -> Result<Self> {
        let settings: PoolSettings = serde_json::from_str(&record.settings)?;
        let codes = |names: &[String]| -> Vec<String> {
            names
                .iter()
                .filter(|name| *name != "preferred_username")
                .cloned()
                .collect()
        };
        let post_confirmation = settings
            .lambda_config
            .post_confirmation
            .as_deref()
            .map(|url| triggers.post_confirmation(&record.id, url))
            .transpose()?;
        Ok(Self {
            id: record.id.clone(),
            auto_verified: attribute_set(
                "AutoVerifiedAttributes",
                &settings.auto_verified_attributes,
            )?,
            aliases: attribute_set("AliasAttributes", &codes(&settings.alias_attributes))?,
            username_attributes: attribute_set(
                "UsernameAttributes",
                &settings.username_attributes,
            )?,
            password_policy: settings.policies.password_policy,
            post_confirmation,
        })
    }
}

/// An app client ready for the request loop.
pub struct Client {
    pub id: String,
    pub pool_id: String,
    pub secret: Option<ClientSecret>,
    pub prevent_user_existence_errors: bool,
    /// How long its sessions live, when it hands them out (`ALLOW_USER_AUTH`).
    pub auth_sessions: Option<Duration>,
    /// Its settings as stored: its flows, its tokens' lifetimes.
    pub settings: ClientSettings,
}

impl Client {
    /// The client `record` describes.
    ///
    /// # Errors
    /// Stored settings that do not load.
    pub fn of(record: &ClientRecord) -> Result<Self> {
        let settings: ClientSettings = serde_json::from_str(&record.settings)?;
        Ok(Self {
            id: record.id.clone(),
            pool_id: record.pool_id.clone(),
            secret: settings.client_secret.as_deref().map(ClientSecret::new),
            prevent_user_existence_errors: settings.prevent_user_existence_errors == "ENABLED",
            auth_sessions: settings.auth_sessions(),
            settings,
        })
    }

    /// How long a challenge it hands out lives, in seconds: its `AuthSessionValidity`.
    #[must_use]
    pub fn challenge_lifetime(&self) -> i64 {
        i64::from(self.settings.auth_session_validity).saturating_mul(60)
    }

    /// The client as the crate sees it.
    #[must_use]
    pub fn app_client(&self) -> AppClient<'_> {
        AppClient {
            client_id: &self.id,
            secret: self.secret.as_ref(),
            prevent_user_existence_errors: self.prevent_user_existence_errors,
            auth_sessions: self.auth_sessions,
        }
    }
}

/// The pools and clients this process has read.
pub struct Directory {
    pools: Cache<Pool>,
    clients: Cache<Client>,
    triggers: Triggers,
    /// The settings generation last read (`generation.rs`): an entry cached under another
    /// is read again.
    generation: AtomicI64,
}

/// Entries by id, each with the settings generation it was read under.
type Cache<T> = RwLock<HashMap<String, (i64, Arc<T>)>>;

impl Directory {
    #[must_use]
    pub fn new(triggers: Triggers) -> Self {
        Self {
            pools: RwLock::default(),
            clients: RwLock::default(),
            triggers,
            generation: AtomicI64::new(-1),
        }
    }

    /// The pool `id`, from the cache or the store; `None` if it does not exist.
    ///
    /// # Errors
    /// A database error, or stored settings that do not load.
    pub async fn pool(&self, store: &SqlStore, id: &str) -> Result<Option<Arc<Pool>>> {
        // The generation before the read: a change committed after it is read again later.
        let generation = self.generation.load(Ordering::Acquire);
        if let Some(pool) = cached(&self.pools, id, generation) {
            return Ok(Some(pool));
        }
        let Some(record) = directory::pool(store, id).await? else {
            return Ok(None);
        };
        let pool = Arc::new(Pool::of(&record, &self.triggers)?);
        Ok(Some(remember(&self.pools, id, generation, pool)))
    }

    /// The client `id`, from the cache or the store; `None` if it does not exist.
    ///
    /// # Errors
    /// A database error, or stored settings that do not load.
    pub async fn client(&self, store: &SqlStore, id: &str) -> Result<Option<Arc<Client>>> {
        let generation = self.generation.load(Ordering::Acquire);
        if let Some(client) = cached(&self.clients, id, generation) {
            return Ok(Some(client));
        }
        let Some(record) = client_directory::client(store, id).await? else {
            return Ok(None);
        };
        let client = Arc::new(Client::of(&record)?);
        Ok(Some(remember(&self.clients, id, generation, client)))
    }

    /// Empties the caches if any process changed a pool's or client's settings since they
    /// were filled: run once per request, before the first look-up.
    ///
    /// # Errors
    /// A database error.
    pub async fn refresh(&self, store: &SqlStore) -> Result<()> {
        let now = crate::generation::read(store).await?;
        self.generation.fetch_max(now, Ordering::AcqRel);
        Ok(())
    }

    /// Forgets the pool `id` and its clients (deleted by this process).
    pub fn forget_pool(&self, id: &str) {
        self.pools
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(id);
        self.clients
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|_, (_, client)| client.pool_id != id);
    }

    /// Forgets the client `id` (deleted by this process).
    pub fn forget_client(&self, id: &str) {
        self.clients
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(id);
    }
}

/// The entry `id`, if it was read under the settings generation `generation`.
fn cached<T>(cache: &Cache<T>, id: &str, generation: i64) -> Option<Arc<T>> {
    cache
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .get(id)
        .filter(|(read_under, _)| *read_under == generation)
        .map(|(_, entry)| Arc::clone(entry))
}

fn remember<T>(cache: &Cache<T>, id: &str, generation: i64, entry: Arc<T>) -> Arc<T> {
    let mut cache = cache.write().unwrap_or_else(PoisonError::into_inner);
    if cache.len() >= MAX_CACHED {
        cache.clear();
    }
    cache.insert(id.to_owned(), (generation, Arc::clone(&entry)));
    entry
}
