//! `AdminConfirmSignUp`: no code, no counting, no attribute verified.

use super::{
    AdminConfirmSignUp, Exception, PostConfirmationEvent, Rejection, UserRecord, UserStatus,
    context::{Pool, exception_for},
    trigger::CLIENT_ID_NOT_APPLICABLE,
};
use crate::{Confirmation, Timestamp};

/// A user confirmed by an administrator.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AdminConfirmed<'a> {
    /// The user's new state; write it with compare-and-swap on the old version.
    pub state: Confirmation,
    /// The `PostConfirmation` event (client `CLIENT_ID_NOT_APPLICABLE`, nothing verified).
    pub event: PostConfirmationEvent<'a>,
}

/// Runs `AdminConfirmSignUp`: validation, the pool, the user, its status, then the commit.
/// (IAM authentication of the caller is the server's job, before this call.)
///
/// # Errors
/// A [`Rejection`] with the exception to answer; nothing is ever counted.
pub fn admin_confirm_sign_up<'a>(
    pool: &Pool<'a>,
    request: &AdminConfirmSignUp<'a>,
    user: Option<&UserRecord<'a>>,
    now: Timestamp,
) -> Result<AdminConfirmed<'a>, Rejection<'a>> {
    request.validate()?;
    if request.user_pool_id != pool.user_pool_id {
        return Err(Exception::UserPoolNotFound {
            user_pool_id: request.user_pool_id,
        }
        .into());
    }
    let user = user.ok_or(Exception::AdminUserNotFound)?;
    if user.status != UserStatus::Unconfirmed {
        return Err(Exception::CannotConfirm {
            status: user.status,
        }
        .into());
    }
    let state = user
        .confirmation
        .admin_confirm(pool.policy, now)
        .map_err(exception_for)?;
    Ok(AdminConfirmed {
        state,
        event: PostConfirmationEvent {
            region: pool.region,
            user_pool_id: pool.user_pool_id,
            user_name: user.username,
            client_id: CLIENT_ID_NOT_APPLICABLE,
            stored_attributes: user.attributes,
            verified: None,
            client_metadata: request.client_metadata,
        },
    })
}
