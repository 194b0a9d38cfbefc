//! `Debug` for what holds a secret (a code, a client secret, a password hash, a database
//! password): whether it is there shows, never what it is.

use std::fmt;

/// `Some(<redacted>)` or `None`, in place of an optional secret.
#[must_use]
pub const fn optional<T>(secret: Option<&T>) -> &'static dyn fmt::Debug {
    if secret.is_some() {
        &Shown("Some(<redacted>)")
    } else {
        &Shown("None")
    }
}

/// `<redacted>`, in place of a secret.
pub const REDACTED: &dyn fmt::Debug = &Shown("<redacted>");

struct Shown(&'static str);

impl fmt::Debug for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

#[cfg(test)]
mod tests {
    use crate::{config::ClientConfig, outbox::Delivery, pools::ClientSettings, store::NewUser};

    #[test]
    fn secrets_never_print_and_their_presence_does() {
        let secret = "s3cr3t-VALUE";
        let shown = [
            format!(
                "{:?}",
                Delivery {
                    pool_id: "us-east-1_TEST".into(),
                    username: "alice".into(),
                    attribute: "email",
                    destination: "alice@example.com".into(),
                    code: secret.into(),
                }
            ),
            format!(
                "{:?}",
                NewUser {
                    email: Some("alice@example.com".into()),
                    password_hash: Some(secret.into()),
                    ..NewUser::default()
                }
            ),
            format!(
                "{:?}",
                ClientSettings {
                    client_secret: Some(secret.into()),
                    prevent_user_existence_errors: "ENABLED".into(),
                    explicit_auth_flows: Vec::new(),
                }
            ),
            format!(
                "{:?}",
                ClientConfig {
                    client_id: "client".into(),
                    client_secret: Some(secret.into()),
                }
            ),
        ];
        for text in &shown {
            assert!(!text.contains(secret), "{text}");
            assert!(text.contains("<redacted>"), "{text}");
        }
        assert!(
            shown[0].contains("alice@example.com"),
            "the rest still shows"
        );
        let none = ClientConfig {
            client_id: "client".into(),
            client_secret: None,
        };
        assert!(format!("{none:?}").contains("client_secret: None"));
    }
}
