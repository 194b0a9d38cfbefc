//! The settings of pools in the service's JSON shapes, as `CreateUserPool` takes them and
//! `DescribeUserPool` shows them (stored as such): policies, triggers, attribute lists. An
//! app client's are in `client_settings`.

use confirmation_flow::cognito::AttributeSet;
use serde::{Deserialize, Serialize};

/// A pool's settings, as `CreateUserPool` takes and `DescribeUserPool` shows them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PoolSettings {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub auto_verified_attributes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alias_attributes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub username_attributes: Vec<String>,
    #[serde(default)]
    pub policies: Policies,
    #[serde(default)]
    pub lambda_config: LambdaConfig,
}

/// `Policies`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Policies {
    #[serde(default = "PasswordPolicy::service_default")]
    pub password_policy: PasswordPolicy,
}

/// A pool made without `Policies` (the config file's included) gets the service's default.
impl Default for Policies {
    fn default() -> Self {
        Self {
            password_policy: PasswordPolicy::service_default(),
        }
    }
}

/// `Policies.PasswordPolicy`. A member left out of a given policy is off (a length of 8, 7
/// days); a pool created without one gets the service's default, everything required.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "the service's PasswordPolicyType, member for member"
)]
pub struct PasswordPolicy {
    pub minimum_length: u32,
    pub require_uppercase: bool,
    pub require_lowercase: bool,
    pub require_numbers: bool,
    pub require_symbols: bool,
    pub temporary_password_validity_days: u32,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            minimum_length: 8,
            require_uppercase: false,
            require_lowercase: false,
            require_numbers: false,
            require_symbols: false,
            temporary_password_validity_days: 7,
        }
    }
}

impl PasswordPolicy {
    /// The service's default: at least 8 characters, of all four kinds.
    #[must_use]
    pub fn service_default() -> Self {
        Self {
            require_uppercase: true,
            require_lowercase: true,
            require_numbers: true,
            require_symbols: true,
            ..Self::default()
        }
    }
}

/// `LambdaConfig`: of the triggers, `PostConfirmation`, an `http://` URL here.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LambdaConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_confirmation: Option<String>,
}

/// The set of attributes `names` names (a pool's `AutoVerifiedAttributes`, `AliasAttributes`
/// or `UsernameAttributes`, or their config file forms), parsed by the crate.
///
/// # Errors
/// A message naming `field` and the name that is not `email` or `phone_number`.
pub fn attribute_set(field: &str, names: &[String]) -> Result<AttributeSet, String> {
    AttributeSet::from_names(names.iter().map(String::as_str))
        .map_err(|name| format!("{field} may hold only email and phone_number, not {name:?}"))
}
