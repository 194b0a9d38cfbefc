//! What every request shares: the configuration as the crate reads it, the store, the key
//! ring and the outbox.

use std::{collections::HashSet, sync::Arc, time::Duration};

use confirmation_flow::{KeyRing, Policy, PolicyConfig, cognito::Pool};
use confirmation_flow_store::{SqlStore, database::Database, describe};

use crate::{
    clock::Clock,
    config::Config,
    credentials::CredentialSource,
    directory,
    hasher::Hasher,
    keys::Keys,
    origins,
    outbox::Outbox,
    pools::{self, Directory, Triggers},
    settings::attribute_set,
    signing::SigningKeys,
    sigv4::Verifier,
    tokens,
    trigger_urls::AllowedUrls,
};

/// Everything a request needs.
pub struct App {
    pub config: Config,
    pub database: Database,
    pub store: SqlStore,
    pub keys: Keys,
    /// The URL clients reach this server at (`public_url`, no trailing `/`).
    pub public_url: String,
    pub policy: Policy,
    pub directory: Directory,
    pub passwords: Hasher,
    /// Turns to read a whole pool (`limits.scans_at_once`).
    pub scans: tokio::sync::Semaphore,
    pub outbox: Outbox,
    /// Checks the admin calls' signatures.
    pub verifier: Verifier,
    /// Where the admin keys came from.
    pub credentials: CredentialSource,
    /// Which trigger URLs pools may name, and how long triggers may take.
    pub triggers: Triggers,
    /// The pools the last count found holding `limits.users_per_pool` users or more.
    pub full_pools: std::sync::RwLock<HashSet<String>>,
    /// The time every rule reads (movable by tests with `test_clock`).
    pub clock: Clock,
    /// Held (shared) by every delivery from before its request is answered until its line
    /// is in the outbox; `POST /_test/deliveries` takes it alone, so it answers once every
    /// delivery of a request answered before it is written.
    pub deliveries: Arc<tokio::sync::RwLock<()>>,
}

impl App {
    /// Checks `config`, finds the key ring, opens the store and stores the config's pool
    /// and clients.
    ///
    /// # Errors
    /// A message naming the value, file or database that is wrong.
    /// `loopback`: the routes are served on a loopback address only (see
    /// [`Config::admin_keys`]).
    pub async fn new(config: Config, loopback: bool) -> Result<Self, String> {
        let policy = Policy::new(PolicyConfig {
            code_ttl: Duration::from_secs(config.code_ttl_seconds),
            ..PolicyConfig::COGNITO
        })
        .map_err(|error| format!("code_ttl_seconds: {error}"))?;
        attribute_set("auto_verified_attributes", &config.auto_verified_attributes)?;
        if config.test_clock && !loopback {
            return Err(
                "test_clock moves the server's time for tests, and anyone who can \
                 reach it could move it: it is refused unless the server listens on a loopback \
                 address"
                    .into(),
            );
        }
        let clock = Clock::new(config.test_clock);
        let (keys, credentials) = config.admin_keys(loopback)?;
        let verifier = Verifier::new(config.region.clone(), keys);
        attribute_set("alias_attributes", &config.alias_attributes)?;
        let public_url = if let Some(url) = &config.public_url {
            origins::public_url(url)?
        } else {
            if config.listen.ip().is_unspecified() {
                tracing::warn!(
                    listen = %config.listen,
                    "tokens name this server by its listen address, which names no host: \
                     set public_url to the URL clients reach it at"
                );
            }
            format!("http://{}", config.listen)
        };
        let database = Database::parse(&config.database);
        let keys = Keys::load(config.keys.as_deref(), &database)?;
        let failed = |error: confirmation_flow_store::Error| {
            format!("database {}: {}", database.shown(), describe(&*error))
        };
        let store = SqlStore::open(&database).await.map_err(failed)?;
        clock.refresh(&store).await.map_err(failed)?;
        crate::destination_keys::warm();
        let (pool, clients) = config.seed(clock.now().1)?;
        directory::seed(&store, &pool, &clients)
            .await
            .map_err(failed)?;
        let triggers = Triggers {
            timeout: Duration::from_secs(config.trigger_timeout_seconds),
            configured: (
                config.user_pool_id.clone(),
                config.post_confirmation_url.clone(),
            ),
            allowed: AllowedUrls::new(&config.allowed_trigger_urls)?,
        };
        // The config's trigger URL is checked now, not at the first confirmation.
        pools::Pool::of(&pool, &triggers).map_err(|error| error.to_string())?;
        let outbox_path = match (&config.outbox, &database) {
            (Some(path), _) => path.clone(),
            (None, Database::File(path)) => {
                let mut name = path.as_os_str().to_owned();
                name.push(".outbox.jsonl");
                name.into()
            }
            (None, _) => confirmation_flow_store::files::default_dir()?.join("outbox.jsonl"),
        };
        let outbox = Outbox::new(outbox_path, config.outbox_max_bytes);
        outbox.check()?;
        let limits = &config.limits;
        let passwords = Hasher::new(
            limits.password_hashes_at_once,
            limits.password_hashes_waiting,
        )
        .map_err(|error| format!("password hasher: {error}"))?;
        let scans = tokio::sync::Semaphore::new(limits.scans_at_once);
        Ok(Self {
            config,
            database,
            store,
            keys,
            public_url,
            policy,
            directory: Directory::new(triggers.clone()),
            triggers,
            passwords,
            scans,
            outbox,
            verifier,
            credentials,
            full_pools: std::sync::RwLock::default(),
            clock,
            deliveries: Arc::default(),
        })
    }

