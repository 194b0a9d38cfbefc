//! The characters codes are made of, how long codes may be, and the normalisation a
//! submitted code goes through before it is tagged.

/// The longest code a [`Policy`](crate::Policy) may ask for.
pub const MAX_CODE_LEN: usize = 16;

/// The longest submitted code, in bytes, that can match: four times the longest code a
/// policy issues, room for any hyphenation of a Crockford code. A longer submission never
/// matches, whatever it normalizes to, so no layer that keeps only part of a long value
/// (a bounded wire decoder, say) can turn it into a match.
pub const MAX_SUBMITTED_CODE_LEN: usize = 4 * MAX_CODE_LEN;

/// The characters a code is made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[expect(
    clippy::exhaustive_enums,
    reason = "a new alphabet changes stored tags' meaning and should be a breaking change"
)]
pub enum Alphabet {
    /// `0`–`9`, what Cognito sends (3.32 bits per character).
    Digits,
    /// Crockford's base32, `0`–`9` and `A`–`Z` without `I L O U` (5 bits per character).
    ///
    /// Submitted codes are read leniently, as Crockford specifies: lower case is accepted,
    /// `O` reads as `0`, `I` and `L` read as `1`, and hyphens are ignored.
    CrockfordBase32,
}

impl Alphabet {
    /// The symbols, in the order generation maps values onto them.
    #[must_use]
    pub const fn symbols(self) -> &'static [u8] {
        match self {
            Self::Digits => b"0123456789",
            Self::CrockfordBase32 => b"0123456789ABCDEFGHJKMNPQRSTVWXYZ",
        }
    }

    /// How many symbols the alphabet has.
    #[must_use]
    pub const fn size(self) -> u16 {
        match self {
            Self::Digits => 10,
            Self::CrockfordBase32 => 32,
        }
    }

    /// The canonical byte a submitted byte stands for, or `None` if it is ignored.
    /// Bytes outside the alphabet pass through unchanged, so they simply fail to match.
    pub(crate) const fn normalize(self, byte: u8) -> Option<u8> {
        match (self, byte.to_ascii_uppercase()) {
            (Self::Digits, _) => Some(byte),
            (Self::CrockfordBase32, b'-') => None,
            (Self::CrockfordBase32, b'O') => Some(b'0'),
            (Self::CrockfordBase32, b'I' | b'L') => Some(b'1'),
            (Self::CrockfordBase32, upper) => Some(upper),
        }
    }
}
