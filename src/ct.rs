//! Constant-time equality on fixed-size arrays, the one comparison every secret goes
//! through.

use subtle::ConstantTimeEq;

/// Constant-time equality of two byte arrays: the differences of every 64-bit word are
/// OR-ed together without a branch, the result is hidden from the optimiser, and only that
/// one word goes through `subtle`'s comparison, as `BoringSSL`'s `CRYPTO_memcmp` and
/// libsodium's `sodium_memcmp` do. (`subtle`'s slice comparison puts every byte through
/// its own barrier: the same guarantee at many times the cost.) A trailing partial word is
/// zero-padded.
pub(crate) fn ct_eq<const N: usize>(a: &[u8; N], b: &[u8; N]) -> subtle::Choice {
    let word = |chunk: &[u8]| {
        let mut bytes = [0_u8; 8];
        bytes
            .iter_mut()
            .zip(chunk)
            .for_each(|(slot, byte)| *slot = *byte);
        u64::from_le_bytes(bytes)
    };
    let difference = a
        .chunks(8)
        .zip(b.chunks(8))
        .fold(0_u64, |difference, (x, y)| difference | (word(x) ^ word(y)));
    // The barrier keeps the optimiser from splitting the OR back into one equality test
    // per word joined by `and` (it does, on wasm32), which a JIT or a later LLVM could
    // lower to branches: the words are folded first, then compared once.
    core::hint::black_box(difference).ct_eq(&0)
}
