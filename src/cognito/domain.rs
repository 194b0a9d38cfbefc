//! The user pool's vocabulary: user statuses, the attributes a code verifies, and the
//! sets of them a pool auto-verifies or uses as aliases.

use core::fmt;

#[cfg(doc)]
use super::pattern::Pattern;
use super::pattern::username_char;

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

/// What each byte may be in an email address, one flag a use: [`LOCAL`], [`DOMAIN`].
const EMAIL_BYTES: [u8; 256] = email_bytes();
/// The byte may be in the local part: a graphic ASCII character but `"`, `\`, `(`, `)`,
/// `,`, `:`, `;`, `<`, `>`, `[`, `]` (quoting and comments) and `@`, or a byte of a
/// multi-byte character (>= 0x80, which the characters' table decides).
const LOCAL: u8 = 1;
/// The byte may be in the domain: a graphic ASCII character but `@`, or >= 0x80.
const DOMAIN: u8 = 2;

const fn email_bytes() -> [u8; 256] {
    let mut table = [0; 256];
    let mut rest: &mut [u8] = &mut table;
    let mut byte: u8 = 0;
    while let [slot, tail @ ..] = rest {
        *slot = if byte >= 0x80 {
            LOCAL | DOMAIN
        } else if !byte.is_ascii_graphic() || byte == b'@' {
            0
        } else if matches!(
            byte,
            b'"' | b'\\' | b'(' | b')' | b',' | b':' | b';' | b'<' | b'>' | b'[' | b']'
        ) {
            DOMAIN
        } else {
            LOCAL | DOMAIN
        };
        byte = byte.wrapping_add(1);
        rest = tail;
    }
    table
}

/// [`AliasAttribute::accepts`] for `email`: one pass over the bytes, a table look-up a
/// byte, and the characters' table only for an address with non-ASCII characters.
fn is_email(value: &str) -> bool {
    let class = |b: u8| EMAIL_BYTES.get(usize::from(b)).copied().unwrap_or(0);
    let bytes = value.as_bytes();
    let Some((local, domain)) = bytes
        .iter()
        .position(|&b| b == b'@')
        .and_then(|at| bytes.split_at_checked(at))
        .and_then(|(local, at_domain)| Some((local, at_domain.get(1..)?)))
    else {
        return false;
    };
    let local_ok = (1..=64).contains(&local.len()) && local.iter().all(|&b| class(b) & LOCAL != 0);
    // Labels: no dot first, last or after a dot; an empty domain ends "after a dot" too.
    let mut previous = b'.';
    let domain_ok = domain.len() <= 255
        && domain.iter().all(|&b| {
            let ok = class(b) & DOMAIN != 0 && !(b == b'.' && previous == b'.');
            previous = b;
            ok
        })
        && previous != b'.';
    local_ok && domain_ok && (value.is_ascii() || email_chars(value))
}

/// Whether U+200C (ZWNJ) or U+200D (ZWJ).
const fn is_joiner(c: char) -> bool {
    matches!(c, '\u{200c}' | '\u{200d}')
}

/// [`Pattern::Username`]'s characters, and a joiner right after a non-ASCII character that
/// is not one: never after ASCII, so `vic\u{200c}tim` cannot respell `victim`.
fn email_chars(value: &str) -> bool {
    let mut previous = '@';
    value.chars().all(|c| {
        let ok = if is_joiner(c) {
            !previous.is_ascii() && !is_joiner(previous)
        } else {
            username_char(c)
        };
        previous = c;
        ok
    })
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
