//! The configuration's defaults, each where serde fills in a value the file leaves out.

use std::net::SocketAddr;

pub(crate) fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 9229))
}

pub(crate) fn default_region() -> String {
    "us-east-1".to_owned()
}

pub(crate) fn default_pool() -> String {
    "us-east-1_LOCAL".to_owned()
}

pub(crate) fn default_auto_verified() -> Vec<String> {
    vec!["email".to_owned()]
}

pub(crate) fn default_attributes() -> Vec<String> {
    vec!["email".to_owned(), "phone_number".to_owned()]
}

pub(crate) const fn default_ttl() -> u64 {
    24 * 60 * 60
}

pub(crate) const fn default_outbox_max_bytes() -> u64 {
    64 << 20
}

pub(crate) const fn default_max_connections() -> usize {
    1024
}

pub(crate) const fn default_timeout() -> u64 {
    10
}

pub(crate) const fn default_trigger_timeout() -> u64 {
    5
}

pub(crate) fn default_origins() -> Vec<String> {
    vec!["*".to_owned()]
}

pub(crate) const fn default_max_body() -> usize {
    64 * 1024
}

/// The SQLite file kept when no `database` is named: `store.sqlite3` in the server's private
/// directory, the same without a configuration and with one that names none.
///
/// # Errors
/// The private directory cannot be made or is not safe.
pub(crate) fn default_database() -> Result<String, String> {
    let dir = confirmation_flow_store::files::default_dir()?;
    Ok(dir.join("store.sqlite3").display().to_string())
}
