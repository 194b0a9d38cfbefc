//! Constant-time equality on fixed-size arrays, the one comparison every secret goes
//! through.

use subtle::ConstantTimeEq;

/// Constant-time equality of two byte arrays: the differences of every 64-bit word are
/// OR-ed together without a branch, the result is hidden from the optimiser, and only that
/// one word goes through `subtle`'s comparison, as `BoringSSL`'s `CRYPTO_memcmp` and
/// libsodium's `sodium_memcmp` do. (`subtle`'s slice comparison puts every byte through
/// its own barrier: the same guarantee at many times the cost.) The bytes past the last
/// whole word are folded in one by one.
///
/// Never inlined: each size is one function whose machine code `.ci/ct-disasm` reads, on
/// `x86_64` and `wasm32`, wherever it is called from.
#[inline(never)]
pub(crate) fn ct_eq<const N: usize>(a: &[u8; N], b: &[u8; N]) -> subtle::Choice {
    let ((a_words, a_tail), (b_words, b_tail)) = (a.as_chunks::<8>(), b.as_chunks::<8>());
    let mut difference = 0_u64;
    for (x, y) in a_words.iter().zip(b_words) {
        difference |= u64::from_le_bytes(*x) ^ u64::from_le_bytes(*y);
    }
    for (x, y) in a_tail.iter().zip(b_tail) {
        difference |= u64::from(x ^ y);
    }
    // The barrier keeps the optimiser from splitting the OR back into one equality test
    // per word joined by `and` (it does, on wasm32), which a JIT or a later LLVM could
    // lower to branches: the words are folded first, then compared once. `.ci/ct-disasm`
    // reads the machine code of every instance on x86_64 and wasm32.
    core::hint::black_box(difference).ct_eq(&0)
}

#[cfg(test)]
mod tests {
    use super::ct_eq;

    /// Equal arrays are equal; one bit flipped anywhere, in a whole word or in the bytes
    /// past the last one, makes them differ.
    fn check<const N: usize>() {
        let a: [u8; N] =
            core::array::from_fn(|index| u8::try_from(index % 251).unwrap_or(0) ^ 0x5a);
        assert!(bool::from(ct_eq(&a, &a)), "{N} bytes, equal");
        for index in 0..N {
            for bit in 0..8 {
                let mut b = a;
                if let Some(byte) = b.get_mut(index) {
                    *byte ^= 1 << bit;
                }
                assert!(
                    !bool::from(ct_eq(&a, &b)),
                    "{N} bytes, bit {bit} of byte {index}"
                );
            }
        }
    }

    #[test]
    fn one_flipped_bit_anywhere_is_a_difference() {
        check::<0>();
        check::<1>();
        check::<7>();
        check::<8>();
        check::<9>();
        check::<32>();
        check::<45>();
    }
}
