//! The JSON configuration (`--config PATH`), and the default when none is given.

use std::{
    net::SocketAddr,
    os::unix::fs::{DirBuilderExt, PermissionsExt},
    path::PathBuf,
};

use confirmation_flow::cognito::AttributeSet;
use serde::Deserialize;

/// The set a list of attribute names stands for; `Err` for a name that is not `email` or
/// `phone_number`.
pub fn attribute_set(names: &[String]) -> Result<AttributeSet, ()> {
    let mut set = AttributeSet::NONE;
    for name in names {
        match name.as_str() {
            "email" => set.email = true,
            "phone_number" => set.phone_number = true,
            _ => return Err(()),
        }
    }
    Ok(set)
}

/// An app client.
#[derive(Clone, Debug, Deserialize)]
pub struct ClientConfig {
    pub client_id: String,
    pub client_secret: Option<String>,
}

/// Everything the server can be told. Only `clients` is required.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    #[serde(default = "default_region")]
    pub region: String,
    #[serde(default = "default_pool")]
    pub user_pool_id: String,
    pub clients: Vec<ClientConfig>,
    #[serde(default)]
    pub prevent_user_existence_errors: bool,
    /// A subset of `["email", "phone_number"]`: attributes that become aliases once verified.
    #[serde(default = "default_attributes")]
    pub alias_attributes: Vec<String>,
    /// A subset of `["email", "phone_number"]`: where codes go (the phone first, when a
    /// user has one and it is listed, as the service does). Default `["email"]`, the
    /// service console's default.
    #[serde(default = "default_auto_verified")]
    pub auto_verified_attributes: Vec<String>,
    #[serde(default = "default_ttl")]
    pub code_ttl_seconds: u64,
    /// A file path, or `":memory:"`.
    pub database: Option<String>,
    /// Where codes are "delivered": one JSON line per code.
    pub outbox: Option<PathBuf>,
    /// A key file (see `keys.rs`); without one, a key is made once and kept in the database.
    pub keys: Option<PathBuf>,
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 9229))
}

fn default_region() -> String {
    "us-east-1".to_owned()
}

fn default_pool() -> String {
    "us-east-1_LOCAL".to_owned()
}

fn default_auto_verified() -> Vec<String> {
    vec!["email".to_owned()]
}

fn default_attributes() -> Vec<String> {
    vec!["email".to_owned(), "phone_number".to_owned()]
}

const fn default_ttl() -> u64 {
    24 * 60 * 60
}

impl Config {
    /// Reads `--config PATH`, or builds the default: one client without a secret whose id is
    /// random, a database file and an outbox in the system's temp directory.
    pub fn from_args() -> Result<Self, Box<dyn std::error::Error>> {
        let mut args = std::env::args().skip(1);
        match (args.next().as_deref(), args.next()) {
            (Some("--config"), Some(path)) => {
                let config: Self = serde_json::from_slice(&std::fs::read(&path)?)
                    .map_err(|error| format!("{path}: {error}"))?;
                if config.clients.is_empty() {
                    return Err(format!("{path}: `clients` must name at least one client").into());
                }
                for (name, list) in [
                    ("alias_attributes", &config.alias_attributes),
                    ("auto_verified_attributes", &config.auto_verified_attributes),
                ] {
                    attribute_set(list).map_err(|()| {
                        format!("{path}: {name} may hold only email and phone_number")
                    })?;
                }
                Ok(config)
            }
            (None, None) => {
                let client_id = crate::random_id(26);
                let dir = std::env::temp_dir().join("confirmation-flow-server");
                // Only this user may read the database (its key) and the outbox (its codes).
                std::fs::DirBuilder::new()
                    .recursive(true)
                    .mode(0o700)
                    .create(&dir)?;
                std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))?;
                Ok(Self {
                    listen: default_listen(),
                    region: default_region(),
                    user_pool_id: default_pool(),
                    clients: vec![ClientConfig {
                        client_id,
                        client_secret: None,
                    }],
                    prevent_user_existence_errors: false,
                    alias_attributes: default_attributes(),
                    auto_verified_attributes: default_auto_verified(),
                    code_ttl_seconds: default_ttl(),
                    database: Some(dir.join("users.sqlite3").display().to_string()),
                    outbox: Some(dir.join("outbox.jsonl")),
                    keys: None,
                })
            }
            _ => Err("usage: confirmation-flow-server [--config PATH]".into()),
        }
    }
}
