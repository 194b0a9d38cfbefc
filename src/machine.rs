//! `Confirmation`: the state a caller persists and the operations on it. Its fields are
//! private to this module: `apply` (the one place a state is modified), `parts` (the
//! stored form's view) and `read` (what a caller may read of it) are its children.

mod apply;
mod grant;
mod parts;
mod read;

pub(crate) use parts::Parts;

use crate::{
    code::{Code, ENTROPY_LEN, EntropyExhausted},
    grant::SignInGrant,
    key::{KeyId, ReplacedTag, ServerKey, Tag, TagDomain},
    policy::{MAX_RESENDS_PER_WINDOW, MAX_SUBMISSIONS_PER_WINDOW, Policy},
    status::{Refusal, Status},
    time::Timestamp,
    transition::Request,
    window::RateLog,
};

pub(crate) const SUBMISSION_LOG: usize = MAX_SUBMISSIONS_PER_WINDOW as usize;
pub(crate) const RESEND_LOG: usize = MAX_RESENDS_PER_WINDOW as usize;

/// One user's sign-up confirmation: a small `Copy` value the caller stores and passes back.
///
/// Every operation is pure: it takes the stored value and `now`, and returns the value to
/// store next. Each change increments [`version`](Self::version), so a store that writes
/// with compare-and-swap on it never lets two concurrent requests share one attempt.
/// The code itself is never held: only its keyed tag, bound to the user (`subject`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(into = "crate::StoredState", try_from = "crate::StoredState")
)]
pub struct Confirmation {
    status: Status,
    attempts: u8,
    key_id: KeyId,
    tag: Tag,
    replaced: ReplacedTag,
    issued_at: Timestamp,
    expires_at: Timestamp,
    seen_at: Timestamp,
    version: u64,
    submissions: RateLog<SUBMISSION_LOG>,
    resends: RateLog<RESEND_LOG>,
    /// Recorded by a confirmation that handed out a sign-in session; spent by signing in.
    grant: SignInGrant,
}

impl Confirmation {
    /// Issues the first code for `subject` (the user's stable id, bound into the tag).
    ///
    /// Returns the state to store and the code to deliver. The state starts at version 1
    /// with status [`Status::Pending`]; the code lives until `now + policy.code_ttl()`.
    ///
    /// # Errors
    /// [`EntropyExhausted`] if `entropy` could not fill a code (see [`Code::generate`]).
    pub fn issue(
        policy: &Policy,
        key: &ServerKey,
        subject: &[u8],
        now: Timestamp,
        entropy: &[u8; ENTROPY_LEN],
    ) -> Result<(Self, Code), EntropyExhausted> {
        let code = Code::generate(policy, entropy)?;
        let (tag, _) = key.tag(
            TagDomain::Code,
            subject,
            code.as_str().as_bytes(),
            policy.alphabet(),
        );
        Ok((Self::fresh(policy, key.id(), tag, now), code))
    }

    /// The state of a user with nothing to confirm by code: one an administrator created
    /// (Cognito's `AdminCreateUser`), whose account is confirmed by the password they
    /// choose, not by a code. Confirmed, version 1, no code live, nothing counted: every code
    /// submitted or resent for it is refused as [`Refusal::AlreadyConfirmed`].
    #[must_use]
    pub fn without_code(policy: &Policy, key_id: KeyId, now: Timestamp) -> Self {
        Self {
            status: Status::Confirmed,
            ..Self::unmatchable(policy, key_id, now)
        }
    }

    /// A pending state whose tag no code matches, made without any MAC (so making it costs
    /// next to nothing): the first state of a phantom, a user who does not exist, or of an
    /// account that has not been sent a code yet. Every submission to it is counted and
    /// refused as a mismatch, as a wrong code for a real one is.
    #[must_use]
    pub fn unmatchable(policy: &Policy, key_id: KeyId, now: Timestamp) -> Self {
        Self::fresh(policy, key_id, Tag([0; 32]), now)
    }

    /// A first code's state: pending, version 1, nothing counted yet.
    fn fresh(policy: &Policy, key_id: KeyId, tag: Tag, now: Timestamp) -> Self {
        Self {
            status: Status::Pending,
            attempts: 0,
            key_id,
            tag,
            replaced: ReplacedTag::default(),
            issued_at: now,
            expires_at: now.saturating_add(policy.code_ttl()),
            seen_at: now,
            version: 1,
            submissions: RateLog::EMPTY,
            resends: RateLog::EMPTY,
            grant: SignInGrant::NONE,
        }
    }

    /// Checks a code the user submitted, in this order:
    ///
    /// 1. already confirmed → [`Refusal::AlreadyConfirmed`], nothing changes;
    /// 2. the stored tag is under another key → [`Refusal::UnknownKey`], nothing changes;
    /// 3. the rolling window is full → [`Refusal::RateLimited`], nothing is counted;
    /// 4. the submission is counted in the window (every outcome below changes the state);
    /// 5. the code's attempts are spent → [`Refusal::TooManyAttempts`], no comparison;
    /// 6. `now` is at or past the deadline → [`Refusal::Expired`], no comparison;
    /// 7. one attempt is spent, then the tags are compared in constant time: a match
    ///    confirms; a mismatch is [`Refusal::CodeMismatch`] — or [`Refusal::Expired`] when
    ///    it is the code the last reissue replaced — and the last one leaves the state
    ///    [`Status::TooManyAttempts`].
    ///
    /// A submission longer than [`MAX_SUBMITTED_CODE_LEN`](crate::MAX_SUBMITTED_CODE_LEN)
    /// bytes, or with more or fewer symbols than the policy's codes, never matches. Every
    /// call computes exactly one tag, whatever the outcome. Persist the returned state (when
    /// [`Submission::changed`]) with compare-and-swap on the old version *before* answering
    /// the user.
    pub fn submit(
        &self,
        policy: &Policy,
        key: &ServerKey,
        subject: &[u8],
        code: &str,
        now: Timestamp,
    ) -> Submission {
        self.attempt(policy, key, subject, code, now, true, SignInGrant::NONE)
    }

