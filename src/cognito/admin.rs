//! `AdminConfirmSignUp`: no code, no counting, no attribute verified.

use super::{
    ClientMetadata, Exception, Fresh, Lookup, Outcome, Pool, PostConfirmationEvent, Reply, Target,
    TriggerSource, UserStatus, Valid, Write,
    members::{self, Slot, Value},
    outcome::After,
    trigger::CLIENT_ID_NOT_APPLICABLE,
    write::Expected,
};

/// An `AdminConfirmSignUp` request.
#[derive(Clone, Copy, Debug, Default)]
#[expect(
    clippy::exhaustive_structs,
    reason = "mirrors the service model's members"
)]
pub struct AdminConfirmSignUp<'a> {
    /// `UserPoolId` (required).
    pub user_pool_id: &'a str,
    /// `Username` (required).
    pub username: &'a str,
    /// `ClientMetadata`, for the `PostConfirmation` trigger.
    pub client_metadata: Option<ClientMetadata<'a>>,
}

/// The members, in the model's order.
pub(crate) const MEMBERS: &[Slot] = &[Slot::UserPoolId, Slot::Username, Slot::ClientMetadata];

impl<'a> AdminConfirmSignUp<'a> {
    /// Checks every member against the service model.
    ///
    /// # Errors
    /// [`Exception::Validation`] listing every broken rule, in member order.
    pub fn validate(self) -> Result<Valid<Self>, Exception<'static>> {
        members::validated(self, MEMBERS, Self::value)
    }

    fn value(&self, slot: Slot) -> Value<'a> {
        match slot {
            Slot::UserPoolId => Value::text(Some(self.user_pool_id)),
            Slot::Username => Value::text(Some(self.username)),
            _ => Value::Free,
        }
    }
}

/// Runs `AdminConfirmSignUp`: the pool, the user, its status, then the commit. (IAM
/// authentication of the caller is the server's job, before this.) Admin operations name
/// unknown users, as the service's do.
pub(crate) fn decide<'a>(
    request: &AdminConfirmSignUp<'a>,
    pool: &Pool<'a>,
    lookup: &Lookup<'a>,
    fresh: &Fresh<'a>,
) -> Outcome<'a> {
    if request.user_pool_id != pool.user_pool_id {
        return Outcome::refuse(Exception::UserPoolNotFound {
            user_pool_id: request.user_pool_id,
        });
    }
    let Some(user) = lookup.user else {
        return Outcome::refuse(Exception::AdminUserNotFound);
    };
    if user.status != UserStatus::Unconfirmed {
        return Outcome::refuse(Exception::CannotConfirm {
            status: user.status,
        });
    }
    let state = match user.confirmation.admin_confirm(pool.policy, fresh.now) {
        Ok(state) => state,
        Err(refusal) => return Outcome::refuse(Exception::for_refusal(refusal)),
    };
    Outcome::new(
        Some(Write {
            target: Target::User {
                username: user.username,
                subject: user.subject,
                attributes: None,
            },
            expected: Expected::Version(user.confirmation.version()),
            state,
            status: Some(UserStatus::Confirmed),
            verify: None,
            alias: None,
        }),
        Reply::AdminConfirmSignUp,
        After::PostConfirmation(PostConfirmationEvent {
            region: pool.region,
            user_pool_id: pool.user_pool_id,
            user_name: user.username,
            client_id: CLIENT_ID_NOT_APPLICABLE,
            stored_attributes: user.attributes,
            verified: None,
            client_metadata: request.client_metadata,
            source: TriggerSource::ConfirmSignUp,
        }),
    )
}
