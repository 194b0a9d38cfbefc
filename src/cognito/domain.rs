//! The user pool's vocabulary: user statuses, the attributes a code verifies, and the
//! sets of them a pool auto-verifies or uses as aliases.

use core::fmt;

/// A Cognito user status (`UserStatusType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UserStatus {
    /// Signed up, not yet confirmed.
    Unconfirmed,
    /// Confirmed.
    Confirmed,
    /// Archived.
    Archived,
    /// Compromised.
    Compromised,
    /// Unknown.
    Unknown,
    /// Must reset the password.
    ResetRequired,
    /// Created by an admin; must change the temporary password.
    ForceChangePassword,
    /// Signed in through a federated provider.
    ExternalProvider,
}

impl UserStatus {
    const ALL: [Self; 8] = [
        Self::Unconfirmed,
        Self::Confirmed,
        Self::Archived,
        Self::Compromised,
        Self::Unknown,
        Self::ResetRequired,
        Self::ForceChangePassword,
        Self::ExternalProvider,
    ];

    /// The wire name, e.g. `CONFIRMED`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Unconfirmed => "UNCONFIRMED",
            Self::Confirmed => "CONFIRMED",
            Self::Archived => "ARCHIVED",
            Self::Compromised => "COMPROMISED",
            Self::Unknown => "UNKNOWN",
            Self::ResetRequired => "RESET_REQUIRED",
            Self::ForceChangePassword => "FORCE_CHANGE_PASSWORD",
            Self::ExternalProvider => "EXTERNAL_PROVIDER",
        }
    }

    /// The status whose wire name is `name`, if any.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == name)
    }
}

impl fmt::Display for UserStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An attribute a confirmation code goes to and verifies, and that can be an alias
/// (`VerifiedAttributeType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[expect(
    clippy::exhaustive_enums,
    reason = "Cognito verifies exactly these two attributes (VerifiedAttributeType)"
)]
pub enum AliasAttribute {
    /// `email`.
    Email,
    /// `phone_number`.
    PhoneNumber,
}

impl AliasAttribute {
    /// The attribute name, `email` or `phone_number`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::PhoneNumber => "phone_number",
        }
    }

    /// The attribute that records its verification, `email_verified` or
    /// `phone_number_verified`.
    #[must_use]
    pub const fn verified_flag(self) -> &'static str {
        match self {
            Self::Email => "email_verified",
            Self::PhoneNumber => "phone_number_verified",
        }
    }

    /// `DeliveryMedium` for codes sent to it: `EMAIL` or `SMS`.
    #[must_use]
    pub const fn delivery_medium(self) -> &'static str {
        match self {
            Self::Email => "EMAIL",
            Self::PhoneNumber => "SMS",
        }
    }

    /// Whether `value` has this attribute's format, as the service reads a username:
    /// `local@domain` for an email, `+` and 1 to 15 digits (E.164) for a phone number.
    #[must_use]
    pub fn is_format_of(self, value: &str) -> bool {
        match self {
            Self::Email => value.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty() && !domain.is_empty() && !domain.contains('@')
            }),
            Self::PhoneNumber => value.strip_prefix('+').is_some_and(|digits| {
                (1..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
            }),
        }
    }
}

impl fmt::Display for AliasAttribute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of [`AliasAttribute`]s: a pool's `AutoVerifiedAttributes` or `AliasAttributes`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[expect(
    clippy::exhaustive_structs,
    reason = "one flag per AliasAttribute, and that enum is exhaustive"
)]
pub struct AttributeSet {
    /// Whether `email` is in the set.
    pub email: bool,
    /// Whether `phone_number` is in the set.
    pub phone_number: bool,
}

impl AttributeSet {
    /// Neither attribute.
    pub const NONE: Self = Self {
        email: false,
        phone_number: false,
    };
    /// Only `email`.
    pub const EMAIL: Self = Self {
        email: true,
        phone_number: false,
    };
    /// Only `phone_number`.
    pub const PHONE_NUMBER: Self = Self {
        email: false,
        phone_number: true,
    };
    /// Both attributes.
    pub const BOTH: Self = Self {
        email: true,
        phone_number: true,
    };

    /// Whether `attribute` is in the set.
    #[must_use]
    pub const fn contains(self, attribute: AliasAttribute) -> bool {
        match attribute {
            AliasAttribute::Email => self.email,
            AliasAttribute::PhoneNumber => self.phone_number,
        }
    }

    /// The attribute codes go to for a user the pool does not know (a phantom): the one a
    /// typical user of the pool has, the phone if it is auto-verified, else the email.
    #[must_use]
    pub const fn medium(self) -> Option<AliasAttribute> {
        match (self.phone_number, self.email) {
            (true, _) => Some(AliasAttribute::PhoneNumber),
            (false, true) => Some(AliasAttribute::Email),
            (false, false) => None,
        }
    }
}
