//! Stored state is untrusted input: loading re-checks every invariant and names what broke.

use crate::common::{SUBJECT, T0, at, entropy, issued, key, wrong};
use confirmation_flow::{Confirmation, Policy, StateError, Status, StoredState};

const P: &Policy = &Policy::COGNITO;

/// A state with something in every field: two wrong codes, a resend, one more wrong code.
fn busy() -> Confirmation {
    let (state, code) = issued();
    let state = state
        .submit(P, &key(), SUBJECT, &wrong(&code), at(10))
        .state;
    let state = state
        .submit(P, &key(), SUBJECT, &wrong(&code), at(20))
        .state;
    let (state, code) = state
        .reissue(P, &key(), SUBJECT, at(30), &entropy(1))
        .unwrap();
    state
        .submit(P, &key(), SUBJECT, &wrong(&code), at(40))
        .state
}

fn load(change: impl FnOnce(&mut StoredState)) -> Result<Confirmation, StateError> {
    let mut stored = StoredState::from(busy());
    change(&mut stored);
    Confirmation::try_from(stored)
}

#[test]
fn a_genuine_state_round_trips_unchanged() {
    let state = busy();
    assert_eq!(Confirmation::try_from(StoredState::from(state)), Ok(state));
    let stored = StoredState::from(state);
    assert_eq!(stored.status.as_str(), "code_mismatch");
    assert_eq!(stored.last_changed_at, T0.as_unix_seconds() + 40);
    assert_eq!(stored.submission_ages.as_slice(), &[30, 20, 0]);
    assert_eq!(stored.resend_ages.as_slice(), &[10]);
}

#[test]
fn a_loaded_state_keeps_working() {
    let (state, code) = issued();
    let loaded = Confirmation::try_from(StoredState::from(state)).unwrap();
    assert!(
        loaded
            .submit(P, &key(), SUBJECT, code.as_str(), at(60))
            .is_confirmed()
    );
}

#[test]
fn unknown_status_is_rejected() {
    let error = load(|s| s.status = "approved".try_into().unwrap());
    assert_eq!(error, Err(StateError::UnknownStatus));
    let upper = load(|s| s.status = "CONFIRMED".try_into().unwrap());
    assert_eq!(upper, Err(StateError::UnknownStatus));
}

#[test]
fn malformed_tags_are_rejected() {
    let short = load(|s| s.tag.truncate(62));
    assert_eq!(short, Err(StateError::MalformedTag));
    let upper = load(|s| s.tag = s.tag.to_ascii_uppercase().as_str().try_into().unwrap());
    assert_eq!(upper, Err(StateError::MalformedTag));
    let not_hex = load(|s| s.tag = "g".repeat(64).as_str().try_into().unwrap());
    assert_eq!(not_hex, Err(StateError::MalformedTag));
    let short_replaced = load(|s| s.replaced_tag.truncate(15));
    assert_eq!(short_replaced, Err(StateError::MalformedTag));
}

#[test]
fn deadline_before_issue_is_rejected() {
    let error = load(|s| s.expires_at = s.issued_at - 1);
    assert_eq!(error, Err(StateError::DeadlineBeforeIssue));
}

#[test]
fn a_lifetime_longer_than_any_policy_allows_is_rejected() {
    let error = load(|s| s.expires_at = s.issued_at + 30 * 86_400 + 1);
    assert_eq!(error, Err(StateError::LifetimeTooLong));
}

#[test]
fn counters_over_any_budget_are_rejected() {
    assert_eq!(
        load(|s| s.attempts = 21),
        Err(StateError::AttemptsOverBudget)
    );
    assert_eq!(
        load(|s| s.attempts = 255),
        Err(StateError::AttemptsOverBudget)
    );
}

#[test]
fn times_out_of_order_are_rejected() {
    let unsorted = load(|s| s.submission_ages.swap(0, 2));
    assert_eq!(unsorted, Err(StateError::ClockOutOfOrder));
    let changed_before_issue = load(|s| s.last_changed_at = s.issued_at - 1);
    assert_eq!(changed_before_issue, Err(StateError::ClockOutOfOrder));
}

#[test]
fn window_entries_older_than_any_window_are_rejected() {
    let ancient = load(|s| s.resend_ages[0] = 7 * 86_400);
    assert_eq!(ancient, Err(StateError::WindowEntryTooOld));
    assert!(load(|s| s.resend_ages[0] = 7 * 86_400 - 1).is_ok());
}

#[test]
fn version_zero_is_rejected() {
    assert_eq!(load(|s| s.version = 0), Err(StateError::ZeroVersion));
}

#[test]
fn a_status_that_contradicts_the_counters_is_rejected() {
    let dead_without_attempts = load(|s| {
        s.status = "too_many_attempts".try_into().unwrap();
        s.attempts = 0;
    });
    assert_eq!(dead_without_attempts, Err(StateError::StatusInconsistent));
    let mismatch_without_attempts = load(|s| s.attempts = 0);
    assert_eq!(
        mismatch_without_attempts,
        Err(StateError::StatusInconsistent)
    );
    let expired_early = load(|s| s.status = "expired".try_into().unwrap());
    assert_eq!(expired_early, Err(StateError::StatusInconsistent));
}

#[test]
fn every_status_name_round_trips() {
    for status in [
        Status::Pending,
        Status::CodeMismatch,
        Status::Confirmed,
        Status::Expired,
        Status::TooManyAttempts,
    ] {
        assert_eq!(Status::from_name(status.as_str()), Some(status));
    }
}

#[test]
fn errors_say_what_broke_without_echoing_values() {
    let error = load(|s| s.attempts = 99).unwrap_err();
    assert!(error.to_string().contains("attempt"));
    assert!(!error.to_string().contains("99"));
}
