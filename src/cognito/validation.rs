//! Field validation exactly as the service model constrains each member, and the
//! service's `N validation errors detected: …` message.

use core::fmt;

use super::pattern::{Pattern, is_java_space};

/// How many violations one message lists; [`ValidationErrors::count`] counts them all.
pub const MAX_VIOLATIONS: usize = 16;

/// A request member that has constraints in the service model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Member {
    /// `ClientId`.
    ClientId,
    /// `SecretHash`.
    SecretHash,
    /// `Username`.
    Username,
    /// `ConfirmationCode`.
    ConfirmationCode,
    /// `UserPoolId`.
    UserPoolId,
    /// `Session`.
    Session,
    /// `Password`.
    Password,
    /// A member of an entry of `UserAttributes`.
    UserAttribute {
        /// The entry's position, counted from 1 as the service counts.
        position: u16,
        /// `Name` or `Value`.
        part: AttributePart,
    },
    /// A member of an entry of `ValidationData`.
    ValidationData {
        /// The entry's position, counted from 1.
        position: u16,
        /// `Name` or `Value`.
        part: AttributePart,
    },
}

/// The members of an `AttributeType` entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[expect(
    clippy::exhaustive_enums,
    reason = "AttributeType has exactly these two members"
)]
pub enum AttributePart {
    /// `Name`.
    Name,
    /// `Value`.
    Value,
}

impl fmt::Display for Member {
    /// The path the service names in messages (lowerCamelCase), e.g. `confirmationCode` or
    /// `userAttributes.1.member.value`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let part = |part: AttributePart| match part {
            AttributePart::Name => "name",
            AttributePart::Value => "value",
        };
        match *self {
            Self::ClientId => f.write_str("clientId"),
            Self::SecretHash => f.write_str("secretHash"),
            Self::Username => f.write_str("username"),
            Self::ConfirmationCode => f.write_str("confirmationCode"),
            Self::UserPoolId => f.write_str("userPoolId"),
            Self::Session => f.write_str("session"),
            Self::Password => f.write_str("password"),
            Self::UserAttribute { position, part: p } => {
                write!(f, "userAttributes.{position}.member.{}", part(p))
            }
            Self::ValidationData { position, part: p } => {
                write!(f, "validationData.{position}.member.{}", part(p))
            }
        }
    }
}

/// A rule of the service model that a member broke.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Constraint {
    /// A required member is absent.
    NotNull,
    /// Shorter than the minimum (in Unicode scalar values).
    MinLength(u16),
    /// Longer than the maximum (in Unicode scalar values).
    MaxLength(u16),
    /// Not matched by the pattern.
    Pattern(Pattern),
}

/// One broken rule: which member and which rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Violation {
    /// The member.
    pub member: Member,
    /// The rule it broke.
    pub constraint: Constraint,
}

impl fmt::Display for Violation {
    /// `Value at 'member' failed to satisfy constraint: …`. Values are never echoed, so a
    /// secret or a code cannot leak through an error message or a log of one.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let member = self.member;
        match self.constraint {
            Constraint::NotNull => write!(
                f,
                "Value null at '{member}' failed to satisfy constraint: Member must not be null"
            ),
            Constraint::MinLength(min) => write!(
                f,
                "Value at '{member}' failed to satisfy constraint: \
                 Member must have length greater than or equal to {min}"
            ),
            Constraint::MaxLength(max) => write!(
                f,
                "Value at '{member}' failed to satisfy constraint: \
                 Member must have length less than or equal to {max}"
            ),
            Constraint::Pattern(pattern) => write!(
                f,
                "Value at '{member}' failed to satisfy constraint: \
                 Member must satisfy regular expression pattern: {}",
                pattern.as_str()
            ),
        }
    }
}

/// Every rule a request broke, in member order. `Display` is the service's message.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ValidationErrors {
    violations: heapless::Vec<Violation, MAX_VIOLATIONS>,
    count: usize,
}

impl ValidationErrors {
    /// The broken rules, the first [`MAX_VIOLATIONS`] of them.
    #[must_use]
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// How many rules were broken (a request with long attribute lists can break more
    /// than [`MAX_VIOLATIONS`]; the message counts them all and lists the first ones).
    #[must_use]
    pub const fn count(&self) -> usize {
        self.count
    }

