//! Code generation is exactly uniform over the alphabet (no modulo bias).

use confirmation_flow::{Alphabet, Code, EntropyExhausted, Policy, PolicyConfig};

fn policy(alphabet: Alphabet, code_length: u8) -> Policy {
    Policy::new(PolicyConfig {
        alphabet,
        code_length,
        ..PolicyConfig::COGNITO
    })
    .unwrap()
}

/// Exact, not statistical: a code drawn from 32 copies of byte `b` is `b`'s symbol
/// repeated, or exhausted. Over all 256 bytes every symbol must have the same number of
/// preimages — the definition of "no modulo bias" for a per-byte sampler.
fn preimages_per_symbol(alphabet: Alphabet, length: u8) -> (Vec<usize>, usize) {
    let policy = policy(alphabet, length);
    let symbols = alphabet.symbols();
    let mut counts = vec![0; symbols.len()];
    let mut exhausted = 0;
    for byte in 0..=255_u8 {
        match Code::generate(&policy, &[byte; 32]) {
            Ok(code) => {
                let first = code.as_str().as_bytes()[0];
                assert!(code.as_str().bytes().all(|symbol| symbol == first));
                counts[symbols.iter().position(|&s| s == first).unwrap()] += 1;
            }
            Err(EntropyExhausted { .. }) => exhausted += 1,
        }
    }
    (counts, exhausted)
}

#[test]
fn every_digit_has_exactly_25_preimages_and_6_bytes_are_rejected() {
    let (counts, exhausted) = preimages_per_symbol(Alphabet::Digits, 6);
    assert_eq!(counts, vec![25; 10]);
    assert_eq!(exhausted, 6);
}

#[test]
fn every_base32_symbol_has_exactly_8_preimages_and_none_are_rejected() {
    let (counts, exhausted) = preimages_per_symbol(Alphabet::CrockfordBase32, 4);
    assert_eq!(counts, vec![8; 32]);
    assert_eq!(exhausted, 0);
}

/// Pearson's chi-squared over every position of many codes from a hash stream.
fn chi_squared(alphabet: Alphabet, length: u8, draws: u32) -> Vec<f64> {
    let policy = policy(alphabet, length);
    let symbols = alphabet.symbols();
    let mut counts = vec![vec![0_u32; symbols.len()]; usize::from(length)];
    for seed in 0..draws {
        let code = Code::generate(&policy, &crate::common::entropy(seed)).unwrap();
        for (position, symbol) in code.as_str().bytes().enumerate() {
            counts[position][symbols.iter().position(|&s| s == symbol).unwrap()] += 1;
        }
    }
    let expected = f64::from(draws) / f64::from(u32::try_from(symbols.len()).unwrap());
    counts
        .iter()
        .map(|row| {
            row.iter()
                .map(|&n| (f64::from(n) - expected).powi(2) / expected)
                .sum()
        })
        .collect()
}

#[test]
fn digits_are_uniform_at_every_position() {
    // 9 degrees of freedom: 27.88 is the 0.999 quantile. The seeds are fixed, so this is
    // deterministic. It guards the wiring (a stuck or repeated position scores in the
    // thousands); the small bias of a plain `% 10` is what the exact preimage test catches.
    for (position, score) in chi_squared(Alphabet::Digits, 6, 50_000)
        .into_iter()
        .enumerate()
    {
        assert!(score < 27.88, "position {position}: chi² = {score}");
    }
}

#[test]
fn base32_symbols_are_uniform_at_every_position() {
    // 31 degrees of freedom: 61.10 is the 0.999 quantile.
    for (position, score) in chi_squared(Alphabet::CrockfordBase32, 8, 50_000)
        .into_iter()
        .enumerate()
    {
        assert!(score < 61.10, "position {position}: chi² = {score}");
    }
}

#[test]
fn alphabet_sizes_match_their_symbols() {
    for alphabet in [Alphabet::Digits, Alphabet::CrockfordBase32] {
        assert_eq!(usize::from(alphabet.size()), alphabet.symbols().len());
    }
    assert!(
        !Alphabet::CrockfordBase32
            .symbols()
            .iter()
            .any(|s| b"ILOU".contains(s))
    );
}
