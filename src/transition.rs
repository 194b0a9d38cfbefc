//! The transition table: what each request does to a [`Confirmation`], in one `match`,
//! and the one place where a state is modified.

use crate::{
    key::{KeyId, Tag},
    machine::Confirmation,
    policy::Policy,
    status::{Refusal, Status},
    time::Timestamp,
};

/// What a caller asks of a state, with the tag already computed (so every submission costs
/// exactly one HMAC, whatever the outcome).
#[derive(Clone, Copy)]
pub(crate) enum Request {
    /// `confirm`: whether a match confirms, or only proves the code (leaving it live).
    Submit {
        key: KeyId,
        tag: Tag,
        confirm: bool,
    },
    Reissue {
        key: KeyId,
        tag: Tag,
    },
    AdminConfirm,
}

/// A change the table decided on; [`Confirmation::apply`] carries it out. A request
/// turned down before anything is counted is an `Err(Refusal)` instead.
#[derive(Clone, Copy)]
enum Change {
    /// The submission is counted in the window, the state moves to `to`, then refused.
    Count { to: Status, refusal: Refusal },
    /// The submission is counted and one attempt spent, then the tag is compared; a match
    /// confirms if `confirm`, else leaves the code live (`Pending`, or `TooManyAttempts` if
    /// that was its last attempt).
    Compare { tag: Tag, confirm: bool },
    /// A new code replaces the old one; the resend is counted.
    Reissue { key: KeyId, tag: Tag },
    /// Confirmed without a code.
    Confirm,
}

impl Confirmation {
    /// The transition table: every rule, in the order it is checked.
    fn decide(&self, policy: &Policy, now: Timestamp, request: Request) -> Result<Change, Refusal> {
        use Refusal::RateLimited;
        let window = policy.window();
        let submissions_free_at = self
            .submissions
            .free_at(policy.submissions_per_window(), window);
        let resends_free_at = self.resends.free_at(policy.resends_per_window(), window);
        let code_dead =
            self.status == Status::TooManyAttempts || self.attempts >= policy.attempts_per_code();
        let expired = self.status == Status::Expired || now >= self.expires_at;
        match (self.status, request) {
            (Status::Confirmed, _) => Err(Refusal::AlreadyConfirmed),
            (_, Request::Submit { key, .. }) if key != self.key_id => Err(Refusal::UnknownKey {
                stored: self.key_id,
            }),
            (_, Request::Submit { .. }) if submissions_free_at > now => Err(RateLimited {
                retry_at: submissions_free_at,
            }),
            (_, Request::Submit { .. }) if code_dead => Ok(Change::Count {
                to: Status::TooManyAttempts,
                refusal: Refusal::TooManyAttempts,
            }),
            (_, Request::Submit { .. }) if expired => Ok(Change::Count {
                to: Status::Expired,
                refusal: Refusal::Expired,
            }),
            (_, Request::Submit { tag, confirm, .. }) => Ok(Change::Compare { tag, confirm }),
            (_, Request::Reissue { .. }) if resends_free_at > now => Err(RateLimited {
                retry_at: resends_free_at,
            }),
            (_, Request::Reissue { key, tag }) => Ok(Change::Reissue { key, tag }),
            (_, Request::AdminConfirm) => Ok(Change::Confirm),
        }
    }

    /// Carries out `change` at `now`: the only place a state is modified.
    fn apply(
        &self,
        policy: &Policy,
        now: Timestamp,
        change: Change,
    ) -> (Self, Result<(), Refusal>) {
        let Some(version) = self.version.checked_add(1) else {
            return (*self, Err(Refusal::VersionExhausted));
        };
        let window = policy.window();
        let mut next = Self {
            version,
            seen_at: now,
            submissions: self.submissions.pruned(now, window),
            resends: self.resends.pruned(now, window),
            ..*self
        };
        let outcome = match change {
            Change::Count { to, refusal } => {
                next.submissions = next.submissions.with(now);
                next.status = to;
                Err(refusal)
            }
            Change::Compare { tag, confirm } => {
                next.submissions = next.submissions.with(now);
                next.attempts = self.attempts.saturating_add(1);
                let remaining = policy.attempts_per_code().saturating_sub(next.attempts);
                // Both comparisons always run, so timing tells neither result.
                let (matched, replaced) = (tag.matches(&self.tag), tag.begins_with(self.replaced));
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
                next.resends = next.resends.with(now);
                Ok(())
            }
            Change::Confirm => {
                next.status = Status::Confirmed;
                Ok(())
            }
        };
        (next, outcome)
    }

    /// Runs `request` through the table at the state's clock, then applies the change.
    pub(crate) fn step(
        &self,
        policy: &Policy,
        now: Timestamp,
        request: Request,
    ) -> (Self, Result<(), Refusal>) {
        let now = self.clock(now);
        match self.decide(policy, now, request) {
            Ok(change) => self.apply(policy, now, change),
            Err(refusal) => (*self, Err(refusal)),
        }
    }

    /// `now`, never earlier than the last change: a clock going back cannot undo time.
    pub(crate) fn clock(&self, now: Timestamp) -> Timestamp {
        now.max(self.seen_at)
    }
}
