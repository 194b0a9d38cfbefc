//! The machine against a small reference model, over random operation sequences.
//!
//! The model is written from the rules in `Confirmation::submit`'s documentation, with an
//! unbounded event history where the machine keeps a bounded log. After every operation:
//!
//! * the outcome (down to `remaining` and `retry_at`) and the status agree with the model;
//! * the user is never confirmed except by the right code, an admin call or a password
//!   change;
//! * attempts on one code never exceed the budget;
//! * `Confirmed` is absorbing, but for a password change, which always moves the version;
//! * `version` increases by exactly one on every change and never otherwise;
//! * the state survives its stored form unchanged.

use crate::common::{SUBJECT, T0, entropy, key, wrong};
use confirmation_flow::{Code, Confirmation, Policy, Refusal, Status, StoredState, Timestamp};
use proptest::prelude::*;

const P: &Policy = &Policy::COGNITO;
const WINDOW: u64 = 3600;
const TTL: u64 = 86_400;

#[derive(Clone, Debug)]
enum Op {
    SubmitRight,
    /// The right code through `submit_without_confirming`.
    SubmitRightHeld,
    SubmitWrong,
    /// The code the last reissue replaced.
    SubmitOldCode,
    SubmitRightForAnotherUser,
    Reissue(u32),
    AdminConfirm,
    /// An administrator set the password, or the user chose one for an invitation.
    PasswordChanged,
    Advance(u64),
    ClockBack(u64),
    /// Jump to the current code's deadline, plus -1, 0 or +1 seconds.
    NearDeadline(i8),
}

fn op() -> impl Strategy<Value = Op> {
    // Weighted towards dense wrong guesses and short steps, so sequences reach the
    // attempt budget and the rolling windows before a confirmation ends the interesting part.
    prop_oneof![
        12 => Just(Op::SubmitWrong),
        2 => Just(Op::SubmitOldCode),
        1 => Just(Op::SubmitRight),
        1 => Just(Op::SubmitRightHeld),
        2 => Just(Op::SubmitRightForAnotherUser),
        3 => any::<u32>().prop_map(Op::Reissue),
        1 => Just(Op::AdminConfirm),
        1 => Just(Op::PasswordChanged),
        6 => (0..60_u64).prop_map(Op::Advance),
        2 => (0..WINDOW).prop_map(Op::Advance),
        1 => (0..2 * TTL).prop_map(Op::Advance),
        1 => (0..2 * TTL).prop_map(Op::ClockBack),
        1 => (-1..=1_i8).prop_map(Op::NearDeadline),
    ]
}

/// The specification, with unbounded memory.
#[derive(Clone, Debug)]
pub(crate) struct Model {
    pub(crate) status: Status,
    pub(crate) attempts: u8,
    pub(crate) expires_at: u64,
    pub(crate) last_change: u64,
    submissions: Vec<u64>,
    resends: Vec<u64>,
}

impl Model {
    /// A code just issued at `t0`.
    pub(crate) fn issued(t0: u64) -> Self {
        Self {
            status: Status::Pending,
            attempts: 0,
            expires_at: t0 + TTL,
            last_change: t0,
            submissions: Vec::new(),
            resends: Vec::new(),
        }
    }

    /// When one more event fits under `limit` per window, if it does not fit at `now`.
    fn blocked(events: &[u64], limit: usize, now: u64) -> Option<u64> {
        let live: Vec<u64> = events
            .iter()
            .copied()
            .filter(|&t| t + WINDOW > now)
            .collect();
        (live.len() >= limit).then(|| live[live.len() - limit] + WINDOW)
    }

    /// `right`: the current code; `old`: the code the last reissue replaced.
    pub(crate) fn submit(
        &mut self,
        right: bool,
        old: bool,
        confirm: bool,
        now: u64,
    ) -> Result<(), Refusal> {
        let now = now.max(self.last_change);
        if self.status == Status::Confirmed {
            return Err(Refusal::AlreadyConfirmed);
        }
        if let Some(retry) = Self::blocked(&self.submissions, 15, now) {
            return Err(Refusal::RateLimited {
                retry_at: Timestamp::from_unix_seconds(retry),
            });
        }
        self.submissions.push(now);
        self.last_change = now;
        if self.status == Status::TooManyAttempts || self.attempts >= 5 {
            self.status = Status::TooManyAttempts;
            return Err(Refusal::TooManyAttempts);
        }
        if self.status == Status::Expired || now >= self.expires_at {
            self.status = Status::Expired;
            return Err(Refusal::Expired);
        }
        self.attempts += 1;
        let remaining = 5 - self.attempts;
        if right {
            self.status = match (confirm, remaining) {
                (true, _) => Status::Confirmed,
                (false, 0) => Status::TooManyAttempts,
                (false, _) => Status::Pending,
            };
            return Ok(());
        }
        self.status = if remaining == 0 {
            Status::TooManyAttempts
        } else {
            Status::CodeMismatch
        };
        if old {
            return Err(Refusal::Expired);
        }
        Err(Refusal::CodeMismatch { remaining })
    }

    pub(crate) fn reissue(&mut self, now: u64) -> Result<(), Refusal> {
        let now = now.max(self.last_change);
        if self.status == Status::Confirmed {
            return Err(Refusal::AlreadyConfirmed);
        }
        if let Some(retry) = Self::blocked(&self.resends, 5, now) {
            return Err(Refusal::RateLimited {
                retry_at: Timestamp::from_unix_seconds(retry),
            });
        }
        self.resends.push(now);
        (
            self.status,
            self.attempts,
            self.expires_at,
            self.last_change,
        ) = (Status::Pending, 0, now + TTL, now);
        Ok(())
    }

