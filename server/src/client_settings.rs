//! An app client's settings in the service's JSON shape, as `CreateUserPoolClient` takes and
//! `DescribeUserPoolClient` shows them (stored as such): its secret, how it answers for
//! unknown users, the sign-in flows it allows, how long its sessions and tokens live.
//!
//! The checks and messages are the service's: the model's validation (`1 validation error
//! detected: …`) for a value outside a member's range or enumeration, and `Invalid range for
//! token validity.` for a token lifetime outside 5 minutes to a day (access and id tokens) or
//! an hour to ten years (refresh tokens), counted in the units given.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The flows `ExplicitAuthFlows` may name: the current `ALLOW_` names and the legacy ones.
pub const AUTH_FLOWS: &[&str] = &[
    "ADMIN_NO_SRP_AUTH",
    "CUSTOM_AUTH_FLOW_ONLY",
    "USER_PASSWORD_AUTH",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_CUSTOM_AUTH",
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
    "ALLOW_USER_AUTH",
];
/// What a client allows when it was created without `ExplicitAuthFlows`, as the service's
/// API reference says.
const DEFAULT_FLOWS: &[&str] = &[
    "ALLOW_REFRESH_TOKEN_AUTH",
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_CUSTOM_AUTH",
];
/// Each legacy flow name and the `ALLOW_` name it stands for.
const LEGACY_FLOWS: &[(&str, &str)] = &[
    ("ADMIN_NO_SRP_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH"),
    ("CUSTOM_AUTH_FLOW_ONLY", "ALLOW_CUSTOM_AUTH"),
    ("USER_PASSWORD_AUTH", "ALLOW_USER_PASSWORD_AUTH"),
];
/// `AuthSessionValidity`, in minutes: the service's range and default.
const AUTH_SESSION_MINUTES: (i64, i64, u8) = (3, 15, 3);
/// `RefreshTokenValidity`'s default, in days.
const REFRESH_TOKEN_DAYS: i64 = 30;

/// A unit of `TokenValidityUnits`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeUnit {
    Seconds,
    Minutes,
    Hours,
    Days,
}

impl TimeUnit {
    const fn seconds(self) -> i64 {
        match self {
            Self::Seconds => 1,
            Self::Minutes => 60,
            Self::Hours => 3_600,
            Self::Days => 86_400,
        }
    }
}

/// `TokenValidityUnits`: the unit of each token's validity (hours, hours and days unless
/// given).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TokenValidityUnits {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<TimeUnit>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<TimeUnit>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<TimeUnit>,
}

/// An app client's settings, as `DescribeUserPoolClient` shows them. Rows stored before a
/// member existed read as the service's default for it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ClientSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// `ENABLED` or `LEGACY`.
    pub prevent_user_existence_errors: String,
    /// As given; none means the service's default set ([`Self::allows`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub explicit_auth_flows: Vec<String>,
    /// Minutes, 3 to 15.
    #[serde(default = "default_auth_session_validity")]
    pub auth_session_validity: u8,
    /// In [`TokenValidityUnits::access_token`] (hours unless given); none: an hour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token_validity: Option<i64>,
    /// In [`TokenValidityUnits::id_token`] (hours unless given); none: an hour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token_validity: Option<i64>,
    /// In [`TokenValidityUnits::refresh_token`] (days unless given).
    #[serde(default = "default_refresh_token_validity")]
    pub refresh_token_validity: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_validity_units: Option<TokenValidityUnits>,
}

const fn default_auth_session_validity() -> u8 {
    AUTH_SESSION_MINUTES.2
}

const fn default_refresh_token_validity() -> i64 {
    REFRESH_TOKEN_DAYS
}

/// The members of `CreateUserPoolClient` these settings take, as the request gave them.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct FlowsAndLifetimes {
    #[serde(default)]
    pub explicit_auth_flows: Vec<String>,
    pub auth_session_validity: Option<i64>,
    pub access_token_validity: Option<i64>,
    pub id_token_validity: Option<i64>,
    pub refresh_token_validity: Option<i64>,
    pub token_validity_units: Option<TokenValidityUnits>,
}

