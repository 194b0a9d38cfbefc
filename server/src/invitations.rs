//! `AdminCreateUser`: a user an administrator invites, with a temporary password (the
//! request's, or one made to the pool's policy) delivered through the outbox, in status
//! `FORCE_CHANGE_PASSWORD` until they sign in and choose their own (`new_password.rs`).
//!
//! In order: the pool; the members' shapes; the temporary password against the policy; the
//! attributes (formats, each named once, `*_verified` true or false); the username's format
//! (a login in a pool with `UsernameAttributes`, no alias's format in a pool with
//! `AliasAttributes`); then, on a read of the user and of the verified owners of its
//! aliases, the decision: `RESEND` to a user waiting for their first password gives them a
//! new one; a taken name is `UsernameExistsException`; a verified alias another user holds is
//! `AliasExistsException` unless `ForceAliasCreation` takes it (`AliasClaim::on`, the
//! crate's rule). The insert is the crate's `Write`, carried out by the store with its
//! conditions; a lost race is decided again on a new read.

use confirmation_flow::cognito::{AliasAttribute, Exception, UserStatus};
use serde_json::json;

use crate::{
    App,
    admin_request::{live_pool, one_of, required, username_shaped},
    answer::{Answer, internal},
    exceptions::ServerException,
    hasher::Place,
    invitation_insert,
    invitation_request::{Attributes, Invitation, Mediums, Request, attributes, destination, name},
    outbox::{Delivery, DeliveryKind},
    password,
    password_change::{self, NewPassword},
    serve::refuse_full,
    throttle::too_many_requests,
    user_directory, users,
};

/// `AdminCreateUser` (admin): the new user, and the invitation to deliver.
pub(crate) async fn admin_create_user(app: &App, body: &[u8]) -> (Answer, Option<Delivery>) {
    match create(app, body).await {
        Ok(created) => created,
        Err(answer) => (answer, None),
    }
}

async fn create(app: &App, body: &[u8]) -> Result<(Answer, Option<Delivery>), Answer> {
    let request: Request = crate::answer::decode("AdminCreateUser", body)?;
    let pool_id = required(request.user_pool_id, "userPoolId")?;
    let pool = live_pool(app, &pool_id).await?;
    let named = required(request.username, "username")?;
    username_shaped(&named)?;
    let action = request
        .message_action
        .map(|action| one_of(action, "messageAction", &["RESEND", "SUPPRESS"]))
        .transpose()?;
    let mediums = Mediums {
        given: request.desired_delivery_mediums.is_some(),
        named: request
            .desired_delivery_mediums
            .unwrap_or_else(|| vec!["SMS".to_owned()]),
    };
    for medium in &mediums.named {
        one_of(medium.clone(), "desiredDeliveryMediums", &["SMS", "EMAIL"])?;
    }
    let temporary = match request.temporary_password {
        Some(given) => {
            password::keeps(&pool.password_policy, &given, password::TEMPORARY)?;
            given
        }
        None => password::temporary(&pool.password_policy),
    };
    let mut attributes = attributes(&request.user_attributes)?;
    let (username, login) = name(&pool, &named, &mut attributes)?;
    let mut invitation = Invitation {
        pool,
        username,
        login,
        attributes,
        temporary,
        force: request.force_alias_creation,
        mediums: (action.as_deref() != Some("SUPPRESS")).then_some(mediums),
    };
    let place = app.passwords.reserve().ok_or_else(too_many_requests)?;
    let (_, now) = app.clock.now();
    let medium = if action.as_deref() == Some("RESEND") {
        resend_to(app, &mut invitation, place, now).await?
    } else {
        refuse_full(app, &invitation.pool.id)?;
        invitation_insert::insert(app, &invitation, place, now).await?
    };
    let Invitation { pool, username, .. } = invitation;
    let user = app.store.load(&pool.id, &username).await;
    let user = user
        .map_err(internal)?
        .ok_or_else(|| internal("a user just written"))?;
    let delivery = medium.map(|(attribute, destination)| Delivery {
        pool_id: pool.id.clone(),
        username: user.username.clone(),
        attribute,
        destination,
        code: invitation.temporary,
        kind: DeliveryKind::TemporaryPassword,
    });
    let answer = json!({ "User": users::user_json(&user) });
    Ok((Answer::Ok(answer.to_string()), delivery))
}

/// `RESEND`: a new temporary password for the user named, who must be waiting for their
/// first; where it goes, from the user's stored attributes.
async fn resend_to(
    app: &App,
    invitation: &mut Invitation,
    place: Place,
    now: i64,
) -> Result<Option<(AliasAttribute, String)>, Answer> {
    let pool = &invitation.pool;
    if let Some(login) = &invitation.login {
        let stored = user_directory::username_of(&app.store, &pool.id, login).await;
        invitation.username = stored
            .map_err(internal)?
            .ok_or(Exception::AdminUserNotFound)?;
    }
    let username = invitation.username.as_str();
    let before = password_change::read(app, &pool.id, username).await?;
    let before = before.ok_or(Exception::AdminUserNotFound)?;
    if before.status != "FORCE_CHANGE_PASSWORD" {
        return Err(Answer::refuse(
            ServerException::UnsupportedUserState,
            format!("Resend not possible. {username} status is not FORCE_CHANGE_PASSWORD."),
        ));
    }
    let held = Attributes {
        email: before.email.clone(),
        phone_number: before.phone_number.clone(),
        ..Attributes::default()
    };
    let medium = invitation
        .mediums
        .as_ref()
        .map(|mediums| destination(mediums, &held))
        .transpose()?
        .flatten();
    let new = NewPassword {
        password: invitation.temporary.clone(),
        temporary: true,
        status: UserStatus::ForceChangePassword,
    };
    if password_change::store(app, pool, username, &before, new, place, now).await? {
        Ok(medium)
    } else {
        Err(internal("the user changed during RESEND: send it again"))
    }
}
