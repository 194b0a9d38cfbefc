//! `ResendConfirmationCode`: a new code, the old one dead, the rate windows never
//! refunded — for a phantom too, so an unknown user's answers are a real user's.

use core::fmt;

use super::{
    AnalyticsMetadata, ClientMetadata, Exception, Fresh, Lookup, Outcome, PhantomId, Pool, Reply,
    UserContextData, UserStatus, Valid,
    account::{Account, stand_in},
    members::{self, Slot, Value},
    outcome::{After, Delivery},
    request::Redacted,
};
use crate::{Refusal, key::TagDomain};

/// A `ResendConfirmationCode` request. `Debug` shows no hash or context data.
#[derive(Clone, Copy, Default)]
#[expect(
    clippy::exhaustive_structs,
    reason = "mirrors the service model's members"
)]
pub struct ResendConfirmationCode<'a> {
    /// `ClientId` (required).
    pub client_id: &'a str,
    /// `SecretHash`.
    pub secret_hash: Option<&'a str>,
    /// `Username` (required).
    pub username: &'a str,
    /// `UserContextData`.
    pub user_context_data: Option<UserContextData<'a>>,
    /// `AnalyticsMetadata`.
    pub analytics_metadata: Option<AnalyticsMetadata<'a>>,
    /// `ClientMetadata`, for a custom-message trigger.
    pub client_metadata: Option<ClientMetadata<'a>>,
}

/// The members, in the model's order.
pub(crate) const MEMBERS: &[Slot] = &[
    Slot::ClientId,
    Slot::SecretHash,
    Slot::UserContextData,
    Slot::Username,
    Slot::AnalyticsMetadata,
    Slot::ClientMetadata,
];

impl<'a> ResendConfirmationCode<'a> {
    /// Checks every member against the service model.
    ///
    /// # Errors
    /// [`Exception::Validation`] listing every broken rule, in member order.
    pub fn validate(self) -> Result<Valid<Self>, Exception<'static>> {
        members::validated(self, MEMBERS, Self::value)
    }

    fn value(&self, slot: Slot) -> Value<'a> {
        match slot {
            Slot::ClientId => Value::text(Some(self.client_id)),
            Slot::SecretHash => Value::text(self.secret_hash),
            Slot::Username => Value::text(Some(self.username)),
            _ => Value::Free,
        }
    }
}

impl fmt::Debug for ResendConfirmationCode<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResendConfirmationCode")
            .field("client_id", &self.client_id)
            .field("secret_hash", &Redacted::of(self.secret_hash.as_ref()))
            .field("username", &self.username)
            .field(
                "user_context_data",
                &Redacted::of(self.user_context_data.as_ref()),
            )
            .field("analytics_metadata", &self.analytics_metadata)
            .field("client_metadata", &self.client_metadata)
            .finish()
    }
}

/// Runs `ResendConfirmationCode`: client, secret hash, user (or phantom), status, then a
/// new code under the current key. A phantom's new tag is made in a domain no code matches
/// and its code is never delivered; everything else is the same work and the same answer.
pub(crate) fn decide<'a>(
    request: &ResendConfirmationCode<'a>,
    pool: &Pool<'a>,
    phantom: Option<PhantomId>,
    lookup: &Lookup<'a>,
    fresh: &Fresh<'a>,
) -> Outcome<'a> {
    let (client_id, username) = (request.client_id, request.username);
    let stand_in = stand_in(pool, username, fresh.now);
    let secret_hash = request.secret_hash;
    let account = match Account::resolve(pool, phantom, lookup, &stand_in, client_id, secret_hash) {
        Ok(account) => account,
        Err(exception) => return Outcome::refuse(exception),
    };
    match account.status {
        UserStatus::Unconfirmed => {}
        UserStatus::Confirmed => return Outcome::refuse(Exception::AlreadyConfirmedResend),
        status => return Outcome::refuse(Exception::CannotConfirm { status }),
    }
    let domain = if account.is_user() {
        TagDomain::Code
    } else {
        TagDomain::Unmatchable
    };
    let (policy, key, subject) = (pool.policy, pool.keys.current(), account.subject());
    let (state, code) =
        match account
            .state
            .reissue_in(domain, policy, key, subject, fresh.now, &fresh.entropy)
        {
            Ok(reissued) => reissued,
            Err(Refusal::RateLimited { .. }) => return Outcome::refuse(Exception::LimitExceeded),
            Err(Refusal::AlreadyConfirmed) => {
                return Outcome::refuse(Exception::AlreadyConfirmedResend);
            }
            Err(_) => return Outcome::refuse(Exception::InternalError),
        };
    let after = match (account.is_user(), account.destination) {
        (true, Some(destination)) => After::Deliver(Delivery {
            username: account.username,
            destination,
            code,
        }),
        _ => After::Nothing,
    };
    Outcome::new(
        Some(account.write(state)),
        Reply::ResendConfirmationCode {
            delivery: account.details(),
        },
        after,
    )
}
