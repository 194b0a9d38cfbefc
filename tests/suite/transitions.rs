//! One test per edge of the transition table (see `Confirmation::submit` for the order).

use crate::common::{DAY, HOUR, SUBJECT, T0, at, entropy, issued, key, rotated_key, wrong};
use confirmation_flow::{
    Alphabet, Confirmation, KeyId, Policy, PolicyConfig, Refusal, ServerKey, Status, StoredState,
    Timestamp,
};

const P: &Policy = &Policy::COGNITO;

fn submit(state: &Confirmation, code: &str, now: Timestamp) -> (Confirmation, Result<(), Refusal>) {
    let step = state.submit(P, &key(), SUBJECT, code, now);
    (step.state, step.outcome)
}

/// Submits `n` wrong codes one minute apart, starting one minute after T0.
fn wrong_times(n: u64) -> (Confirmation, confirmation_flow::Code) {
    let (mut state, code) = issued();
    for i in 1..=n {
        state = submit(&state, &wrong(&code), at(i * 60)).0;
    }
    (state, code)
}

/// Fifteen wrong submissions at `times` (a full window), reissuing whenever a code dies;
/// returns the state with a live code and that code.
fn fill_window(
    times: impl IntoIterator<Item = Timestamp>,
) -> (Confirmation, confirmation_flow::Code) {
    let (mut state, mut code) = issued();
    let mut seed = 100;
    let mut last = T0;
    for now in times {
        if state.status() == Status::TooManyAttempts {
            seed += 1;
            (state, code) = state
                .reissue(P, &key(), SUBJECT, now, &entropy(seed))
                .unwrap();
        }
        let (next, outcome) = submit(&state, &wrong(&code), now);
        assert!(
            matches!(outcome, Err(Refusal::CodeMismatch { .. })),
            "{outcome:?}"
        );
        (state, last) = (next, now);
    }
    if state.status() == Status::TooManyAttempts {
        (state, code) = state
            .reissue(P, &key(), SUBJECT, last, &entropy(seed + 1))
            .unwrap();
    }
    (state, code)
}

#[test]
fn issue_starts_pending_at_version_one_with_a_24_hour_deadline() {
    let (state, code) = issued();
    assert_eq!(state.status(), Status::Pending);
    assert_eq!(state.version(), 1);
    assert_eq!(state.expires_at(), at(DAY));
    assert_eq!(code.as_str().len(), 6);
    assert!(code.as_str().bytes().all(|b| b.is_ascii_digit()));
}

#[test]
fn pending_to_confirmed_on_right_code() {
    let (state, code) = issued();
    let (next, outcome) = submit(&state, code.as_str(), at(60));
    assert_eq!(outcome, Ok(()));
    assert_eq!(next.status(), Status::Confirmed);
    assert_eq!(next.version(), 2);
}

#[test]
fn pending_to_code_mismatch_on_wrong_code() {
    let (state, code) = issued();
    let (next, outcome) = submit(&state, &wrong(&code), at(60));
    assert_eq!(outcome, Err(Refusal::CodeMismatch { remaining: 4 }));
    assert_eq!(next.status(), Status::CodeMismatch);
    assert_eq!(next.attempts_used(), 1);
}

#[test]
fn code_mismatch_to_confirmed_on_right_code() {
    let (state, code) = wrong_times(4);
    let (next, outcome) = submit(&state, code.as_str(), at(600));
    assert_eq!(outcome, Ok(()));
    assert_eq!(next.status(), Status::Confirmed);
}

#[test]
fn fifth_wrong_code_is_a_mismatch_that_kills_the_code() {
    let (state, code) = wrong_times(4);
    let (next, outcome) = submit(&state, &wrong(&code), at(600));
    assert_eq!(outcome, Err(Refusal::CodeMismatch { remaining: 0 }));
    assert_eq!(next.status(), Status::TooManyAttempts);
}

#[test]
fn sixth_wrong_code_is_too_many_attempts_and_still_counted() {
    let (state, code) = wrong_times(5);
    let (next, outcome) = submit(&state, &wrong(&code), at(600));
    assert_eq!(outcome, Err(Refusal::TooManyAttempts));
    assert_eq!(next.status(), Status::TooManyAttempts);
    assert_eq!(
        next.version(),
        state.version() + 1,
        "the submission is counted"
    );
    assert_eq!(
        next.attempts_used(),
        5,
        "no attempt is spent: nothing was compared"
    );
}