    /// From any state: confirmed (a pending code dies), nothing counted or reset.
    pub(crate) fn password_changed(&mut self, now: u64) {
        self.status = Status::Confirmed;
        self.last_change = now.max(self.last_change);
    }

    pub(crate) fn admin_confirm(&mut self, now: u64) -> Result<(), Refusal> {
        if self.status == Status::Confirmed {
            return Err(Refusal::AlreadyConfirmed);
        }
        self.status = Status::Confirmed;
        self.last_change = now.max(self.last_change);
        Ok(())
    }
}

fn run(ops: &[Op]) {
    let t0 = T0.as_unix_seconds();
    let (mut state, mut code): (Confirmation, Code) =
        Confirmation::issue(P, &key(), SUBJECT, T0, &entropy(0)).unwrap();
    let mut model = Model::issued(t0);
    let mut clock = t0;
    let mut old_code: Option<String> = None;
    for (step, op) in ops.iter().enumerate() {
        let now = Timestamp::from_unix_seconds(clock);
        let before = state;
        let (outcome, expected, may_confirm) = match op {
            Op::SubmitRight
            | Op::SubmitRightHeld
            | Op::SubmitWrong
            | Op::SubmitOldCode
            | Op::SubmitRightForAnotherUser => {
                let confirm = !matches!(op, Op::SubmitRightHeld);
                let (subject, submitted) = match op {
                    Op::SubmitWrong => (SUBJECT, wrong(&code)),
                    Op::SubmitOldCode => match &old_code {
                        Some(old) => (SUBJECT, old.clone()),
                        None => continue,
                    },
                    Op::SubmitRightForAnotherUser => (&b"user-0002"[..], code.as_str().to_owned()),
                    _ => (SUBJECT, code.as_str().to_owned()),
                };
                // What the submission is, judged by the harness, not by the machine.
                let own = subject == SUBJECT;
                let right = own && submitted == code.as_str();
                let old = own && !right && old_code.as_deref() == Some(submitted.as_str());
                let result = if confirm {
                    state.submit(P, &key(), subject, &submitted, now)
                } else {
                    state.submit_without_confirming(P, &key(), subject, &submitted, now)
                };
                state = result.state;
                (
                    result.outcome,
                    model.submit(right, old, confirm, clock),
                    right && confirm,
                )
            }
            Op::Reissue(seed) => {
                let result = state.reissue(P, &key(), SUBJECT, now, &entropy(*seed));
                let outcome = result.as_ref().map(|_| ()).map_err(|refusal| *refusal);
                if let Ok((next, new_code)) = result {
                    old_code = Some(code.as_str().to_owned());
                    (state, code) = (next, new_code);
                }
                (outcome, model.reissue(clock), false)
            }
            Op::AdminConfirm => {
                let result = state.admin_confirm(P, now);
                let outcome = result.map(|next| state = next);
                (outcome, model.admin_confirm(clock), true)
            }
            Op::PasswordChanged => {
                let result = state.password_changed(P, now);
                let outcome = result.map(|next| state = next);
                model.password_changed(clock);
                (outcome, Ok(()), true)
            }
            Op::Advance(seconds) => {
                clock += seconds;
                continue;
            }
            Op::ClockBack(seconds) => {
                clock = clock.saturating_sub(*seconds);
                continue;
            }
            Op::NearDeadline(offset) => {
                clock = model.expires_at.saturating_add_signed(i64::from(*offset));
                continue;
            }
        };
        let context = format!("step {step}: {op:?} at +{}", clock - t0.min(clock));
        assert_eq!(outcome, expected, "{context}");
        let absorbs = !matches!(op, Op::PasswordChanged);
        check_invariants(
            &context,
            &before,
            &state,
            &model,
            may_confirm,
            absorbs,
            clock,
        );
    }
}

/// What must hold after every operation, whatever it was.
fn check_invariants(
    context: &str,
    before: &Confirmation,
    state: &Confirmation,
    model: &Model,
    may_confirm: bool,
    absorbs: bool,
    clock: u64,
) {
    assert_eq!(state.status(), model.status, "{context}");
    assert_eq!(state.attempts_used(), model.attempts, "{context}");
    assert!(state.attempts_used() <= P.attempts_per_code(), "{context}");
    if state.status() == Status::Confirmed && before.status() != Status::Confirmed {
        assert!(
            may_confirm,
            "{context}: confirmed without the right code or an admin call"
        );
    }
    if before.status() == Status::Confirmed && absorbs {
        assert_eq!(state, before, "{context}: Confirmed must absorb");
    }
    if !absorbs {
        // A password change always moves the version, so a write decided before it loses.
        assert_eq!(
            state.version(),
            before.version() + 1,
            "{context}: password change"
        );
    }
    if state == before {
        assert_eq!(state.version(), before.version(), "{context}");
    } else {
        assert_eq!(state.version(), before.version() + 1, "{context}");
    }
    let stored = Confirmation::try_from(StoredState::from(*state));
    assert_eq!(stored, Ok(*state), "{context}");
    let expected_expired = model.status == Status::Expired
        || (matches!(model.status, Status::Pending | Status::CodeMismatch)
            && clock.max(model.last_change) >= model.expires_at);
    let read = state.status_at(Timestamp::from_unix_seconds(clock));
    assert_eq!(
        read == Status::Expired,
        expected_expired,
        "{context}: status_at"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn machine_agrees_with_the_model(ops in prop::collection::vec(op(), 1..120)) {
        run(&ops);
    }
}
