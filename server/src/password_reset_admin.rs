//! `AdminResetUserPassword`: the user must reset their password (`RESET_REQUIRED`: their
//! password signs them in no more, `PasswordResetRequiredException`), and is sent a reset
//! code to their verified phone number, else email, as the service does. The status, the
//! user's state (a sign-in grant dies, the version moves) and the code are stored in one
//! compare-and-swap.

use confirmation_flow::cognito::{Exception, PhantomId, UserStatus};
use confirmation_flow_store::{Guarded, Param};
use serde::Deserialize;

use crate::{
    App,
    admin_request::{invalid, live_pool, required},
    answer::{Answer, internal},
    exceptions::ServerException,
    outbox::Delivery,
    password_reset,
    reset_account::{Account, NOT_NOW, NOTHING_VERIFIED, Recipient, verified_destination},
};

const RESET_REQUIRED: &str = "UPDATE users SET status = 'RESET_REQUIRED', state = $4, \
     version = $5, updated_at = $6 \
     WHERE pool_id = $1 AND username = $2 AND sub = $3 AND version = $7 AND status = $8";

/// The members read; `ClientMetadata` is accepted and not acted on.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    user_pool_id: Option<String>,
    username: Option<String>,
}

/// `AdminResetUserPassword` (admin): answers `{}`, then delivers the code.
pub(crate) async fn admin_reset_user_password(
    app: &App,
    body: &[u8],
) -> (Answer, Option<Delivery>) {
    match reset(app, body).await {
        Ok(served) => served,
        Err(answer) => (answer, None),
    }
}

async fn reset(app: &App, body: &[u8]) -> Result<(Answer, Option<Delivery>), Answer> {
    let request: Request = crate::answer::decode("AdminResetUserPassword", body)?;
    let pool_id = required(request.user_pool_id, "userPoolId")?;
    let named = required(request.username, "username")?;
    let pool = live_pool(app, &pool_id).await?;
    let username = crate::users::username(app, &pool_id, &named).await?;
    let policy = password_reset::policy(app)?;
    // A user changed meanwhile (a code confirmed, a sign-in) is read again.
    let mut attempt = 0;
    while crate::password_resets::another_try(attempt).await {
        attempt += 1;
        let user = app
            .store
            .load(&pool_id, &username)
            .await
            .map_err(internal)?;
        let user = user.ok_or(Exception::AdminUserNotFound)?;
        if !matches!(
            user.status,
            UserStatus::Confirmed | UserStatus::ResetRequired
        ) {
            return Err(Answer::refuse(ServerException::NotAuthorized, NOT_NOW));
        }
        let destination = verified_destination(
            (user.email.as_deref(), user.email_verified),
            (user.phone_number.as_deref(), user.phone_number_verified),
        );
        let (attribute, destination) = destination.ok_or_else(|| invalid(NOTHING_VERIFIED))?;
        let (now, seconds) = app.clock.now();
        let after = (user.state)
            .password_changed(&app.policy, now)
            .map_err(|_| internal("the user's version is exhausted"))?;
        let as_i64 = |version: u64| i64::try_from(version).map_err(internal);
        let params = vec![
            Param::text(&pool_id),
            Param::text(&user.username),
            Param::text(&user.sub),
            Param::text(serde_json::to_string(&after).map_err(internal)?),
            Param::Int(as_i64(after.version())?),
            Param::Int(seconds),
            Param::Int(as_i64(user.state.version())?),
            Param::text(user.status.as_str()),
        ];
        let account = Account {
            key: user.sub.clone(),
            user: Some(Recipient {
                sub: user.sub.clone(),
                username: user.username.clone(),
                attribute,
                destination,
            }),
            medium: attribute,
            phantom: PhantomId::derive(app.keys().current(), &pool_id, &user.username),
            named_address: None,
        };
        let with = vec![Guarded::one(RESET_REQUIRED, params)];
        if let Some((_, delivery)) =
            password_reset::send(app, &pool.id, &policy, &account, with).await?
        {
            return Ok((Answer::Ok("{}".to_owned()), delivery));
        }
    }
    Err(internal("the user kept changing: send it again"))
}