#[test]
fn right_code_after_the_code_died_does_not_confirm() {
    let (state, code) = wrong_times(5);
    let (next, outcome) = submit(&state, code.as_str(), at(600));
    assert_eq!(outcome, Err(Refusal::TooManyAttempts));
    assert_eq!(next.status(), Status::TooManyAttempts);
}

#[test]
fn submission_exactly_at_the_deadline_is_expired() {
    let (state, code) = issued();
    let (next, outcome) = submit(&state, code.as_str(), at(DAY));
    assert_eq!(outcome, Err(Refusal::Expired));
    assert_eq!(next.status(), Status::Expired);
    assert_eq!(next.version(), 2, "an expired submission is still counted");
}

#[test]
fn submission_one_second_before_the_deadline_is_compared() {
    let (state, code) = issued();
    assert_eq!(submit(&state, code.as_str(), at(DAY - 1)).1, Ok(()));
}

#[test]
fn expired_is_read_without_a_submission() {
    let (state, _) = issued();
    assert_eq!(state.status_at(at(DAY - 1)), Status::Pending);
    assert_eq!(state.status_at(at(DAY)), Status::Expired);
    assert_eq!(state.status(), Status::Pending, "reading changes nothing");
}

#[test]
fn expired_refuses_the_right_code() {
    let (state, code) = issued();
    let (expired, _) = submit(&state, code.as_str(), at(DAY));
    let (next, outcome) = submit(&expired, code.as_str(), at(DAY + 60));
    assert_eq!(outcome, Err(Refusal::Expired));
    assert_eq!(next.status(), Status::Expired);
}

#[test]
fn confirmed_is_final_for_submit_reissue_and_admin_confirm() {
    let (state, code) = issued();
    let (confirmed, _) = submit(&state, code.as_str(), at(60));
    let step = confirmed.submit(P, &key(), SUBJECT, code.as_str(), at(120));
    assert_eq!(step.outcome, Err(Refusal::AlreadyConfirmed));
    assert!(!step.changed(&confirmed));
    assert_eq!(step.state, confirmed);
    let reissue = confirmed.reissue(P, &key(), SUBJECT, at(120), &entropy(1));
    assert_eq!(reissue.err(), Some(Refusal::AlreadyConfirmed));
    assert_eq!(
        confirmed.admin_confirm(P, at(120)),
        Err(Refusal::AlreadyConfirmed)
    );
}

#[test]
fn sixteenth_submission_inside_an_hour_is_rate_limited_and_not_counted() {
    let (state, code) = fill_window((0..15).map(|i| at(i * 240)));
    let (next, outcome) = submit(&state, code.as_str(), at(HOUR - 1));
    assert_eq!(outcome, Err(Refusal::RateLimited { retry_at: at(HOUR) }));
    assert_eq!(next, state, "a rate-limited submission changes nothing");
}

#[test]
fn window_slides_after_an_hour() {
    let (state, code) = fill_window((0..15).map(at));
    let too_early = submit(&state, code.as_str(), at(HOUR - 1)).1;
    assert_eq!(too_early, Err(Refusal::RateLimited { retry_at: at(HOUR) }));
    // At T0 + 1 h the first submission (at T0) leaves the window: one more fits.
    assert_eq!(submit(&state, code.as_str(), at(HOUR)).1, Ok(()));
}

#[test]
fn reissue_invalidates_the_old_code() {
    let (state, old) = issued();
    let (state, new) = state
        .reissue(P, &key(), SUBJECT, at(60), &entropy(1))
        .unwrap();
    assert_ne!(old, new);
    // The replaced code reads as expired (Cognito's answer), and costs an attempt like
    // any other wrong code.
    let (next, outcome) = submit(&state, old.as_str(), at(120));
    assert_eq!(outcome, Err(Refusal::Expired));
    assert_eq!(next.status(), Status::CodeMismatch);
    assert_eq!(next.attempts_used(), 1);
    let (next, outcome) = submit(&next, &wrong(&new), at(150));
    assert_eq!(outcome, Err(Refusal::CodeMismatch { remaining: 3 }));
    assert_eq!(submit(&next, new.as_str(), at(180)).1, Ok(()));
}