    /// Whether nothing was broken.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.count == 0
    }

    fn push(&mut self, member: Member, constraint: Constraint) {
        self.count = self.count.saturating_add(1);
        let _ = self.violations.push(Violation { member, constraint });
    }

    /// `Ok(())` when nothing was broken, else these errors.
    pub(crate) fn into_result(self) -> Result<(), Self> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }

    /// Checks a value known by `facts` (a wire body may keep only a prefix of a long
    /// value, with the facts of the whole of it); `text` is what was kept.
    pub(crate) fn check(&mut self, member: Member, shape: Shape, value: Option<(&str, Facts)>) {
        let Some((text, facts)) = value else {
            if shape.required {
                self.push(member, Constraint::NotNull);
            }
            return;
        };
        if facts.chars < usize::from(shape.min) {
            self.push(member, Constraint::MinLength(shape.min));
        }
        if facts.chars > usize::from(shape.max) {
            self.push(member, Constraint::MaxLength(shape.max));
        }
        let matches = |pattern: Pattern| match pattern {
            Pattern::NonSpace => !facts.java_space,
            pattern => pattern.matches(text),
        };
        if let Some(pattern) = shape.pattern
            && facts.chars > 0
            && !matches(pattern)
        {
            self.push(member, Constraint::Pattern(pattern));
        }
    }
}

/// What validation needs to know about a whole value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Facts {
    /// Length in Unicode scalar values.
    pub(crate) chars: usize,
    /// Whether it holds a character of Java's `\s`.
    pub(crate) java_space: bool,
}

impl Facts {
    pub(crate) fn of(text: &str) -> Self {
        // Java's whitespace is all ASCII, so a byte scan finds it in any UTF-8 text.
        let java_space = text.bytes().any(|byte| is_java_space(char::from(byte)));
        let chars = if text.is_ascii() {
            text.len()
        } else {
            text.chars().count()
        };
        Self { chars, java_space }
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.count {
            1 => f.write_str("1 validation error detected: ")?,
            n => write!(f, "{n} validation errors detected: ")?,
        }
        for (index, violation) in self.violations.iter().enumerate() {
            if index > 0 {
                f.write_str("; ")?;
            }
            violation.fmt(f)?;
        }
        Ok(())
    }
}

/// A member's constraints in the service model.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Shape {
    pub(crate) required: bool,
    pub(crate) min: u16,
    pub(crate) max: u16,
    pub(crate) pattern: Option<Pattern>,
}

impl Shape {
    const fn new(required: bool, min: u16, max: u16, pattern: Option<Pattern>) -> Self {
        Self {
            required,
            min,
            max,
            pattern,
        }
    }
}

/// `ClientIdType`, required.
pub(crate) const CLIENT_ID: Shape = Shape::new(true, 1, 128, Some(Pattern::Word));
/// `SecretHashType`.
pub(crate) const SECRET_HASH: Shape = Shape::new(false, 1, 128, Some(Pattern::SecretHash));
/// `UsernameType`, required.
pub(crate) const USERNAME: Shape = Shape::new(true, 1, 128, Some(Pattern::Username));
/// `ConfirmationCodeType`, required.
pub(crate) const CONFIRMATION_CODE: Shape = Shape::new(true, 1, 2048, Some(Pattern::NonSpace));
/// `UserPoolIdType`, required.
pub(crate) const USER_POOL_ID: Shape = Shape::new(true, 1, 55, Some(Pattern::UserPoolId));
/// `SessionType`.
pub(crate) const SESSION: Shape = Shape::new(false, 20, 2048, None);
/// `PasswordType` (optional: passwordless pools sign up without one).
pub(crate) const PASSWORD: Shape = Shape::new(false, 0, 256, Some(Pattern::NonSpace));
/// `AttributeNameType`, required in every entry (the Smithy model's pattern).
pub(crate) const ATTRIBUTE_NAME: Shape = Shape::new(true, 1, 32, Some(Pattern::Username));
/// `AttributeValueType`.
pub(crate) const ATTRIBUTE_VALUE: Shape = Shape::new(false, 0, 2048, None);
