//! An app client as the config file names it, and the row it becomes.

use serde::Deserialize;

use crate::{
    client_directory::ClientRecord,
    client_settings::{ClientSettings, FlowsAndLifetimes},
};

/// An app client.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientConfig {
    pub client_id: String,
    pub client_secret: Option<String>,
    /// `ExplicitAuthFlows`, as `CreateUserPoolClient` takes them; none: the service's
    /// default set (`ALLOW_REFRESH_TOKEN_AUTH`, `ALLOW_USER_SRP_AUTH`, `ALLOW_CUSTOM_AUTH`).
    #[serde(default)]
    pub explicit_auth_flows: Vec<String>,
    /// `AuthSessionValidity`, in minutes (3 to 15; 3 when not given).
    #[serde(default)]
    pub auth_session_validity: Option<i64>,
}

impl std::fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientConfig")
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                crate::redact::optional(self.client_secret.as_ref()),
            )
            .field("explicit_auth_flows", &self.explicit_auth_flows)
            .field("auth_session_validity", &self.auth_session_validity)
            .finish()
    }
}

impl ClientConfig {
    /// The client's row in the pool `pool_id`, answering for unknown users as `prevent`
    /// says (`ENABLED` or `LEGACY`), created `now`.
    ///
    /// # Errors
    /// A setting out of its range, in the service's words, naming the client.
    pub fn record(&self, pool_id: &str, prevent: &str, now: i64) -> Result<ClientRecord, String> {
        let given = FlowsAndLifetimes {
            explicit_auth_flows: self.explicit_auth_flows.clone(),
            auth_session_validity: self.auth_session_validity,
            ..FlowsAndLifetimes::default()
        };
        let settings = ClientSettings::new(self.client_secret.clone(), prevent.to_owned(), given)
            .map_err(|error| format!("client {}: {error}", self.client_id))?;
        Ok(ClientRecord {
            id: self.client_id.clone(),
            pool_id: pool_id.to_owned(),
            name: self.client_id.clone(),
            settings: serde_json::to_string(&settings).map_err(|error| error.to_string())?,
            created_at: now,
        })
    }
}