#[test]
fn reissue_gives_a_fresh_budget_and_deadline_from_too_many_attempts() {
    let (dead, _) = wrong_times(5);
    let (state, code) = dead
        .reissue(P, &key(), SUBJECT, at(600), &entropy(1))
        .unwrap();
    assert_eq!(state.status(), Status::Pending);
    assert_eq!(state.attempts_used(), 0);
    assert_eq!(state.expires_at(), at(600 + DAY));
    assert_eq!(submit(&state, code.as_str(), at(660)).1, Ok(()));
}

#[test]
fn reissue_revives_an_expired_confirmation() {
    let (state, code) = issued();
    let (expired, _) = submit(&state, code.as_str(), at(DAY));
    let (state, code) = expired
        .reissue(P, &key(), SUBJECT, at(DAY + 1), &entropy(1))
        .unwrap();
    assert_eq!(submit(&state, code.as_str(), at(DAY + 2)).1, Ok(()));
}

#[test]
fn reissue_never_refunds_the_submission_window() {
    let (state, _) = fill_window((0..15).map(at));
    let (state, code) = state
        .reissue(P, &key(), SUBJECT, at(20), &entropy(99))
        .unwrap();
    let outcome = submit(&state, code.as_str(), at(21)).1;
    assert_eq!(outcome, Err(Refusal::RateLimited { retry_at: at(HOUR) }));
}

#[test]
fn sixth_resend_inside_an_hour_is_rate_limited_and_changes_nothing() {
    let (mut state, _) = issued();
    for i in 1..=5_u32 {
        state = state
            .reissue(P, &key(), SUBJECT, at(u64::from(i) * 60), &entropy(i))
            .unwrap()
            .0;
    }
    let result = state.reissue(P, &key(), SUBJECT, at(3599), &entropy(6));
    assert_eq!(
        result.err(),
        Some(Refusal::RateLimited {
            retry_at: at(60 + HOUR)
        })
    );
    assert!(
        state
            .reissue(P, &key(), SUBJECT, at(60 + HOUR), &entropy(6))
            .is_ok()
    );
}

#[test]
fn admin_confirm_confirms_without_a_code_and_counts_nothing() {
    let (state, _) = issued();
    let confirmed = state.admin_confirm(P, at(60)).unwrap();
    assert_eq!(confirmed.status(), Status::Confirmed);
    assert_eq!(confirmed.version(), 2);
    assert!(StoredState::from(confirmed).submission_ages.is_empty());
    assert_eq!(confirmed.attempts_used(), 0);
}

#[test]
fn admin_confirm_works_from_dead_codes() {
    let (dead, _) = wrong_times(5);
    assert_eq!(
        dead.admin_confirm(P, at(600)).unwrap().status(),
        Status::Confirmed
    );
    let (state, code) = issued();
    let (expired, _) = submit(&state, code.as_str(), at(DAY));
    assert_eq!(
        expired.admin_confirm(P, at(DAY)).unwrap().status(),
        Status::Confirmed
    );
}

#[test]
fn clock_going_backwards_cannot_revive_an_expired_code() {
    let (state, code) = issued();
    let (expired, _) = submit(&state, code.as_str(), at(DAY));
    assert_eq!(expired.status_at(T0), Status::Expired);
    let (next, outcome) = submit(&expired, code.as_str(), T0);
    assert_eq!(outcome, Err(Refusal::Expired));
    assert_eq!(
        next.last_changed_at(),
        at(DAY),
        "the earlier time is read as the last change"
    );
}

#[test]
fn clock_going_backwards_before_issue_does_not_panic_or_extend_the_deadline() {
    let (state, code) = issued();
    let step = state.submit(P, &key(), SUBJECT, code.as_str(), Timestamp::EPOCH);
    assert_eq!(step.outcome, Ok(()));
    assert_eq!(step.state.last_changed_at(), T0);
    assert_eq!(state.expires_at(), at(DAY));
}

#[test]
fn clock_going_backwards_cannot_reopen_the_window() {
    let (state, code) = fill_window((0..15).map(|i| at(HOUR + i)));
    let outcome = submit(&state, code.as_str(), T0).1;
    assert_eq!(
        outcome,
        Err(Refusal::RateLimited {
            retry_at: at(2 * HOUR)
        })
    );
}

