//! `Confirmation` through JSON: compact, round-trips, and refuses tampered state.

use crate::common::{SUBJECT, at, entropy, issued, key, wrong};
use confirmation_flow::{Confirmation, MAX_WINDOW, Policy, StateError, StoredState};

const P: &Policy = &Policy::COGNITO;

/// A state whose logs are full: 15 submissions and 5 resends in one hour.
fn full() -> Confirmation {
    let (mut state, mut code) = issued();
    for i in 0..5_u32 {
        (state, code) = state
            .reissue(P, &key(), SUBJECT, at(u64::from(i)), &entropy(i + 1))
            .unwrap();
    }
    // The code dies after five; the other ten are counted as TooManyAttempts.
    for i in 0..15_u64 {
        state = state
            .submit(P, &key(), SUBJECT, &wrong(&code), at(100 + i))
            .state;
    }
    state
}

#[test]
fn json_round_trip_preserves_the_state() {
    let state = full();
    let json = serde_json::to_string(&state).unwrap();
    let back: Confirmation = serde_json::from_str(&json).unwrap();
    assert_eq!(back, state);
}

#[test]
fn a_full_state_serializes_to_at_most_512_bytes() {
    let json = serde_json::to_string(&full()).unwrap();
    assert_eq!(StoredState::from(full()).submission_ages.len(), 15);
    assert_eq!(StoredState::from(full()).resend_ages.len(), 5);
    assert!(json.len() <= 512, "{} bytes: {json}", json.len());
}

#[test]
fn the_largest_possible_state_serializes_to_at_most_512_bytes() {
    let mut stored = StoredState::from(full());
    stored.version = u64::MAX;
    stored.key_id = u32::MAX;
    stored.status = "too_many_attempts".try_into().unwrap();
    for time in stored
        .submission_ages
        .iter_mut()
        .chain(stored.resend_ages.iter_mut())
    {
        *time = u32::try_from(MAX_WINDOW.as_secs()).unwrap() - 1;
    }
    (stored.issued_at, stored.expires_at, stored.last_changed_at) = (u64::MAX, u64::MAX, u64::MAX);
    assert!(
        Confirmation::try_from(stored.clone()).is_ok(),
        "the state is valid"
    );
    let json = serde_json::to_string(&stored).unwrap();
    assert!(json.len() <= 512, "{} bytes: {json}", json.len());
}

#[test]
fn the_json_names_every_field_and_no_secret() {
    let (state, code) = issued();
    let json = serde_json::to_string(&state).unwrap();
    for field in [
        "status",
        "key_id",
        "tag",
        "issued_at",
        "expires_at",
        "last_changed_at",
        "version",
        "attempts",
        "submission_ages",
        "resend_ages",
    ] {
        assert!(
            json.contains(&format!("\"{field}\":")),
            "{field} missing in {json}"
        );
    }
    assert!(!json.contains(code.as_str()), "the code leaked into {json}");
}

fn tampered(edit: impl FnOnce(&mut serde_json::Value)) -> String {
    let mut value = serde_json::to_value(issued().0).unwrap();
    edit(&mut value);
    value.to_string()
}

#[test]
fn tampered_json_is_rejected_with_the_typed_reason() {
    type Case = (fn(&mut serde_json::Value), StateError);
    let cases: [Case; 5] = [
        (
            |v| v["status"] = "approved".into(),
            StateError::UnknownStatus,
        ),
        (
            |v| v["attempts"] = 200.into(),
            StateError::AttemptsOverBudget,
        ),
        (
            |v| v["expires_at"] = 0.into(),
            StateError::DeadlineBeforeIssue,
        ),
        (|v| v["version"] = 0.into(), StateError::ZeroVersion),
        (|v| v["tag"] = "00".into(), StateError::MalformedTag),
    ];
    for (edit, expected) in cases {
        let json = tampered(edit);
        // Through the public wire form, the reason is a typed value…
        let stored: StoredState = serde_json::from_str(&json).unwrap();
        assert_eq!(Confirmation::try_from(stored), Err(expected), "{json}");
        // …and deserializing a Confirmation directly fails with that reason's message.
        let error = serde_json::from_str::<Confirmation>(&json).unwrap_err();
        assert!(error.to_string().contains(&expected.to_string()), "{error}");
    }
}

#[test]
fn structurally_broken_json_is_rejected() {
    let unknown_field = tampered(|v| v["admin"] = true.into());
    assert!(serde_json::from_str::<Confirmation>(&unknown_field).is_err());
    let too_many_entries =
        tampered(|v| v["submission_ages"] = (0..16).rev().collect::<Vec<u32>>().into());
    assert!(serde_json::from_str::<Confirmation>(&too_many_entries).is_err());
    let negative = tampered(|v| v["attempts"] = (-1).into());
    assert!(serde_json::from_str::<Confirmation>(&negative).is_err());
    let missing = tampered(|v| drop(v.as_object_mut().unwrap().remove("tag")));
    assert!(serde_json::from_str::<Confirmation>(&missing).is_err());
}

#[test]
fn escaped_json_strings_decode() {
    let json =
        tampered(|v| v["status"] = "pending".into()).replace("\"pending\"", "\"p\\u0065nding\"");
    assert_eq!(
        serde_json::from_str::<Confirmation>(&json).unwrap(),
        issued().0
    );
}
