//! What the caller looked up, as JSON (`Lookup` in the TypeScript declarations), parsed and
//! checked, then lent to the crate as its [`Lookup`].

use std::borrow::Cow;

use confirmation_flow::{
    Confirmation, StoredState,
    cognito::{AliasOwners, AppClient, ClientSecret, Lookup, UserRecord, UserStatus},
};
use serde::{
    Deserialize, Deserializer,
    de::{MapAccess, Visitor},
};

use crate::error::{Error, MAX_SAFE_INTEGER, StateReason};

/// A string borrowed from the JSON text when it holds no escapes.
#[derive(Debug, Deserialize)]
struct Str<'a>(#[serde(borrow)] Cow<'a, str>);

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct LookupJson<'a> {
    #[serde(borrow, default)]
    client: Option<ClientJson<'a>>,
    #[serde(borrow, default)]
    user: Option<UserJson<'a>>,
    #[serde(borrow, default)]
    phantom: Option<Str<'a>>,
    #[serde(borrow, default)]
    alias_owners: Option<OwnersJson<'a>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ClientJson<'a> {
    #[serde(borrow)]
    client_id: Str<'a>,
    #[serde(borrow, default)]
    secret: Option<Str<'a>>,
    #[serde(default)]
    prevent_user_existence_errors: bool,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct UserJson<'a> {
    #[serde(borrow)]
    username: Str<'a>,
    #[serde(borrow)]
    subject: Str<'a>,
    #[serde(borrow)]
    status: Str<'a>,
    #[serde(borrow)]
    confirmation: Str<'a>,
    #[serde(borrow, default)]
    email: Option<Str<'a>>,
    #[serde(borrow, default)]
    phone_number: Option<Str<'a>>,
    #[serde(borrow, default)]
    attributes: Option<Attributes<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct OwnersJson<'a> {
    #[serde(borrow, default)]
    email: Option<Str<'a>>,
    #[serde(borrow, default)]
    phone_number: Option<Str<'a>>,
}

/// A JSON object of string values, kept in its order.
#[derive(Debug, Default)]
struct Attributes<'a>(Vec<(Str<'a>, Str<'a>)>);

impl<'de: 'a, 'a> Deserialize<'de> for Attributes<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entries<'a>(core::marker::PhantomData<&'a ()>);

        impl<'de: 'a, 'a> Visitor<'de> for Entries<'a> {
            type Value = Attributes<'a>;

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

        deserializer.deserialize_map(Entries(core::marker::PhantomData))
    }
}

/// The user as looked up, its state loaded and checked.
#[derive(Debug)]
struct UserFound<'a> {
    username: Cow<'a, str>,
    subject: Cow<'a, str>,
    status: UserStatus,
    confirmation: Confirmation,
    email: Option<Cow<'a, str>>,
    phone_number: Option<Cow<'a, str>>,
    attributes: Vec<(Cow<'a, str>, Cow<'a, str>)>,
}

/// The client as looked up, its secret keyed.
#[derive(Debug)]
struct ClientFound<'a> {
    client_id: Cow<'a, str>,
    secret: Option<ClientSecret>,
    prevent_user_existence_errors: bool,
}

/// Everything the caller looked up, parsed from its JSON and checked.
#[derive(Debug)]
pub struct Found<'a> {
    client: Option<ClientFound<'a>>,
    user: Option<UserFound<'a>>,
    phantom: Option<Confirmation>,
    email_owner: Option<Cow<'a, str>>,
    phone_number_owner: Option<Cow<'a, str>>,
}

/// Loads a stored state through the crate's validation, and checks that its next version
/// is still a JavaScript number that counts exactly.
///
/// # Errors
/// [`Error::State`], saying `whose` state it was.
pub fn load_state(json: &str, whose: &'static str) -> Result<Confirmation, Error> {
    let refused = |reason| Error::State { whose, reason };
    let stored: StoredState =
        serde_json::from_str(json).map_err(|_| refused(StateReason::Malformed))?;
    let state =
        Confirmation::try_from(stored).map_err(|error| refused(StateReason::Invalid(error)))?;
    if state.version() >= MAX_SAFE_INTEGER {
        return Err(refused(StateReason::VersionBeyondSafeInteger));
    }
    Ok(state)
}

impl<'a> Found<'a> {
    /// Parses the caller's look-up.
    ///
    /// # Errors
    /// [`Error::Type`] for JSON that is not a `Lookup`, [`Error::State`] for a stored state
    /// that does not load.
    pub fn parse(json: &'a str) -> Result<Self, Error> {
        // serde reads a struct from an array too; a look-up is an object.
        if !json.trim_start().starts_with('{') {
            return Err(Error::type_error("lookup", "an object"));
        }
        let lookup: LookupJson<'a> =
            serde_json::from_str(json).map_err(|error| Error::Type(format!("lookup: {error}")))?;
        let client = lookup.client.map(|client| ClientFound {
            client_id: client.client_id.0,
            secret: client.secret.map(|secret| ClientSecret::new(&secret.0)),
            prevent_user_existence_errors: client.prevent_user_existence_errors,
        });
        let user = match lookup.user {
            None => None,
            Some(user) => Some(UserFound {
                status: UserStatus::from_name(&user.status.0).ok_or_else(|| {
                    Error::type_error(
                        "lookup.user.status",
                        "a Cognito user status (UNCONFIRMED, …)",
                    )
                })?,
                confirmation: load_state(&user.confirmation.0, "user")?,
                username: user.username.0,
                subject: user.subject.0,
                email: user.email.map(|text| text.0),
                phone_number: user.phone_number.map(|text| text.0),
                attributes: user
                    .attributes
                    .unwrap_or_default()
                    .0
                    .into_iter()
                    .map(|(name, value)| (name.0, value.0))
                    .collect(),
            }),
        };
        let phantom = match lookup.phantom {
            None => None,
            Some(json) => Some(load_state(&json.0, "phantom")?),
        };
        let owners = lookup.alias_owners.unwrap_or_default();
        Ok(Self {
            client,
            user,
            phantom,
            email_owner: owners.email.map(|text| text.0),
            phone_number_owner: owners.phone_number.map(|text| text.0),
        })
    }

    /// Runs `decide` on the crate's [`Lookup`] of what was found.
    pub fn with_lookup<R>(&self, decide: impl FnOnce(&Lookup<'_>) -> R) -> R {
        let attributes: Vec<(&str, &str)> = self.user.as_ref().map_or_else(Vec::new, |user| {
            user.attributes
                .iter()
                .map(|(name, value)| (name.as_ref(), value.as_ref()))
                .collect()
        });
        let lookup = Lookup {
            client: self.client.as_ref().map(|client| AppClient {
                client_id: &client.client_id,
                secret: client.secret.as_ref(),
                prevent_user_existence_errors: client.prevent_user_existence_errors,
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