    /// Counts and compares exactly like [`submit`](Self::submit), but a match does not
    /// confirm: the attempt is spent and the code stays live (status [`Status::Pending`],
    /// or [`Status::TooManyAttempts`] if that was its last attempt).
    ///
    /// For flows that must check something else once the code is proven and before
    /// committing, such as Cognito's alias conflict: the user can then resubmit the code
    /// with `ForceAliasCreation`. `outcome` is `Ok(())` when the code matched.
    pub fn submit_without_confirming(
        &self,
        policy: &Policy,
        key: &ServerKey,
        subject: &[u8],
        code: &str,
        now: Timestamp,
    ) -> Submission {
        self.attempt(policy, key, subject, code, now, false, SignInGrant::NONE)
    }

    /// Sends a new code (Cognito's `ResendConfirmationCode`): the old code dies, the new one
    /// gets a fresh attempt budget and deadline, and the resend is counted. The submission
    /// window is never refunded. `key` may be a newer key than the stored one: reissuing is
    /// how states move to a rotated key.
    ///
    /// # Errors
    /// Nothing changes on any error: [`Refusal::AlreadyConfirmed`];
    /// [`Refusal::RateLimited`] when the resend window is full;
    /// [`Refusal::EntropyExhausted`]; [`Refusal::VersionExhausted`].
    pub fn reissue(
        &self,
        policy: &Policy,
        key: &ServerKey,
        subject: &[u8],
        now: Timestamp,
        entropy: &[u8; ENTROPY_LEN],
    ) -> Result<(Self, Code), Refusal> {
        self.reissue_in(TagDomain::Code, policy, key, subject, now, entropy)
    }

    /// [`reissue`](Self::reissue) for a phantom: the same work, the same counting and the
    /// same refusals, but the new tag is made in a domain no submitted code matches, and the
    /// code is dropped (it is never delivered).
    ///
    /// # Errors
    /// As [`reissue`](Self::reissue); nothing changes on any error.
    pub fn reissue_unmatchable(
        &self,
        policy: &Policy,
        key: &ServerKey,
        subject: &[u8],
        now: Timestamp,
        entropy: &[u8; ENTROPY_LEN],
    ) -> Result<Self, Refusal> {
        let (state, _) =
            self.reissue_in(TagDomain::Unmatchable, policy, key, subject, now, entropy)?;
        Ok(state)
    }

    /// [`reissue`](Self::reissue) with the new code's tag made in `domain`: a phantom's
    /// reissue costs what a real one costs and leaves a tag no submission matches.
    pub(crate) fn reissue_in(
        &self,
        domain: TagDomain,
        policy: &Policy,
        key: &ServerKey,
        subject: &[u8],
        now: Timestamp,
        entropy: &[u8; ENTROPY_LEN],
    ) -> Result<(Self, Code), Refusal> {
        let code = Code::generate(policy, entropy)?;
        let (tag, _) = key.tag(domain, subject, code.as_str().as_bytes(), policy.alphabet());
        let Submission { state, outcome } =
            self.step(policy, now, Request::Reissue { key: key.id(), tag });
        outcome.map(|()| (state, code))
    }

    /// Confirms without a code (Cognito's `AdminConfirmSignUp`): nothing is counted.
    ///
    /// # Errors
    /// Nothing changes on any error: [`Refusal::AlreadyConfirmed`];
    /// [`Refusal::VersionExhausted`].
    pub fn admin_confirm(&self, policy: &Policy, now: Timestamp) -> Result<Self, Refusal> {
        let Submission { state, outcome } = self.step(policy, now, Request::AdminConfirm);
        outcome.map(|()| state)
    }

    /// The user's password changed (an administrator set it, or the user chose one for
    /// their invitation): whatever the state, a pending code dies (the account waits for no
    /// code any more), a sign-in grant is revoked, and the version moves, so that a write
    /// decided on the state before (a confirmation, a redemption) loses its compare-and-swap.
    ///
    /// # Errors
    /// Nothing changes on an error: [`Refusal::VersionExhausted`].
    pub fn password_changed(&self, policy: &Policy, now: Timestamp) -> Result<Self, Refusal> {
        let Submission { state, outcome } = self.step(policy, now, Request::PasswordChanged);
        outcome.map(|()| state)
    }
}

/// The result of [`Confirmation::submit`]: the state to store and what happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use = "the returned state must be persisted before answering"]
#[non_exhaustive]
pub struct Submission {
    /// The state to store. Equal to the input when nothing was counted.
    pub state: Confirmation,
    /// `Ok(())` when the code matched and the user is now confirmed.
    pub outcome: Result<(), Refusal>,
}

impl Submission {
    /// Whether the code matched and the user is now confirmed.
    #[must_use]
    pub const fn is_confirmed(&self) -> bool {
        self.outcome.is_ok()
    }

    /// Whether `state` differs from `before` and must be written (with compare-and-swap on
    /// `before.version()`).
    #[must_use]
    pub const fn changed(&self, before: &Confirmation) -> bool {
        self.state.version != before.version
    }
}
