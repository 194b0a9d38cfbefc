//! What the caller looked up, as JSON (`Lookup` in the TypeScript declarations), parsed and
//! checked, then lent to the crate as its [`Lookup`].

use alloc::{format, string::String, vec::Vec};
use core::time::Duration;

use confirmation_flow::{
    Confirmation, StoredState,
    cognito::{AliasOwners, AppClient, ClientSecret, Lookup, UserRecord, UserStatus},
};
use serde::{
    Deserialize, Deserializer,
    de::{MapAccess, Visitor},
};

use crate::error::{Error, MAX_SAFE_INTEGER, StateReason};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct LookupJson {
    #[serde(default)]
    client: Option<ClientJson>,
    #[serde(default)]
    user: Option<UserJson>,
    #[serde(default)]
    phantom: Option<String>,
    #[serde(default)]
    alias_owners: Option<OwnersJson>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ClientJson {
    client_id: String,
    #[serde(default)]
    secret: Option<String>,
    #[serde(default)]
    prevent_user_existence_errors: bool,
    #[serde(default)]
    auth_session_minutes: Option<u8>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct UserJson {
    username: String,
    subject: String,
    status: String,
    confirmation: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    phone_number: Option<String>,
    #[serde(default)]
    attributes: Option<Attributes>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct OwnersJson {
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    phone_number: Option<String>,
}

/// A JSON object of string values, kept in its order.
#[derive(Debug, Default)]
struct Attributes(Vec<(String, String)>);

impl<'de> Deserialize<'de> for Attributes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entries;

        impl<'de> Visitor<'de> for Entries {
            type Value = Attributes;

            fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("an object of string attribute values")
            }

            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0).min(64));
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(Attributes(entries))
            }
        }

        deserializer.deserialize_map(Entries)
    }
}

/// The user as looked up, its state loaded and checked.
#[derive(Debug)]
struct UserFound {
    username: String,
    subject: String,
    status: UserStatus,
    confirmation: Confirmation,
    email: Option<String>,
    phone_number: Option<String>,
    attributes: Vec<(String, String)>,
}

/// The client as looked up, its secret keyed.
#[derive(Debug)]
struct ClientFound {
    client_id: String,
    secret: Option<ClientSecret>,
    prevent_user_existence_errors: bool,
    auth_sessions: Option<Duration>,
}

/// Everything the caller looked up, parsed from its JSON and checked.
#[derive(Debug)]
pub struct Found {
    client: Option<ClientFound>,
    user: Option<UserFound>,
    phantom: Option<Confirmation>,
    email_owner: Option<String>,
    phone_number_owner: Option<String>,
}

/// Loads a stored state through the crate's validation, and checks that its next version
/// is still a JavaScript number that counts exactly.
///
/// # Errors
/// [`Error::State`], saying `whose` state it was.
pub fn load_state(json: &str, whose: &'static str) -> Result<Confirmation, Error> {
    let refused = |reason| Error::State { whose, reason };
    let stored: StoredState =
        serde_json::from_slice(json.as_bytes()).map_err(|_| refused(StateReason::Malformed))?;
    let state =
        Confirmation::try_from(stored).map_err(|error| refused(StateReason::Invalid(error)))?;
    if state.version() >= MAX_SAFE_INTEGER {
        return Err(refused(StateReason::VersionBeyondSafeInteger));
    }
    Ok(state)
}

impl Found {
    /// Parses the caller's look-up.
    ///
    /// # Errors
    /// [`Error::Type`] for JSON that is not a `Lookup`, [`Error::State`] for a stored state
    /// that does not load.
    pub fn parse(json: &str) -> Result<Self, Error> {
        // serde reads a struct from an array too; a look-up is an object.
        if !json.trim_start().starts_with('{') {
            return Err(Error::type_error("lookup", "an object"));
        }
        let lookup: LookupJson = serde_json::from_slice(json.as_bytes())
            .map_err(|error| Error::Type(format!("lookup: {error}")))?;
        let client = match lookup.client {
            None => None,
            Some(client) => Some(ClientFound {
                auth_sessions: match client.auth_session_minutes {
                    None => None,
                    Some(minutes @ 3..=15) => Some(Duration::from_secs(u64::from(minutes) * 60)),
                    Some(_) => {
                        return Err(Error::type_error(
                            "client.authSessionMinutes",
                            "3 to 15 (AuthSessionValidity)",
                        ));
                    }
                },
                client_id: client.client_id,
                secret: client.secret.map(|secret| ClientSecret::new(&secret)),
                prevent_user_existence_errors: client.prevent_user_existence_errors,
            }),
        };
        let user = match lookup.user {
            None => None,
            Some(user) => Some(UserFound {
                status: UserStatus::from_name(&user.status).ok_or_else(|| {
                    Error::type_error(
                        "lookup.user.status",
                        "a Cognito user status (UNCONFIRMED, …)",
                    )
                })?,
                confirmation: load_state(&user.confirmation, "user")?,
                username: user.username,
                subject: user.subject,
                email: user.email,
                phone_number: user.phone_number,
                attributes: user.attributes.unwrap_or_default().0,
            }),
        };
        let phantom = match lookup.phantom {
            None => None,
            Some(json) => Some(load_state(&json, "phantom")?),
        };
        let owners = lookup.alias_owners.unwrap_or_default();
        Ok(Self {
            client,
            user,
            phantom,
            email_owner: owners.email,
            phone_number_owner: owners.phone_number,
        })
    }

    /// Runs `decide` on the crate's [`Lookup`] of what was found.
    pub fn with_lookup<R>(&self, decide: impl FnOnce(&Lookup<'_>) -> R) -> R {
        let attributes: Vec<(&str, &str)> = self.user.as_ref().map_or_else(Vec::new, |user| {
            user.attributes
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_str()))
                .collect()
        });
        let lookup = Lookup {
            client: self.client.as_ref().map(|client| AppClient {
                client_id: &client.client_id,
                secret: client.secret.as_ref(),
                prevent_user_existence_errors: client.prevent_user_existence_errors,
                auth_sessions: client.auth_sessions,
            }),
            user: self.user.as_ref().map(|user| UserRecord {
                username: &user.username,
                subject: &user.subject,
                status: user.status,
                confirmation: user.confirmation,
                email: user.email.as_deref(),
                phone_number: user.phone_number.as_deref(),
                attributes: &attributes,
            }),
            phantom: self.phantom,
            alias_owners: AliasOwners {
                email: self.email_owner.as_deref(),
                phone_number: self.phone_number_owner.as_deref(),
            },
        };
        decide(&lookup)
    }
}