    /// The key ring, checked when it was loaded.
    #[must_use]
    pub fn keys(&self) -> KeyRing<'_> {
        self.keys.ring.ring()
    }

    /// The pool `pool_id`'s signing keys, derived at their first use (ask only for a pool
    /// that exists).
    ///
    /// # Errors
    /// The derivation failed (see [`SigningKeys::derive`]).
    pub async fn signing_keys(&self, pool_id: &str) -> Result<Arc<SigningKeys>, String> {
        self.keys.signing.get(pool_id).await
    }

    /// The issuer of the pool `pool_id`'s tokens: the public URL, `/`, the pool id.
    #[must_use]
    pub fn issuer(&self, pool_id: &str) -> String {
        tokens::issuer(&self.public_url, pool_id)
    }

    /// Whether the last count found the pool `id` holding its cap of users.
    #[must_use]
    pub fn is_full(&self, id: &str) -> bool {
        self.full_pools
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .contains(id)
    }

    /// Counts every pool's users again, one pool at a time and no further than the cap:
    /// which are full (see [`Self::is_full`]); how many. A pool whose count fails keeps what
    /// the last count found, and the failure is logged: one slow pool does not lift every
    /// pool's cap.
    ///
    /// # Errors
    /// The pools could not be listed.
    pub async fn count_pools(&self) -> confirmation_flow_store::Result<usize> {
        let limits = &self.config.limits;
        let within = Duration::from_secs(limits.scan_timeout_seconds);
        let mut full = HashSet::new();
        for id in directory::pool_ids(&self.store).await? {
            match crate::user_directory::holds_at_least(
                &self.store,
                &id,
                limits.users_per_pool,
                within,
            )
            .await
            {
                Ok(true) => drop(full.insert(id)),
                Ok(false) => {}
                Err(error) => {
                    tracing::warn!(%error, pool = %id, "could not count the pool's users");
                    if self.is_full(&id) {
                        full.insert(id);
                    }
                }
            }
        }
        let count = full.len();
        *self
            .full_pools
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = full;
        Ok(count)
    }

    /// `pool` as the crate sees it.
    #[must_use]
    pub fn pool<'a>(&'a self, pool: &'a pools::Pool) -> Pool<'a> {
        Pool {
            region: &self.config.region,
            user_pool_id: &pool.id,
            policy: &self.policy,
            keys: self.keys(),
            auto_verified: pool.auto_verified,
            aliases: pool.aliases,
        }
    }
}
