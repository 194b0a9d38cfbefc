//! The command line, the JSON configuration (`--config PATH`), and the default when none
//! is given. Every problem is a message that names the file and the value.

use std::{net::SocketAddr, path::PathBuf};

use clap::Parser;
use serde::Deserialize;

use crate::{
    client_directory::ClientRecord,
    config_client::ClientConfig,
    defaults,
    directory::PoolRecord,
    origins::check_origins,
    settings::{LambdaConfig, PoolSettings, attribute_set},
    sigv4::Credential,
};

/// A Cognito-compatible auth server that embeds confirmation-flow behind Amazon Cognito's API.
#[derive(Debug, Parser)]
#[command(version, about)]
pub struct Args {
    /// A JSON configuration file (see the README); without one, a default for trying it out.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Listen here instead of the configuration's `listen` (several processes, one config).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// Serve `POST /_test/clock`, which moves the server's clock forward, for tests of
    /// expiry (the configuration's `test_clock`). Refused unless it listens on loopback.
    #[arg(long)]
    pub test_clock: bool,
    /// Stop, as on SIGTERM, when stdin is closed: a test harness keeps the other end of a
    /// pipe open while it runs, so the server ends with it however it ends (killed too).
    #[arg(long)]
    pub stop_when_stdin_closes: bool,
}

/// Everything the server can be told. Only `clients` is required. Not `Debug`: it holds
/// client secrets, admin keys and perhaps a database password.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default = "defaults::default_listen")]
    pub listen: SocketAddr,
    #[serde(default = "defaults::default_region")]
    pub region: String,
    #[serde(default = "defaults::default_pool")]
    pub user_pool_id: String,
    pub clients: Vec<ClientConfig>,
    #[serde(default)]
    pub prevent_user_existence_errors: bool,
    /// A subset of `["email", "phone_number"]`: attributes that become aliases once verified.
    #[serde(default = "defaults::default_attributes")]
    pub alias_attributes: Vec<String>,
    /// A subset of `["email", "phone_number"]`: where codes go (the phone first, when a
    /// user has one and it is listed, as the service does). Default `["email"]`, the
    /// service console's default.
    #[serde(default = "defaults::default_auto_verified")]
    pub auto_verified_attributes: Vec<String>,
    #[serde(default = "defaults::default_ttl")]
    pub code_ttl_seconds: u64,
    /// A SQLite file path, `":memory:"` (users lost when the server stops: asked for by
    /// name only), or a `postgres://` connection string. Default: the SQLite file the
    /// server keeps without a configuration, in its private directory.
    #[serde(default)]
    pub database: String,
    /// Where codes are "delivered": one JSON line per code.
    pub outbox: Option<PathBuf>,
    /// The outbox's size at which it moves to `<outbox>.1` (replacing an older one).
    #[serde(default = "defaults::default_outbox_max_bytes")]
    pub outbox_max_bytes: u64,
    /// A key file (see `keys.rs`).
    pub keys: Option<PathBuf>,
    /// The URL clients reach this server at: the tokens' issuer is it + `/` + the pool id.
    /// Default: `http://` and the address the server listens on.
    pub public_url: Option<String>,
    /// Open connections at most; more wait to be accepted.
    #[serde(default = "defaults::default_max_connections")]
    pub max_connections: usize,
    /// A client must send a request's headers within this time (idle keep-alive included).
    #[serde(default = "defaults::default_timeout")]
    pub header_timeout_seconds: u64,
    /// A request, body included, must be read and answered within this time.
    #[serde(default = "defaults::default_timeout")]
    pub request_timeout_seconds: u64,
    /// The largest request body accepted.
    #[serde(default = "defaults::default_max_body")]
    pub max_body_bytes: usize,
    /// Browser origins allowed to call the server (CORS): `["*"]` (the default, for a local
    /// server) or a list such as `["http://localhost:3000"]`; `[]` allows none.
    #[serde(default = "defaults::default_origins")]
    pub cors_allowed_origins: Vec<String>,
    /// An `http://` URL the `PostConfirmation` event is posted to after each confirmation
    /// (the service's `LambdaConfig.PostConfirmation`).
    pub post_confirmation_url: Option<String>,
    /// How long the trigger may take (the service gives a Lambda trigger 5 s).
    #[serde(default = "defaults::default_trigger_timeout")]
    pub trigger_timeout_seconds: u64,
    /// The access keys admin calls must be signed with (SigV4). Also from the environment
    /// variable [`CREDENTIALS_VARIABLE`], for secret stores. Without any, the local test key
    /// `test` / `test` is accepted, and only while the server listens on loopback.
    #[serde(default)]
    pub admin_credentials: Vec<Credential>,
    /// The trigger URLs a pool created through the API may name: whole URLs, or prefixes
    /// ending in `/`. Empty by default: only the configuration's own URL is used.
    #[serde(default)]
    pub allowed_trigger_urls: Vec<String>,
    /// What one process does at once and what one pool may hold (`limits.rs`).
    #[serde(default)]
    pub limits: crate::limits::Limits,
    /// Serve `POST /_test/clock` (`{"advance_seconds": n}`), which moves the clock every
    /// rule reads forward, for every process on the database (`clock.rs`). For tests only:
    /// refused unless the server listens on a loopback address.
    #[serde(default)]
    pub test_clock: bool,
    /// Print each code, reset code and temporary password on stdout as it is delivered,
    /// with the outbox's path, as emulator users expect: on when trying the server out
    /// without a configuration, off with one unless asked for (they are secrets).
    #[serde(default)]
    pub print_codes: bool,
}

