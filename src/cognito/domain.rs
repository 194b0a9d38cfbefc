//! The user pool's vocabulary: user statuses, the attributes a code verifies, and the
//! sets of them a pool auto-verifies or uses as aliases.

use core::fmt;

use super::email::is_email;
#[cfg(doc)]
use super::pattern::Pattern;

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
    /// Both attributes, in the order the service lists them.
    pub const ALL: [Self; 2] = [Self::Email, Self::PhoneNumber];

    /// The attribute named `name` (`email` or `phone_number`, as the service spells it).
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|attribute| attribute.as_str() == name)
    }

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

    /// Whether `value` is a value of this attribute that `SignUp` accepts, as the service
    /// refuses malformed ones with `InvalidParameterException` (`Invalid email address
    /// format.`, aws-amplify/amplify-js#5313; `Invalid phone number format.`,
    /// dabit3/gatsby-auth-starter-aws-amplify#31 and
    /// amazon-archives/amazon-cognito-identity-js#316).
    ///
    /// - `phone_number`: E.164, `+`, a digit 1 to 9, then 1 to 14 more ASCII digits, and
    ///   nothing else (no spaces, dashes, parentheses or leading zero).
    /// - `email`: every character a letter, mark, symbol, number or punctuation
    ///   ([`Pattern::Username`]: no whitespace, control or format character such as a
    ///   zero-width space), but for the joiners U+200C and U+200D (ZWNJ, ZWJ: format
    ///   characters that Persian, Malayalam and other scripts spell words with) right
    ///   after a non-ASCII character that is not a joiner (an approximation of IDNA's
    ///   CONTEXTJ rule, which asks for a virama or a joining script); exactly one `@`; a
    ///   non-empty local part of at most 64 bytes without `"`, `\`, `(`, `)`, `,`, `:`,
    ///   `;`, `<`, `>`, `[` or `]` (no quoted or commented forms); a non-empty domain of
    ///   at most 255 bytes of non-empty dot-separated labels (no leading, trailing or
    ///   doubled dot).
    ///
    /// Spaces, separators, invisible characters and quoting cannot then respell one
    /// destination, so a budget keyed on the value is not multiplied by respelling it (the
    /// server's `destinations.rs` folds what spellings are left: case, compatibility forms
    /// and `+tag`s). A scan of one short string: byte checks first, then the
    /// characters' table for non-ASCII ones only.
    #[must_use]
    pub fn accepts(self, value: &str) -> bool {
        match self {
            Self::PhoneNumber => match value.as_bytes() {
                [b'+', b'1'..=b'9', rest @ ..] => {
                    (1..=14).contains(&rest.len()) && rest.iter().all(u8::is_ascii_digit)
                }
                _ => false,
            },
            Self::Email => is_email(value),
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

    /// The set of the attributes `names` names, as a pool's `AutoVerifiedAttributes`,
    /// `AliasAttributes` or `UsernameAttributes` list them (a name given twice is once).
    ///
    /// # Errors
    /// The first name that is neither `email` nor `phone_number`.
    pub fn from_names<'n>(names: impl IntoIterator<Item = &'n str>) -> Result<Self, &'n str> {
        let mut set = Self::NONE;
        for name in names {
            match AliasAttribute::from_name(name) {
                Some(AliasAttribute::Email) => set.email = true,
                Some(AliasAttribute::PhoneNumber) => set.phone_number = true,
                None => return Err(name),
            }
        }
        Ok(set)
    }

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
