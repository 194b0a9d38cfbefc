//! Stored-state bytes → load → submit.
//!
//! Invariants: whatever loads, stores back to an equal state; a submission on a loaded state
//! either changes nothing or raises `version` by exactly one; it confirms only if the
//! submitted code is the one the state was issued with; reading the status never panics.
#![no_main]

use confirmation_flow::{Confirmation, KeyId, Policy, ServerKey, Status, StoredState, Timestamp};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(state) = serde_json::from_slice::<Confirmation>(data) else {
        return;
    };
    assert_eq!(Confirmation::try_from(StoredState::from(state)), Ok(state));
    let policy = Policy::COGNITO;
    let key = ServerKey::new(KeyId(1), &[7; 32]);
    // The seeds hold states issued for "user" with entropy [1; 32] under this key, whose
    // code is this one; any other state (or code) must never confirm.
    let (_, issued) = Confirmation::issue(&policy, &key, b"user", Timestamp::EPOCH, &[1; 32])
        .expect("fixed entropy fills a code");
    for (code, now) in [
        (issued.as_str(), 1_700_000_060),
        ("000000", 1_700_000_060),
        (issued.as_str(), u64::MAX),
    ] {
        let now = Timestamp::from_unix_seconds(now);
        let _ = state.status_at(now);
        let step = state.submit(&policy, &key, b"user", code, now);
        let expected = if step.state == state {
            state.version()
        } else {
            state.version() + 1
        };
        assert_eq!(step.state.version(), expected);
        if step.is_confirmed() {
            assert_eq!(code, issued.as_str());
            assert_ne!(state.status(), Status::Confirmed);
        }
    }
});