/// The environment variable that may hold `admin_credentials`, as the same JSON list.
pub const CREDENTIALS_VARIABLE: &str = "CONFIRMATION_FLOW_ADMIN_CREDENTIALS";

/// The longest timeout or code lifetime accepted: a year.
const MAX_SECONDS: u64 = 366 * 24 * 60 * 60;
/// Bounds that keep a typo from exhausting the process.
const MAX_CONNECTIONS: usize = 1 << 20;
const MAX_BODY_BYTES: usize = 16 << 20;

impl Config {
    /// The configuration `args` name, or the default: one client without a secret whose id
    /// is random, a database file and an outbox in a private directory under the system's
    /// temp directory.
    ///
    /// # Errors
    /// The file cannot be read, is not valid, or a value is out of range.
    pub fn from_args(args: &Args) -> Result<Self, String> {
        let mut config = match &args.config {
            Some(path) => {
                let named = |problem: String| format!("{}: {problem}", path.display());
                let text = std::fs::read(path).map_err(|error| named(error.to_string()))?;
                let config: Self =
                    serde_json::from_slice(&text).map_err(|error| named(error.to_string()))?;
                config.check().map_err(named)?;
                config
            }
            None => Self::default_for_trying()?,
        };
        if let Some(listen) = args.listen {
            config.listen = listen;
        }
        config.test_clock |= args.test_clock;
        if config.database.is_empty() {
            config.database = defaults::default_database()?;
        }
        if let Ok(text) = std::env::var(CREDENTIALS_VARIABLE) {
            if !config.admin_credentials.is_empty() {
                return Err(format!(
                    "admin credentials are given both in the configuration and in \
                     {CREDENTIALS_VARIABLE}: give them in one place"
                ));
            }
            config.admin_credentials = serde_json::from_str(&text)
                .map_err(|error| format!("{CREDENTIALS_VARIABLE}: {error}"))?;
        }
        Ok(config)
    }

