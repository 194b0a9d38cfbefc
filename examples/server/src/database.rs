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
            Self::Postgres(url) => {
                let mut shown = match (url.find("://"), url.rfind('@')) {
                    (Some(scheme), Some(at)) if at > scheme => {
                        let (head, host) = (&url[..scheme + 3], &url[at..]);
                        match url[scheme + 3..at].split_once(':') {
                            Some((user, _password)) => format!("{head}{user}:***{host}"),
                            None => url.clone(),
                        }
                    }
                    _ => url.clone(),
                };
                // `?password=…` is the other place a connection string carries one.
                if let Some(at) = shown.find("password=") {
                    let end = shown[at..].find('&').map_or(shown.len(), |end| at + end);
                    shown.replace_range(at + "password=".len()..end, "***");
                }
                shown
            }
        }
    }
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
            ("postgres://app@db/x", "postgres://app@db/x"),
            (
                "postgresql://db/x?user=app&password=s3cret&sslmode=disable",
                "postgresql://db/x?user=app&password=***&sslmode=disable",
            ),
            ("postgres://app:p@ss@db/x", "postgres://app:***@db/x"),
        ] {
            assert_eq!(Database::parse(url).shown(), shown);
        }
    }
}
