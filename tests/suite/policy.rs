//! `Policy` defaults and validation.

use core::time::Duration;

use confirmation_flow::{Alphabet, Policy, PolicyConfig, PolicyError};

fn with(change: impl FnOnce(&mut PolicyConfig)) -> Result<Policy, PolicyError> {
    let mut config = PolicyConfig::COGNITO;
    change(&mut config);
    Policy::new(config)
}

#[test]
fn cognito_defaults() {
    let policy = Policy::default();
    assert_eq!(policy, Policy::new(PolicyConfig::COGNITO).unwrap());
    assert_eq!(policy.code_ttl(), Duration::from_secs(24 * 3600));
    assert_eq!(policy.code_length(), 6);
    assert_eq!(policy.alphabet(), Alphabet::Digits);
    assert_eq!(policy.attempts_per_code(), 5);
    assert_eq!(policy.submissions_per_window(), 15);
    assert_eq!(policy.resends_per_window(), 5);
    assert_eq!(policy.window(), Duration::from_secs(3600));
}

#[test]
fn six_digits_is_the_smallest_code_space_accepted() {
    assert!(with(|c| c.code_length = 6).is_ok());
    assert_eq!(
        with(|c| c.code_length = 5),
        Err(PolicyError::CodeSpaceTooSmall)
    );
    let base32 =
        |length| with(|c| (c.alphabet, c.code_length) = (Alphabet::CrockfordBase32, length));
    assert!(base32(4).is_ok(), "2^20 codes");
    assert_eq!(base32(3), Err(PolicyError::CodeSpaceTooSmall));
}

#[test]
fn out_of_range_fields_are_rejected_with_their_own_error() {
    type Case = (fn(&mut PolicyConfig), PolicyError);
    let cases: [Case; 12] = [
        (
            |c| c.code_ttl = Duration::ZERO,
            PolicyError::CodeTtlOutOfRange,
        ),
        (
            |c| c.code_ttl = Duration::from_millis(999),
            PolicyError::CodeTtlOutOfRange,
        ),
        (
            |c| c.code_ttl = Duration::from_secs(30 * 86_400 + 1),
            PolicyError::CodeTtlOutOfRange,
        ),
        (|c| c.code_length = 0, PolicyError::CodeLengthOutOfRange),
        (|c| c.code_length = 17, PolicyError::CodeLengthOutOfRange),
        (|c| c.attempts_per_code = 0, PolicyError::AttemptsOutOfRange),
        (
            |c| c.attempts_per_code = 21,
            PolicyError::AttemptsOutOfRange,
        ),
        (
            |c| c.submissions_per_window = 16,
            PolicyError::SubmissionsOutOfRange,
        ),
        (|c| c.resends_per_window = 0, PolicyError::ResendsOutOfRange),
        (|c| c.resends_per_window = 6, PolicyError::ResendsOutOfRange),
        (|c| c.window = Duration::ZERO, PolicyError::WindowOutOfRange),
        (
            |c| c.window = Duration::from_secs(7 * 86_400 + 1),
            PolicyError::WindowOutOfRange,
        ),
    ];
    for (change, error) in cases {
        assert_eq!(with(change), Err(error));
        assert!(!error.to_string().is_empty());
    }
}

#[test]
fn the_widest_allowed_policy_is_accepted() {
    let widest = with(|c| {
        c.code_ttl = Duration::from_secs(30 * 86_400);
        c.code_length = 16;
        c.alphabet = Alphabet::CrockfordBase32;
        c.attempts_per_code = 20;
        c.window = Duration::from_secs(7 * 86_400);
    });
    assert!(widest.is_ok());
}
