//! `AdminCreateUser`'s new user (`invitations.rs` checks the request): inserted by the
//! crate's `Write` with its conditions, the name free and each verified alias free or taken
//! with `ForceAliasCreation` (`AliasClaim::on`, the crate's rule), decided again on a new read
//! after a lost race.

use confirmation_flow::{
    Confirmation,
    cognito::{
        AliasAttribute, AliasClaim, Exception, Expected, NewAttributes, Target, UserStatus, Write,
    },
};
use confirmation_flow_store::{Applied, Change, NewUser, Param};

use crate::{
    App,
    answer::{Answer, internal},
    exceptions::ServerException,
    hasher::Place,
    invitation_request::{Invitation, destination, owner},
    user_directory,
};

/// The user just inserted, refused after all.
const DELETE_NEW_USER: &str = "DELETE FROM users WHERE pool_id = $1 AND username = $2 AND sub = $3";

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
pub(crate) async fn insert(
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
        .transpose()?
        .flatten();
    let (pool, username, login) = (&invitation.pool, &invitation.username, &invitation.login);
    let temporary = &invitation.temporary;
    let made = place.credentials(temporary.to_owned(), pool.id.clone(), username.to_owned());
    let (hash, verifier) = made.await.map_err(internal)?;
    let days = i64::from(pool.password_policy.temporary_password_validity_days);
    for attempt in 0..3 {
        // Read again after a lost race (the first was read above, before the hash).
        if attempt > 0 && taken(app, invitation).await? {
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
            claims.push((kind, value, held));
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
                .filter(|(kind, ..)| pool.aliases.contains(*kind))
                .map(|(kind, value, held)| AliasClaim::on(*kind, value, held.as_deref())),
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
            let second = claims.get(1).map(|(kind, ..)| *kind);
            verify_second(app, invitation, &sub, second, now).await?;
            return Ok(medium);
        }
    }
    Err(internal(
        "the user's name or aliases kept changing: send it again",
    ))
}

/// The second verified value of a user just inserted (the insert's `Write` verifies one):
/// verified, and claimed if it is an alias, by a second write, decided again on a fresh read
/// of its owner when it loses a race. Refused (another user took the value meanwhile, and
/// `ForceAliasCreation` was not sent, so the insert took nothing from anyone), the new user
/// is deleted again: a refused request leaves nothing behind. (One `Write` verifies one
/// attribute; the user is visible with one verified for the moment between the writes.)
async fn verify_second(
    app: &App,
    invitation: &Invitation,
    sub: &str,
    second: Option<AliasAttribute>,
    now: i64,
) -> Result<(), Answer> {
    let Some(kind) = second else {
        return Ok(());
    };
    let (pool, username) = (&invitation.pool, invitation.username.as_str());
    let value = invitation.attributes.verified(kind).unwrap_or_default();
    let alias = pool.aliases.contains(kind);
    for _ in 0..3 {
        let held = if alias {
            owner(app, &pool.id, kind, value).await?
        } else {
            None
        };
        if held.is_some() && !invitation.force {
            // By its `sub` too: never another user made under the name meanwhile.
            let params = vec![
                Param::text(&pool.id),
                Param::text(username),
                Param::text(sub),
            ];
            let deleted = app
                .store
                .transaction(vec![(DELETE_NEW_USER.into(), params)]);
            deleted.await.map_err(internal)?;
            return Err(Exception::AliasExists { attribute: kind }.into());
        }
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
            verify: Some(kind),
            alias: alias.then(|| AliasClaim::on(kind, value, held.as_deref())),
        };
        let crate_pool = app.pool(pool);
        let change = Change::of(&pool.id, &write, crate_pool.policy, NewUser::default(), now)
            .map_err(internal)?;
        if app.store.apply(change).await.map_err(internal)? == Applied::Done {
            return Ok(());
        }
    }
    Err(internal("the user's aliases kept changing: send it again"))
}
