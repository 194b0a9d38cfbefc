//! The patterns of the service model, as Java's regex engine (the service's) reads them.

use super::username_chars::BOUNDARIES;

/// The patterns of the service model, matched against the whole value as Java does
/// (`\w` and `\s` are ASCII classes there; `\p{..}` are Unicode general categories).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Pattern {
    /// `[\w+]+`
    Word,
    /// `[\w+=/]+`
    SecretHash,
    /// `[\S]+`
    NonSpace,
    /// `[\w-]+_[0-9a-zA-Z]+`
    UserPoolId,
    /// `[\p{L}\p{M}\p{S}\p{N}\p{P}]+`
    Username,
}

impl Pattern {
    /// The pattern as the service model writes it, e.g. `[\S]+`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Word => r"[\w+]+",
            Self::SecretHash => r"[\w+=/]+",
            Self::NonSpace => r"[\S]+",
            Self::UserPoolId => r"[\w-]+_[0-9a-zA-Z]+",
            Self::Username => r"[\p{L}\p{M}\p{S}\p{N}\p{P}]+",
        }
    }

    /// Whether the whole of `value` matches.
    #[must_use]
    pub fn matches(self, value: &str) -> bool {
        // The ASCII classes are checked on bytes: any byte of a multi-byte character is
        // >= 0x80 and fails them, exactly as the character would.
        let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        let bytes = value.as_bytes();
        match self {
            Self::Word => bytes.iter().all(|&b| word(b) || b == b'+'),
            Self::SecretHash => bytes
                .iter()
                .all(|&b| word(b) || matches!(b, b'+' | b'=' | b'/')),
            Self::NonSpace => !bytes.iter().any(|&b| is_java_space(char::from(b))),
            // The suffix cannot hold '_', so the separator is the last underscore.
            Self::UserPoolId => value.rsplit_once('_').is_some_and(|(prefix, suffix)| {
                !prefix.is_empty()
                    && prefix.bytes().all(|b| word(b) || b == b'-')
                    && !suffix.is_empty()
                    && suffix.bytes().all(|b| b.is_ascii_alphanumeric())
            }),
            Self::Username => value.chars().all(username_char),
        }
    }
}

/// Letters, marks, symbols, numbers and punctuation: everything but separators (spaces,
/// line and paragraph separators) and "other" (controls, format characters, surrogates,
/// private use, unassigned code points), in the Unicode version `username_chars.rs` names.
///
/// The general-category table itself would be 49 KB in every binary (a WebAssembly module
/// included) to answer one yes-or-no question; the merged runs of allowed characters are
/// 1,470 boundaries (5.9 KB), checked against the Unicode database for every scalar value
/// by `tests/suite/username_chars.rs`.
pub(crate) fn username_char(c: char) -> bool {
    // ASCII: the graphic characters are all letters, numbers, punctuation or symbols; space
    // and the controls are not. This skips the table for almost every username.
    if c.is_ascii() {
        return c.is_ascii_graphic();
    }
    // Inside a run when an odd number of boundaries are at or below `c`.
    BOUNDARIES.partition_point(|&boundary| boundary <= u32::from(c)) % 2 == 1
}

/// Java's `\s`: `[ \t\n\x0B\f\r]`. Every other character, Unicode spaces included, is `\S`.
pub(crate) const fn is_java_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r')
}
