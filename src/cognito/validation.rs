//! Field validation exactly as the service model constrains each member, and the
//! service's `N validation errors detected: …` message.

use core::fmt;

use super::pattern::{Pattern, is_java_space};

/// How many violations one request can report (every member can break at most two rules).
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
}

impl Member {
    /// The name the service uses in messages (lowerCamelCase), e.g. `confirmationCode`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ClientId => "clientId",
            Self::SecretHash => "secretHash",
            Self::Username => "username",
            Self::ConfirmationCode => "confirmationCode",
            Self::UserPoolId => "userPoolId",
            Self::Session => "session",
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
        let member = self.member.as_str();
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
}

impl ValidationErrors {
    /// The broken rules.
    #[must_use]
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// Whether nothing was broken.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.violations.is_empty()
    }

    fn push(&mut self, member: Member, constraint: Constraint) {
        // Capacity covers two rules for every member of the largest request.
        let _ = self.violations.push(Violation { member, constraint });
    }

    /// `Ok(())` when nothing was broken, else these errors.
    pub(crate) fn into_result(self) -> Result<(), Self> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }

    /// Checks `value` against `shape`, recording what it breaks.
    pub(crate) fn check(&mut self, shape: Shape, value: Option<&str>) {
        self.check_known(shape, value.map(|text| (text, Facts::of(text))));
    }

    /// Checks a value known by `facts` (a wire body may keep only a prefix of a long
    /// value, with the facts of the whole of it); `text` is what was kept.
    pub(crate) fn check_known(&mut self, shape: Shape, value: Option<(&str, Facts)>) {
        let Some((text, facts)) = value else {
            if shape.required {
                self.push(shape.member, Constraint::NotNull);
            }
            return;
        };
        if facts.chars < usize::from(shape.min) {
            self.push(shape.member, Constraint::MinLength(shape.min));
        }
        if facts.chars > usize::from(shape.max) {
            self.push(shape.member, Constraint::MaxLength(shape.max));
        }
        let matches = |pattern: Pattern| match pattern {
            Pattern::NonSpace => !facts.java_space,
            pattern => pattern.matches(text),
        };
        if let Some(pattern) = shape.pattern
            && facts.chars > 0
            && !matches(pattern)
        {
            self.push(shape.member, Constraint::Pattern(pattern));
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
        match self.violations.len() {
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
    pub(crate) member: Member,
    pub(crate) required: bool,
    pub(crate) min: u16,
    pub(crate) max: u16,
    pub(crate) pattern: Option<Pattern>,
}

/// `ClientIdType`.
pub(crate) const CLIENT_ID: Shape = Shape {
    member: Member::ClientId,
    required: true,
    min: 1,
    max: 128,
    pattern: Some(Pattern::Word),
};
/// `SecretHashType`.
pub(crate) const SECRET_HASH: Shape = Shape {
    member: Member::SecretHash,
    required: false,
    min: 1,
    max: 128,
    pattern: Some(Pattern::SecretHash),
};
/// `UsernameType`.
pub(crate) const USERNAME: Shape = Shape {
    member: Member::Username,
    required: true,
    min: 1,
    max: 128,
    pattern: Some(Pattern::Username),
};
/// `ConfirmationCodeType`.
pub(crate) const CONFIRMATION_CODE: Shape = Shape {
    member: Member::ConfirmationCode,
    required: true,
    min: 1,
    max: 2048,
    pattern: Some(Pattern::NonSpace),
};
/// `UserPoolIdType`.
pub(crate) const USER_POOL_ID: Shape = Shape {
    member: Member::UserPoolId,
    required: true,
    min: 1,
    max: 55,
    pattern: Some(Pattern::UserPoolId),
};
/// `SessionType`.
pub(crate) const SESSION: Shape = Shape {
    member: Member::Session,
    required: false,
    min: 20,
    max: 2048,
    pattern: None,
};