#[test]
fn the_end_of_time_saturates_instead_of_panicking() {
    let end = Timestamp::from_unix_seconds(u64::MAX);
    let (state, code) = Confirmation::issue(P, &key(), SUBJECT, end, &entropy(0)).unwrap();
    assert_eq!(state.expires_at(), end);
    assert_eq!(
        state.submit(P, &key(), SUBJECT, code.as_str(), end).outcome,
        Err(Refusal::Expired)
    );
}

#[test]
fn rotated_key_fails_closed_and_changes_nothing() {
    let (state, code) = issued();
    let step = state.submit(P, &rotated_key(), SUBJECT, code.as_str(), at(60));
    assert_eq!(step.outcome, Err(Refusal::UnknownKey { stored: KeyId(1) }));
    assert_eq!(step.state, state);
}

#[test]
fn same_key_id_with_other_secret_fails_closed_as_a_mismatch() {
    let (state, code) = issued();
    let impostor = ServerKey::new(KeyId(1), &[8; 32]);
    let step = state.submit(P, &impostor, SUBJECT, code.as_str(), at(60));
    assert_eq!(step.outcome, Err(Refusal::CodeMismatch { remaining: 4 }));
}

#[test]
fn reissue_under_a_rotated_key_migrates_the_state() {
    let (state, _) = issued();
    let (state, code) = state
        .reissue(P, &rotated_key(), SUBJECT, at(60), &entropy(1))
        .unwrap();
    assert_eq!(state.key_id(), KeyId(2));
    let step = state.submit(P, &rotated_key(), SUBJECT, code.as_str(), at(120));
    assert_eq!(step.outcome, Ok(()));
}

#[test]
fn a_state_copied_to_another_user_fails_closed() {
    let (state, code) = issued();
    let step = state.submit(P, &key(), b"user-0002", code.as_str(), at(60));
    assert_eq!(step.outcome, Err(Refusal::CodeMismatch { remaining: 4 }));
}

#[test]
fn version_increases_by_one_on_every_change_and_only_then() {
    let (state, code) = issued();
    let mismatch = state.submit(P, &key(), SUBJECT, &wrong(&code), at(60));
    assert!(mismatch.changed(&state));
    assert_eq!(mismatch.state.version(), 2);
    let (reissued, code) = mismatch
        .state
        .reissue(P, &key(), SUBJECT, at(120), &entropy(1))
        .unwrap();
    assert_eq!(reissued.version(), 3);
    let confirmed = reissued.submit(P, &key(), SUBJECT, code.as_str(), at(180));
    assert_eq!(confirmed.state.version(), 4);
    let refused = confirmed
        .state
        .submit(P, &key(), SUBJECT, code.as_str(), at(240));
    assert!(!refused.changed(&confirmed.state));
}

#[test]
fn version_at_its_maximum_refuses_changes() {
    let (state, code) = issued();
    let mut stored = StoredState::from(state);
    stored.version = u64::MAX;
    let state = Confirmation::try_from(stored).unwrap();
    let step = state.submit(P, &key(), SUBJECT, code.as_str(), at(60));
    assert_eq!(step.outcome, Err(Refusal::VersionExhausted));
    assert_eq!(step.state, state);
    assert_eq!(
        state.admin_confirm(P, at(60)),
        Err(Refusal::VersionExhausted)
    );
}

#[test]
fn crockford_codes_are_read_leniently() {
    let policy = Policy::new(PolicyConfig {
        alphabet: Alphabet::CrockfordBase32,
        code_length: 8,
        ..PolicyConfig::COGNITO
    })
    .unwrap();
    let (state, code) = Confirmation::issue(&policy, &key(), SUBJECT, T0, &entropy(0)).unwrap();
    let lenient: String = code
        .as_str()
        .to_ascii_lowercase()
        .replace('0', "o")
        .replace('1', "l");
    let hyphenated = format!("{}-{}", &lenient[..4], &lenient[4..]);
    let step = state.submit(&policy, &key(), SUBJECT, &hyphenated, at(60));
    assert_eq!(step.outcome, Ok(()), "{hyphenated}");
}