impl ClientSettings {
    /// The settings of a new client.
    ///
    /// # Errors
    /// The service's message for the first member out of its range or enumeration.
    pub fn new(
        client_secret: Option<String>,
        prevent_user_existence_errors: String,
        given: FlowsAndLifetimes,
    ) -> Result<Self, String> {
        if let Some(flow) = given
            .explicit_auth_flows
            .iter()
            .find(|flow| !AUTH_FLOWS.contains(&flow.as_str()))
        {
            return Err(format!(
                "1 validation error detected: Value '[{flow}]' at 'explicitAuthFlows' failed to \
                 satisfy constraint: Member must satisfy constraint: [Member must satisfy enum \
                 value set: [{}]]",
                AUTH_FLOWS.join(", ")
            ));
        }
        let (least, most, default) = AUTH_SESSION_MINUTES;
        let auth_session_validity = match given.auth_session_validity {
            None => default,
            Some(minutes) => u8::try_from(in_range(minutes, "authSessionValidity", least, most)?)
                .map_err(|error| error.to_string())?,
        };
        let access = given.access_token_validity;
        let id = given.id_token_validity;
        let refresh = given.refresh_token_validity;
        for (value, member, most) in [
            (access, "accessTokenValidity", 86_400),
            (id, "idTokenValidity", 86_400),
        ] {
            if let Some(value) = value {
                in_range(value, member, 1, most)?;
            }
        }
        if let Some(value) = refresh {
            in_range(value, "refreshTokenValidity", 0, 315_360_000)?;
        }
        let settings = Self {
            client_secret,
            prevent_user_existence_errors,
            explicit_auth_flows: given.explicit_auth_flows,
            auth_session_validity,
            access_token_validity: access,
            id_token_validity: id,
            // Zero is the default, as the service reads it.
            refresh_token_validity: refresh
                .filter(|days| *days != 0)
                .unwrap_or(REFRESH_TOKEN_DAYS),
            token_validity_units: given.token_validity_units,
        };
        let [access, id, refresh] = settings.token_lifetimes();
        let minutes = |minutes: u64| Duration::from_secs(minutes * 60);
        let within = |lifetime: Duration, least, most| (least..=most).contains(&lifetime);
        if !(within(access, minutes(5), minutes(24 * 60))
            && within(id, minutes(5), minutes(24 * 60))
            && within(refresh, minutes(60), minutes(3_650 * 24 * 60)))
        {
            return Err("Invalid range for token validity.".to_owned());
        }
        Ok(settings)
    }

    /// Whether the client allows `flow` (an `ALLOW_` name): named in its
    /// `ExplicitAuthFlows`, itself or by its legacy name, or in the service's default set
    /// when it names none.
    #[must_use]
    pub fn allows(&self, flow: &str) -> bool {
        if self.explicit_auth_flows.is_empty() {
            return DEFAULT_FLOWS.contains(&flow);
        }
        self.explicit_auth_flows.iter().any(|named| {
            named == flow
                || LEGACY_FLOWS
                    .iter()
                    .any(|(legacy, allow)| named == legacy && *allow == flow)
        })
    }

    /// Whether the client allows the `InitiateAuth` flow `auth_flow` (an `AuthFlow` value,
    /// such as `USER_PASSWORD_AUTH`), by the `ALLOW_` name that stands for it.
    #[must_use]
    pub fn allows_auth_flow(&self, auth_flow: &str) -> bool {
        let allow = match auth_flow {
            "USER_SRP_AUTH" => "ALLOW_USER_SRP_AUTH",
            "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => "ALLOW_REFRESH_TOKEN_AUTH",
            "CUSTOM_AUTH" => "ALLOW_CUSTOM_AUTH",
            "ADMIN_NO_SRP_AUTH" | "ADMIN_USER_PASSWORD_AUTH" => "ALLOW_ADMIN_USER_PASSWORD_AUTH",
            "USER_PASSWORD_AUTH" => "ALLOW_USER_PASSWORD_AUTH",
            "USER_AUTH" => "ALLOW_USER_AUTH",
            _ => return false,
        };
        self.allows(allow)
    }

    /// How long the client's sessions live when it hands them out (`ALLOW_USER_AUTH`).
    #[must_use]
    pub fn auth_sessions(&self) -> Option<Duration> {
        self.allows("ALLOW_USER_AUTH")
            .then(|| Duration::from_secs(u64::from(self.auth_session_validity) * 60))
    }

    /// The access, id and refresh tokens' lifetimes.
    #[must_use]
    pub fn token_lifetimes(&self) -> [Duration; 3] {
        let units = self.token_validity_units.unwrap_or_default();
        let lifetime = |value: Option<i64>, unit: Option<TimeUnit>, default_unit: TimeUnit| {
            let seconds = value.map_or(3_600, |value| {
                value.saturating_mul(unit.unwrap_or(default_unit).seconds())
            });
            Duration::from_secs(seconds.unsigned_abs())
        };
        [
            lifetime(
                self.access_token_validity,
                units.access_token,
                TimeUnit::Hours,
            ),
            lifetime(self.id_token_validity, units.id_token, TimeUnit::Hours),
            lifetime(
                Some(self.refresh_token_validity),
                units.refresh_token,
                TimeUnit::Days,
            ),
        ]
    }
}

/// `value`, or the model's message when it is outside `least..=most`.
pub(crate) fn in_range(value: i64, member: &str, least: i64, most: i64) -> Result<i64, String> {
    let bound = if value < least {
        format!("greater than or equal to {least}")
    } else if value > most {
        format!("less than or equal to {most}")
    } else {
        return Ok(value);
    };
    Err(format!(
        "1 validation error detected: Value '{value}' at '{member}' failed to satisfy \
         constraint: Member must have value {bound}"
    ))
}

impl std::fmt::Debug for ClientSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientSettings")
            .field(
                "client_secret",
                crate::redact::optional(self.client_secret.as_ref()),
            )
            .field(
                "prevent_user_existence_errors",
                &self.prevent_user_existence_errors,
            )
            .field("explicit_auth_flows", &self.explicit_auth_flows)
            .field("auth_session_validity", &self.auth_session_validity)
            .field("access_token_validity", &self.access_token_validity)
            .field("id_token_validity", &self.id_token_validity)
            .field("refresh_token_validity", &self.refresh_token_validity)
            .field("token_validity_units", &self.token_validity_units)
            .finish()
    }
}
