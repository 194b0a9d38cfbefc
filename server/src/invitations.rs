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

use confirmation_flow::{
    Confirmation,
    cognito::{
        AliasAttribute, AliasClaim, Exception, Expected, NewAttributes, Target, UserStatus, Write,
    },
};
use confirmation_flow_store::{Applied, Change, NewUser};
use serde_json::json;

use crate::{
    App,
    admin_request::{one_of, required, stored_pool},
    answer::{Answer, internal},
    exceptions::ServerException,
    hasher::Place,
    invitation_request::{Attributes, Request, attributes, destination, name, owner},
    outbox::{Delivery, DeliveryKind},
    password,
    password_change::{self, NewPassword},
    pools::Pool,
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
    stored_pool(app, &pool_id).await?;
    let pool = app.directory.pool(&app.store, &pool_id).await;
    let pool = pool
        .map_err(internal)?
        .ok_or_else(|| internal("a pool just read"))?;
    let named = required(request.username, "username")?;
    users::username_shaped(&named)?;
    let action = request
        .message_action
        .map(|action| one_of(action, "messageAction", &["RESEND", "SUPPRESS"]))
        .transpose()?;
    let mediums = request
        .desired_delivery_mediums
        .unwrap_or_else(|| vec!["SMS".to_owned()]);
    for medium in &mediums {
        one_of(medium.clone(), "desiredDeliveryMediums", &["SMS", "EMAIL"])?;
    }
    let temporary = match request.temporary_password {
        Some(given) => {
            password::check(&pool.password_policy, &given)
                .map_err(|message| Answer::refuse(ServerException::InvalidPassword, message))?;
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
        insert(app, &invitation, place, now).await?
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

/// An `AdminCreateUser` request, checked.
struct Invitation {
    pool: std::sync::Arc<Pool>,
    /// The username the user is (or, for `RESEND`, was) stored under.
    username: String,
    /// Its login, in a pool with `UsernameAttributes`.
    login: Option<String>,
    attributes: Attributes,
    temporary: String,
    force: bool,
    /// `DesiredDeliveryMediums`; `None` with `SUPPRESS`.
    mediums: Option<Vec<String>>,
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
    let stored = app.store.load(&pool.id, username).await.map_err(internal)?;
    let stored = stored.ok_or(Exception::AdminUserNotFound)?;
    let held = Attributes {
        email: stored.email,
        phone_number: stored.phone_number,
        ..Attributes::default()
    };
    let medium = invitation
        .mediums
        .as_ref()
        .map(|mediums| destination(mediums, &held))
        .transpose()?;
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

/// Whether the user the invitation names exists.
async fn taken(app: &App, invitation: &Invitation) -> Result<bool, Answer> {
    let pool_id = &invitation.pool.id;
    let found = match &invitation.login {
        Some(login) => user_directory::username_of(&app.store, pool_id, login).await,
        None => app
            .store
            .load(pool_id, &invitation.username)
            .await
            .map(|user| user.map(|user| user.username)),
    };
    Ok(found.map_err(internal)?.is_some())
}

fn exists() -> Answer {
    Answer::refuse(
        ServerException::UsernameExists,
        "User account already exists",
    )
}

/// The new user, inserted by the crate's `Write` with its conditions; decided again on a
/// lost race, a few times. Where the invitation goes.
async fn insert(
    app: &App,
    invitation: &Invitation,
    place: Place,
    now: i64,
) -> Result<Option<(AliasAttribute, String)>, Answer> {
    if taken(app, invitation).await? {
        return Err(exists());
    }
    let attributes = &invitation.attributes;
    let medium = invitation
        .mediums
        .as_ref()
        .map(|mediums| destination(mediums, attributes))
        .transpose()?;
    let (pool, username, login) = (&invitation.pool, &invitation.username, &invitation.login);
    let temporary = &invitation.temporary;
    let made = place.credentials(temporary.to_owned(), pool.id.clone(), username.to_owned());
    let (hash, verifier) = made.await.map_err(internal)?;
    let days = i64::from(pool.password_policy.temporary_password_validity_days);
    for _ in 0..3 {
        if taken(app, invitation).await? {
            return Err(exists());
        }
        // The verified values: the first an alias of the pool is claimed by the insert (the
        // crate's `Write` claims one); a second is claimed by a second write.
        let mut claims = Vec::new();
        for kind in [AliasAttribute::Email, AliasAttribute::PhoneNumber] {
            let Some(value) = attributes.verified(kind) else {
                continue;
            };
            let held = if pool.aliases.contains(kind) {
                owner(app, &pool.id, kind, value).await?
            } else {
                None
            };
            if held.is_some() && !invitation.force {
                return Err(Exception::AliasExists { attribute: kind }.into());
            }
            claims.push((kind, value, held, pool.aliases.contains(kind)));
        }
        let crate_pool = app.pool(pool);
        let (timestamp, _) = app.clock.now();
        let state = Confirmation::without_code(
            crate_pool.policy,
            crate_pool.keys.current().id(),
            timestamp,
        );
        let sub = match &login {
            Some(_) => username.to_owned(),
            None => uuid::Uuid::new_v4().hyphenated().to_string(),
        };
        let first = claims.first();
        let write = Write {
            target: Target::User {
                username,
                subject: &sub,
                attributes: Some(NewAttributes {
                    email: attributes.email.as_deref(),
                    phone_number: attributes.phone_number.as_deref(),
                }),
            },
            expected: Expected::Absent,
            state,
            status: Some(UserStatus::ForceChangePassword),
            verify: first.map(|(kind, ..)| *kind),
            alias: first
                .filter(|(.., alias)| *alias)
                .map(|(kind, value, held, _)| AliasClaim::on(*kind, value, held.as_deref())),
        };
        let new_user = NewUser {
            password_hash: Some(hash.clone()),
            srp_verifier: Some(verifier.clone()),
            login: login.clone(),
            password_expires_at: Some(now.saturating_add(days.saturating_mul(86_400))),
            ..NewUser::default()
        };
        let change =
            Change::of(&pool.id, &write, crate_pool.policy, new_user, now).map_err(internal)?;
        if app.store.apply(change).await.map_err(internal)? == Applied::Done {
            verify_second(app, pool, username, &sub, claims.get(1), now).await?;
            return Ok(medium);
        }
    }
    Err(internal(
        "the user's name or aliases kept changing: send it again",
    ))
}

/// The second verified value of a user just inserted (the insert's `Write` verifies one):
/// verified, and claimed if it is an alias, by a second write on the version inserted. If
/// another user took it in between, the new user is deleted again and the request refused,
/// so that a refused request leaves nothing behind.
async fn verify_second(
    app: &App,
    pool: &Pool,
    username: &str,
    sub: &str,
    second: Option<&(AliasAttribute, &str, Option<String>, bool)>,
    now: i64,
) -> Result<(), Answer> {
    let Some((kind, value, held, alias)) = second else {
        return Ok(());
    };
    let user = app.store.load(&pool.id, username).await.map_err(internal)?;
    let user = user.ok_or_else(|| internal("a user just inserted"))?;
    let write = Write {
        target: Target::User {
            username,
            subject: sub,
            attributes: None,
        },
        expected: Expected::Version(user.state.version()),
        state: user.state,
        status: None,
        verify: Some(*kind),
        alias: alias.then(|| AliasClaim::on(*kind, value, held.as_deref())),
    };
    let crate_pool = app.pool(pool);
    let change = Change::of(&pool.id, &write, crate_pool.policy, NewUser::default(), now)
        .map_err(internal)?;
    if app.store.apply(change).await.map_err(internal)? == Applied::Done {
        return Ok(());
    }
    user_directory::delete_user(&app.store, &pool.id, username)
        .await
        .map_err(internal)?;
    Err(Exception::AliasExists { attribute: *kind }.into())
}
