//! Which database the `database` config value names, and how the log may show it.

/// Which database, from the `database` config value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Database {
    /// A SQLite file.
    File(std::path::PathBuf),
    /// SQLite in memory: gone when the process ends, one connection.
    Memory,
    /// A PostgreSQL connection string (`postgres://` or `postgresql://`).
    Postgres(String),
}

impl Database {
    /// Reads the config value.
    #[must_use]
    pub fn parse(value: &str) -> Self {
        if value == ":memory:" {
            Self::Memory
        } else if value.starts_with("postgres://") || value.starts_with("postgresql://") {
            Self::Postgres(value.to_owned())
        } else {
            Self::File(value.into())
        }
    }

    /// The value as the log may show it: a connection string without its password.
    #[must_use]
    pub fn shown(&self) -> String {
        match self {
            Self::File(path) => path.display().to_string(),
            Self::Memory => ":memory:".to_owned(),
            Self::Postgres(url) => shown_postgres(url),
        }
    }
}

/// A connection string as the log may show it: rebuilt from what the driver reads of it
/// (user, hosts, ports, database), never from its text, so no spelling of a password (in the
/// credentials, `?password=`, encoded or repeated) can reach the log; the options are `?…`.
fn shown_postgres(url: &str) -> String {
    use std::fmt::Write as _;
    // As `postgres_tls::connection` splits it: the driver reads credentials up to the first `@`.
    let scheme = url.find("://").map_or(0, |at| at + 3);
    let host = url[scheme..].find('@').map_or(scheme, |at| scheme + at + 1);
    let (base, options) = match url[host..].find('?') {
        Some(at) => (&url[..host + at], "?…"),
        None => (url, ""),
    };
    let Ok(config) = base.parse::<tokio_postgres::Config>() else {
        return "postgres://(a connection string the driver cannot read)".to_owned();
    };
    let mut shown = "postgres://".to_owned();
    if let Some(user) = config.get_user() {
        let password = if config.get_password().is_some() {
            ":***"
        } else {
            ""
        };
        let _ = write!(shown, "{user}{password}@");
    }
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .zip(config.get_ports().iter().chain(std::iter::repeat(&5432)))
        .map(|(host, port)| match host {
            tokio_postgres::config::Host::Tcp(name) => format!("{name}:{port}"),
            tokio_postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .collect();
    shown.push_str(&hosts.join(","));
    let _ = write!(shown, "/{}{options}", config.get_dbname().unwrap_or(""));
    shown
}

#[cfg(test)]
mod tests {
    use super::Database;

    #[test]
    fn a_connection_strings_password_is_never_shown() {
        for (url, shown) in [
            (
                "postgres://app:s3cret@db:5432/x",
                "postgres://app:***@db:5432/x",
            ),
            ("postgres://app@db/x", "postgres://app@db:5432/x"),
            (
                "postgresql://db/x?user=app&password=s3cret&sslmode=disable",
                "postgres://db:5432/x?…",
            ),
            // The review's: an encoded key, and a repeated one.
            (
                "postgres://app@db/x?pass%77ord=s3cret",
                "postgres://app@db:5432/x?…",
            ),
            (
                "postgres://app:s3cret@db/x?password=a&password=s3cret",
                "postgres://app:***@db:5432/x?…",
            ),
            ("postgres://app:p?ss@db/x", "postgres://app:***@db:5432/x"),
        ] {
            let text = Database::parse(url).shown();
            assert_eq!(text, shown, "{url}");
            assert!(!text.contains("s3cret") && !text.contains("p?ss"), "{text}");
        }
    }
}
