//! Operation sequences on a `Confirmation`, replayed from an `Arbitrary` op enum.
//!
//! Invariants after every step: never confirmed except by the issued code or an admin call;
//! attempts on one code never exceed the budget; `Confirmed` absorbs; `version` rises by
//! exactly one on every change and never otherwise; the stored form loads back unchanged.
#![no_main]

use arbitrary::Arbitrary;
use confirmation_flow::{Confirmation, KeyId, Policy, ServerKey, Status, StoredState, Timestamp};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
enum Op<'a> {
    SubmitIssued,
    SubmitOther(&'a str),
    SubmitHeld,
    Reissue([u8; 32]),
    AdminConfirm,
    Advance(u32),
    Rewind(u32),
}

const SUBJECT: &[u8] = b"user";

fuzz_target!(|ops: Vec<Op<'_>>| {
    let policy = Policy::COGNITO;
    let key = ServerKey::new(KeyId(1), &[7; 32]);
    let mut now = Timestamp::from_unix_seconds(1_700_000_000);
    let Ok((mut state, mut code)) = Confirmation::issue(&policy, &key, SUBJECT, now, &[1; 32])
    else {
        return;
    };
    for op in ops {
        let before = state;
        let mut may_confirm = false;
        match op {
            Op::SubmitIssued => {
                may_confirm = true;
                state = state
                    .submit(&policy, &key, SUBJECT, code.as_str(), now)
                    .state;
            }
            Op::SubmitOther(guess) => {
                may_confirm = guess == code.as_str();
                state = state.submit(&policy, &key, SUBJECT, guess, now).state;
            }
            Op::SubmitHeld => {
                state = state
                    .submit_without_confirming(&policy, &key, SUBJECT, code.as_str(), now)
                    .state;
            }
            Op::Reissue(entropy) => {
                if let Ok((next, new_code)) = state.reissue(&policy, &key, SUBJECT, now, &entropy) {
                    assert_eq!(next.status(), Status::Pending);
                    (state, code) = (next, new_code);
                }
            }
            Op::AdminConfirm => {
                may_confirm = true;
                if let Ok(next) = state.admin_confirm(&policy, now) {
                    state = next;
                }
            }
            Op::Advance(seconds) => {
                now = now.saturating_add(core::time::Duration::from_secs(seconds.into()))
            }
            Op::Rewind(seconds) => {
                now = now.saturating_sub(core::time::Duration::from_secs(seconds.into()))
            }
        }
        if state.status() == Status::Confirmed && before.status() != Status::Confirmed {
            assert!(
                may_confirm,
                "confirmed without the issued code or an admin call"
            );
        }
        if before.status() == Status::Confirmed {
            assert_eq!(state, before, "Confirmed absorbs");
        }
        assert!(state.attempts_used() <= policy.attempts_per_code());
        let expected = if state == before {
            before.version()
        } else {
            before.version() + 1
        };
        assert_eq!(state.version(), expected);
        assert_eq!(Confirmation::try_from(StoredState::from(state)), Ok(state));
    }
});
