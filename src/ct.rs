//! Constant-time equality on fixed-size arrays, the one comparison every secret goes
//! through.

use subtle::ConstantTimeEq;

/// Constant-time equality of two byte arrays, compared as 64-bit words through `subtle`
/// (its byte-wise comparison hides every byte from the optimiser separately, five times the
/// work; words are as opaque and as branch-free). A trailing partial word is zero-padded.
pub(crate) fn ct_eq<const N: usize>(a: &[u8; N], b: &[u8; N]) -> subtle::Choice {
    let word = |chunk: &[u8]| {
        let mut bytes = [0_u8; 8];
        bytes
            .iter_mut()
            .zip(chunk)
            .for_each(|(slot, byte)| *slot = *byte);
        u64::from_le_bytes(bytes)
    };
    a.chunks(8)
        .zip(b.chunks(8))
        .fold(subtle::Choice::from(1), |equal, (x, y)| {
            equal & word(x).ct_eq(&word(y))
        })
}
