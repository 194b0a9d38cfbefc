//! The user pool a JavaScript caller configures once: settings, policy and keys, owned so a
//! crate [`Pool`] can borrow them for every request.

use alloc::{string::String, vec::Vec};
use core::time::Duration;

use confirmation_flow::{
    Alphabet, KeyId, KeyRing, Policy, PolicyConfig, ServerKey,
    cognito::{AttributeSet, Pool},
};
use serde::Deserialize;

use crate::error::Error;

/// A server key as the caller hands it over: an id and 32 secret bytes.
#[derive(Clone, Copy)]
pub struct KeyInput {
    /// The id stored with every tag the key makes.
    pub id: u32,
    /// The secret.
    pub secret: [u8; 32],
}

impl core::fmt::Debug for KeyInput {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("KeyInput")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// The pool's settings as JSON (`PoolConfig` in the TypeScript declarations), every member
/// but `keys`, whose bytes are read apart (JSON has no bytes, and a secret should not
/// become text).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Settings {
    /// The region named in trigger events.
    pub region: String,
    /// The pool's id.
    pub user_pool_id: String,
    /// `AutoVerifiedAttributes`.
    pub auto_verified_attributes: Vec<String>,
    /// `AliasAttributes` (default: none).
    #[serde(default)]
    pub alias_attributes: Vec<String>,
    /// The policy (default: Cognito's).
    #[serde(default)]
    pub policy: PolicySettings,
}

/// A policy as JSON; every member defaults to Cognito's number.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PolicySettings {
    code_ttl_seconds: Option<u64>,
    code_length: Option<u8>,
    alphabet: Option<String>,
    attempts_per_code: Option<u8>,
    submissions_per_window: Option<u8>,
    resends_per_window: Option<u8>,
    window_seconds: Option<u64>,
}

impl PolicySettings {
    /// The validated policy.
    fn policy(&self) -> Result<Policy, Error> {
        let cognito = PolicyConfig::COGNITO;
        let alphabet = match self.alphabet.as_deref() {
            None | Some("digits") => Alphabet::Digits,
            Some("crockfordBase32") => Alphabet::CrockfordBase32,
            Some(_) => {
                return Err(Error::type_error(
                    "policy.alphabet",
                    "\"digits\" or \"crockfordBase32\"",
                ));
            }
        };
        Ok(Policy::new(PolicyConfig {
            code_ttl: self
                .code_ttl_seconds
                .map_or(cognito.code_ttl, Duration::from_secs),
            code_length: self.code_length.unwrap_or(cognito.code_length),
            alphabet,
            attempts_per_code: self.attempts_per_code.unwrap_or(cognito.attempts_per_code),
            submissions_per_window: self
                .submissions_per_window
                .unwrap_or(cognito.submissions_per_window),
            resends_per_window: self
                .resends_per_window
                .unwrap_or(cognito.resends_per_window),
            window: self
                .window_seconds
                .map_or(cognito.window, Duration::from_secs),
        })?)
    }
}

/// The set of attributes named in `names`, each `email` or `phone_number` (the crate parses
/// them, as it does for every embedder).
fn attribute_set(member: &str, names: &[String]) -> Result<AttributeSet, Error> {
    AttributeSet::from_names(names.iter().map(String::as_str))
        .map_err(|_| Error::type_error(member, "\"email\" or \"phone_number\""))
}

/// A pool's settings and keys, owned; [`PoolData::pool`] lends them out as the crate's
/// [`Pool`].
#[derive(Debug)]
pub struct PoolData {
    region: String,
    user_pool_id: String,
    policy: Policy,
    current: ServerKey,
    older: Vec<ServerKey>,
    auto_verified: AttributeSet,
    aliases: AttributeSet,
}

impl PoolData {
    /// The pool from its settings and keys, every value checked.
    ///
    /// # Errors
    /// [`Error::Config`] for a policy the crate refuses or two keys with one id,
    /// [`Error::Type`] for an unknown attribute or alphabet name.
    pub fn new(settings: &Settings, current: KeyInput, older: &[KeyInput]) -> Result<Self, Error> {
        let key = |input: &KeyInput| ServerKey::new(KeyId(input.id), &input.secret);
        let data = Self {
            region: settings.region.clone(),
            user_pool_id: settings.user_pool_id.clone(),
            policy: settings.policy.policy()?,
            current: key(&current),
            older: older.iter().map(key).collect(),
            auto_verified: attribute_set(
                "autoVerifiedAttributes",
                &settings.auto_verified_attributes,
            )?,
            aliases: attribute_set("aliasAttributes", &settings.alias_attributes)?,
        };
        data.ring()?;
        Ok(data)
    }

    /// The key ring (checked once in [`Self::new`]).
    fn ring(&self) -> Result<KeyRing<'_>, Error> {
        Ok(KeyRing::new(&self.current, &self.older)?)
    }

    /// The crate's view of this pool.
    ///
    /// # Errors
    /// None in practice: the ring was checked when the pool was made.
    pub fn pool(&self) -> Result<Pool<'_>, Error> {
        Ok(Pool {
            region: &self.region,
            user_pool_id: &self.user_pool_id,
            policy: &self.policy,
            keys: self.ring()?,
            auto_verified: self.auto_verified,
            aliases: self.aliases,
        })
    }

    /// The policy.
    #[must_use]
    pub const fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The key new codes are tagged with.
    #[must_use]
    pub const fn current_key(&self) -> &ServerKey {
        &self.current
    }

    /// The pool's id.
    #[must_use]
    pub fn user_pool_id(&self) -> &str {
        &self.user_pool_id
    }
}
