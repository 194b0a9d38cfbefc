//! The operations on a confirmation's sign-in grant ([`SignInGrant`]): recording it with the
//! confirmation, spending it with the sign-in.

use super::{Confirmation, Submission};
use crate::{
    grant::SignInGrant, key::ServerKey, policy::Policy, status::Refusal, time::Timestamp,
    transition::Request,
};

impl Confirmation {
    /// [`submit`](Self::submit) that, when the code confirms, also records `grant`: the
    /// sign-in session handed out with the confirmation, which
    /// [`redeem_sign_in`](Self::redeem_sign_in) then spends once.
    pub fn submit_granting_sign_in(
        &self,
        policy: &Policy,
        key: &ServerKey,
        subject: &[u8],
        code: &str,
        now: Timestamp,
        grant: SignInGrant,
    ) -> Submission {
        self.attempt(policy, key, subject, code, now, true, grant)
    }

    /// Spends the sign-in grant for the session with `nonce` at `now`: the state to store
    /// (with compare-and-swap on this state's version) before answering with tokens.
    ///
    /// # Errors
    /// Nothing changes on any error: [`Refusal::NotGranted`] unless the user is confirmed
    /// and holds a live grant for this nonce (none was recorded, it was spent, it expired,
    /// or it was another session's); [`Refusal::VersionExhausted`].
    pub fn redeem_sign_in(
        &self,
        policy: &Policy,
        nonce: &[u8; 16],
        now: Timestamp,
    ) -> Result<Self, Refusal> {
        let step = self.step(policy, now, Request::Redeem { nonce: *nonce });
        step.outcome.map(|()| step.state)
    }

    /// The live sign-in grant at `now`, if any.
    #[must_use]
    pub fn sign_in_grant(&self, now: Timestamp) -> Option<SignInGrant> {
        (self.clock(now) < self.grant.until).then_some(self.grant)
    }
}