#[test]
fn exhausted_entropy_is_a_typed_error_that_changes_nothing() {
    let all_rejected = [0xff; 32];
    assert!(Confirmation::issue(P, &key(), SUBJECT, T0, &all_rejected).is_err());
    let (state, _) = issued();
    let result = state.reissue(P, &key(), SUBJECT, at(60), &all_rejected);
    assert_eq!(result.err(), Some(Refusal::EntropyExhausted));
}

#[test]
fn a_lowered_attempt_budget_applies_to_stored_states() {
    let (state, code) = wrong_times(3);
    let strict = Policy::new(PolicyConfig {
        attempts_per_code: 3,
        ..PolicyConfig::COGNITO
    })
    .unwrap();
    let step = state.submit(&strict, &key(), SUBJECT, code.as_str(), at(600));
    assert_eq!(step.outcome, Err(Refusal::TooManyAttempts));
}

#[test]
fn debug_output_redacts_codes_tags_and_keys() {
    let (state, code) = issued();
    let shown = format!("{state:?} {code:?} {:?}", key());
    assert!(!shown.contains(code.as_str()), "{shown}");
    assert!(
        !shown.contains(StoredState::from(state).tag.as_str()),
        "{shown}"
    );
    assert!(!shown.contains("7, 7"), "{shown}");
}

#[test]
fn a_held_match_proves_the_code_spends_an_attempt_and_leaves_it_live() {
    let (state, code) = wrong_times(1);
    let held = state.submit_without_confirming(P, &key(), SUBJECT, code.as_str(), at(600));
    assert_eq!(held.outcome, Ok(()));
    assert_eq!(held.state.status(), Status::Pending);
    assert_eq!(held.state.attempts_used(), 2);
    assert!(held.changed(&state));
    let wrong = held
        .state
        .submit_without_confirming(P, &key(), SUBJECT, &wrong(&code), at(660));
    assert_eq!(wrong.outcome, Err(Refusal::CodeMismatch { remaining: 2 }));
    assert!(
        wrong
            .state
            .submit(P, &key(), SUBJECT, code.as_str(), at(720))
            .is_confirmed()
    );
}

#[test]
fn a_held_match_on_the_last_attempt_leaves_the_code_dead() {
    let (state, code) = wrong_times(4);
    let held = state.submit_without_confirming(P, &key(), SUBJECT, code.as_str(), at(600));
    assert_eq!(held.outcome, Ok(()));
    assert_eq!(held.state.status(), Status::TooManyAttempts);
    let after = held
        .state
        .submit(P, &key(), SUBJECT, code.as_str(), at(660));
    assert_eq!(after.outcome, Err(Refusal::TooManyAttempts));
}

/// A phantom's reissue (a password reset for nobody) is counted exactly as a real one is,
/// and leaves a tag that not even the code a real reissue would have drawn from the same
/// entropy matches.
#[test]
fn an_unmatchable_reissue_counts_as_a_reissue_and_matches_no_code() {
    let start = Confirmation::unmatchable(P, key().id(), T0);
    let mut state = start;
    for n in 1..=5_u32 {
        let now = at(u64::from(n) * 60);
        let (_, real_code) = state.reissue(P, &key(), SUBJECT, now, &entropy(n)).unwrap();
        let next = state
            .reissue_unmatchable(P, &key(), SUBJECT, now, &entropy(n))
            .unwrap();
        assert_eq!(next.version(), state.version() + 1);
        assert_eq!(next.status(), Status::Pending);
        let (_, outcome) = submit(&next, real_code.as_str(), now);
        assert!(
            matches!(outcome, Err(Refusal::CodeMismatch { .. })),
            "{outcome:?}"
        );
        state = next;
    }
    // The sixth within the hour is refused, as a real account's is.
    let refused = state.reissue_unmatchable(P, &key(), SUBJECT, at(360), &entropy(9));
    assert!(
        matches!(refused, Err(Refusal::RateLimited { .. })),
        "{refused:?}"
    );
    // A fresh unmatchable state refuses every code as a mismatch.
    let (_, outcome) = submit(&start, "123456", at(1));
    assert!(
        matches!(outcome, Err(Refusal::CodeMismatch { .. })),
        "{outcome:?}"
    );
}
