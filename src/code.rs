//! One-time codes: uniform generation from caller entropy.

use core::fmt;

use crate::{Policy, alphabet::MAX_CODE_LEN, ct::ct_eq};

/// Bytes of caller entropy one code generation consumes: [`Code::generate`],
/// [`Confirmation::issue`](crate::Confirmation::issue) and
/// [`Confirmation::reissue`](crate::Confirmation::reissue) take `&[u8; ENTROPY_LEN]`
/// filled by the caller's CSPRNG.
pub const ENTROPY_LEN: usize = 32;

/// A freshly generated one-time code, to be delivered to the user and then dropped.
///
/// The crate never stores it: a [`Confirmation`](crate::Confirmation) keeps only a keyed
/// tag. `Debug` is redacted so a code cannot leak through logs, and equality is
/// constant-time.
#[derive(Clone)]
pub struct Code(heapless::String<MAX_CODE_LEN>);

/// Constant-time in the symbols: both codes are compared as fixed 16-byte arrays (their
/// lengths, which the policy fixes, are compared too).
impl PartialEq for Code {
    fn eq(&self, other: &Self) -> bool {
        let padded = |code: &Self| {
            let mut bytes = [0_u8; MAX_CODE_LEN];
            bytes
                .iter_mut()
                .zip(code.0.bytes())
                .for_each(|(slot, byte)| *slot = byte);
            bytes
        };
        let same_length = subtle::Choice::from(u8::from(self.0.len() == other.0.len()));
        bool::from(ct_eq(&padded(self), &padded(other)) & same_length)
    }
}

impl Eq for Code {}

impl Code {
    /// Draws a code of the policy's length and alphabet, uniformly, from `entropy`.
    ///
    /// # Method
    /// Each symbol consumes bytes of `entropy` in order. A byte `b` is accepted only if
    /// `b < 256 - 256 % n`, where `n` is the alphabet size, and then maps to symbol `b % n`.
    /// Every symbol therefore has exactly `(256 - 256 % n) / n` accepted preimages (25 for
    /// digits, 8 for base32), so the code is exactly uniform — no modulo bias. Digits
    /// reject 6 byte values in 256; base32 rejects none.
    ///
    /// # Errors
    /// [`EntropyExhausted`] if too many bytes were rejected to fill the code (for six
    /// digits from 32 random bytes the chance is below 10⁻³⁶). Nothing is lost: call
    /// again with fresh bytes.
    pub fn generate(
        policy: &Policy,
        entropy: &[u8; ENTROPY_LEN],
    ) -> Result<Self, EntropyExhausted> {
        let (alphabet, length) = (policy.alphabet(), usize::from(policy.code_length()));
        let size = alphabet.size();
        let accept_below = 256_u16.saturating_sub(256_u16.checked_rem(size).unwrap_or(0));
        let mut code = heapless::String::new();
        let symbols = entropy
            .iter()
            .map(|&byte| u16::from(byte))
            .filter(|&value| value < accept_below)
            .filter_map(|value| value.checked_rem(size))
            .filter_map(|index| alphabet.symbols().get(usize::from(index)));
        for &symbol in symbols.take(length) {
            code.push(char::from(symbol))
                .map_err(|_| EntropyExhausted)?;
        }
        if code.len() == length {
            Ok(Self(code))
        } else {
            Err(EntropyExhausted)
        }
    }

    /// The code as the user should see it.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Code(<redacted>)")
    }
}

/// The caller's entropy was not enough to draw a code (see [`Code::generate`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct EntropyExhausted;

impl fmt::Display for EntropyExhausted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the supplied entropy could not fill a code; retry with fresh random bytes")
    }
}

impl core::error::Error for EntropyExhausted {}