    /// The pool and clients this configuration describes, as stored; created `now`.
    ///
    /// # Errors
    /// Settings that do not serialise (which does not happen).
    pub fn seed(&self, now: i64) -> Result<(PoolRecord, Vec<ClientRecord>), String> {
        let settings = PoolSettings {
            auto_verified_attributes: self.auto_verified_attributes.clone(),
            alias_attributes: self.alias_attributes.clone(),
            lambda_config: LambdaConfig {
                post_confirmation: self.post_confirmation_url.clone(),
            },
            ..PoolSettings::default()
        };
        let pool = PoolRecord {
            id: self.user_pool_id.clone(),
            name: self.user_pool_id.clone(),
            settings: serde_json::to_string(&settings).map_err(|error| error.to_string())?,
            created_at: now,
        };
        let prevent = if self.prevent_user_existence_errors {
            "ENABLED"
        } else {
            "LEGACY"
        };
        let clients = self
            .clients
            .iter()
            .map(|client| client.record(&self.user_pool_id, prevent, now))
            .collect::<Result<_, String>>()?;
        Ok((pool, clients))
    }

    fn check(&self) -> Result<(), String> {
        if self.clients.is_empty() {
            return Err("`clients` must name at least one client".into());
        }
        for (name, list) in [
            ("alias_attributes", &self.alias_attributes),
            ("auto_verified_attributes", &self.auto_verified_attributes),
        ] {
            attribute_set(name, list)?;
        }
        for (name, value) in [
            ("code_ttl_seconds", self.code_ttl_seconds),
            ("header_timeout_seconds", self.header_timeout_seconds),
            ("request_timeout_seconds", self.request_timeout_seconds),
            ("trigger_timeout_seconds", self.trigger_timeout_seconds),
        ] {
            if value == 0 || value > MAX_SECONDS {
                return Err(format!("{name} must be from 1 to {MAX_SECONDS}"));
            }
        }
        if !(1..=MAX_CONNECTIONS).contains(&self.max_connections)
            || !(1..=MAX_BODY_BYTES).contains(&self.max_body_bytes)
        {
            return Err(format!(
                "max_connections must be from 1 to {MAX_CONNECTIONS} and max_body_bytes from 1 to {MAX_BODY_BYTES}"
            ));
        }
        if !(4096..=1 << 40).contains(&self.outbox_max_bytes) {
            return Err("outbox_max_bytes must be from 4096 to 2^40".into());
        }
        check_origins(&self.cors_allowed_origins)?;
        if let Some(url) = &self.public_url {
            crate::origins::public_url(url)?;
        }
        self.limits.check()
    }

    fn default_for_trying() -> Result<Self, String> {
        // Only this user may read the database, its key file and the outbox (its codes).
        let dir = confirmation_flow_store::files::default_dir()?;
        Ok(Self {
            listen: defaults::default_listen(),
            region: defaults::default_region(),
            user_pool_id: defaults::default_pool(),
            // The flows the service's console gives a new app client: sign-up sessions
            // (Amplify's `autoSignIn`) work out of the box.
            clients: vec![ClientConfig {
                client_id: crate::ids::client_id(),
                client_secret: None,
                explicit_auth_flows: [
                    "ALLOW_USER_AUTH",
                    "ALLOW_USER_SRP_AUTH",
                    "ALLOW_REFRESH_TOKEN_AUTH",
                ]
                .map(str::to_owned)
                .into(),
                auth_session_validity: None,
            }],
            prevent_user_existence_errors: false,
            alias_attributes: defaults::default_attributes(),
            auto_verified_attributes: defaults::default_auto_verified(),
            code_ttl_seconds: defaults::default_ttl(),
            database: defaults::default_database()?,
            outbox: Some(dir.join("outbox.jsonl")),
            outbox_max_bytes: defaults::default_outbox_max_bytes(),
            keys: None,
            public_url: None,
            max_connections: defaults::default_max_connections(),
            header_timeout_seconds: defaults::default_timeout(),
            request_timeout_seconds: defaults::default_timeout(),
            max_body_bytes: defaults::default_max_body(),
            cors_allowed_origins: defaults::default_origins(),
            post_confirmation_url: None,
            trigger_timeout_seconds: defaults::default_trigger_timeout(),
            admin_credentials: Vec::new(),
            allowed_trigger_urls: Vec::new(),
            limits: crate::limits::Limits::default(),
            test_clock: false,
            print_codes: true,
        })
    }
}
