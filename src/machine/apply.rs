//! Running a request through the transition table (a submission's tag computed first), and
//! carrying out the change: the only place a [`Confirmation`] is modified.

use super::{Confirmation, Submission};
use crate::{
    alphabet::MAX_SUBMITTED_CODE_LEN,
    grant::SignInGrant,
    key::{ServerKey, TagDomain},
    policy::Policy,
    status::{Refusal, Status},
    time::Timestamp,
    transition::{Change, Request, View, decide},
};

impl Confirmation {
    /// One tag, then the table; `confirm` says whether a match confirms, and `grant` what
    /// a confirming match records.
    #[expect(
        clippy::too_many_arguments,
        reason = "the submission's inputs, each a different type; a struct would only rename them"
    )]
    pub(crate) fn attempt(
        &self,
        policy: &Policy,
        key: &ServerKey,
        subject: &[u8],
        code: &str,
        now: Timestamp,
        confirm: bool,
        grant: SignInGrant,
    ) -> Submission {
        let (tag, symbols) = key.tag(TagDomain::Code, subject, code.as_bytes(), policy.alphabet());
        // Public facts about the submission (its length is on the wire), checked beside the
        // comparison rather than instead of it.
        let matchable =
            code.len() <= MAX_SUBMITTED_CODE_LEN && symbols == usize::from(policy.code_length());
        let request = Request::Submit {
            key: key.id(),
            tag,
            confirm,
            matchable,
            grant,
        };
        self.step(policy, now, request)
    }

    /// Runs `request` through the table at the state's clock, then applies the change.
    pub(super) fn step(&self, policy: &Policy, now: Timestamp, request: Request) -> Submission {
        let now = self.clock(now);
        let window = policy.window();
        let window_free_at = match request {
            Request::Submit { .. } => {
                let limit = policy.submissions_per_window();
                self.submissions.free_at(limit, window, self.seen_at)
            }
            Request::Reissue { .. } => {
                let limit = policy.resends_per_window();
                self.resends.free_at(limit, window, self.seen_at)
            }
            Request::AdminConfirm | Request::PasswordChanged | Request::Redeem { .. } => {
                Timestamp::EPOCH
            }
        };
        let granted = match request {
            Request::Redeem { nonce } => self.grant.admits(&nonce, now),
            _ => false,
        };
        let view = View {
            status: self.status,
            key_id: self.key_id,
            code_dead: self.status == Status::TooManyAttempts
                || self.attempts >= policy.attempts_per_code(),
            expired: self.status == Status::Expired || now >= self.expires_at,
            window_free_at,
            granted,
        };
        match decide(&view, now, request) {
            Ok(change) => self.apply(policy, now, change),
            Err(refusal) => Submission {
                state: *self,
                outcome: Err(refusal),
            },
        }
    }

    /// Carries out `change` at `now`: the only place a state is modified.
    fn apply(&self, policy: &Policy, now: Timestamp, change: Change) -> Submission {
        let Some(version) = self.version.checked_add(1) else {
            return Submission {
                state: *self,
                outcome: Err(Refusal::VersionExhausted),
            };
        };
        let window = policy.window();
        let mut next = Self {
            version,
            seen_at: now,
            ..*self
        };
        next.submissions.prune(now, window, self.seen_at);
        next.resends.prune(now, window, self.seen_at);
        let outcome = match change {
            Change::Count { to, refusal } => {
                next.submissions.record_now();
                next.status = to;
                Err(refusal)
            }
            Change::Compare {
                tag,
                confirm,
                matchable,
                grant,
            } => {
                next.submissions.record_now();
                next.attempts = self.attempts.saturating_add(1);
                let remaining = policy.attempts_per_code().saturating_sub(next.attempts);
                // Both comparisons always run, so timing tells neither result.
                let (matched, replaced) = (tag.matches(&self.tag), tag.begins_with(self.replaced));
                // `&` on bools: both sides evaluated, no branch on the comparisons' results.
                let (matched, replaced) = (matched & matchable, replaced & matchable);
                let wrong = if replaced {
                    Refusal::Expired
                } else {
                    Refusal::CodeMismatch { remaining }
                };
                let (status, outcome) = match (matched, confirm) {
                    (true, true) => (Status::Confirmed, Ok(())),
                    (true, false) if remaining > 0 => (Status::Pending, Ok(())),
                    (true, false) => (Status::TooManyAttempts, Ok(())),
                    (false, _) if remaining > 0 => (Status::CodeMismatch, Err(wrong)),
                    (false, _) => (Status::TooManyAttempts, Err(wrong)),
                };
                next.status = status;
                if status == Status::Confirmed {
                    next.grant = grant;
                }
                outcome
            }
            Change::Reissue { key, tag } => {
                next.status = Status::Pending;
                next.attempts = 0;
                next.key_id = key;
                next.replaced = self.tag.replaced();
                next.tag = tag;
                next.issued_at = now;
                next.expires_at = now.saturating_add(policy.code_ttl());
                next.resends.record_now();
                Ok(())
            }
            Change::Confirm => {
                next.status = Status::Confirmed;
                Ok(())
            }
            Change::Redeem => {
                next.grant = SignInGrant::NONE;
                Ok(())
            }
            Change::Settle => {
                next.status = Status::Confirmed;
                next.grant = SignInGrant::NONE;
                Ok(())
            }
        };
        Submission {
            state: next,
            outcome,
        }
    }

    /// `now`, never earlier than the last change: a clock going back cannot undo time.
    pub(super) fn clock(&self, now: Timestamp) -> Timestamp {
        now.max(self.seen_at)
    }
}
