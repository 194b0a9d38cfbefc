//! `NEW_PASSWORD_REQUIRED`: what a sign-in with the right password answers a user an
//! administrator created (`FORCE_CHANGE_PASSWORD`), and the `RespondToAuthChallenge` that
//! sets the user's own password and signs them in.
//!
//! The challenge's `Session` is random, stored as a keyed hash with the user's `sub`, the
//! client, and a keyed hash of the temporary password's stored hash: it is single-use
//! (deleted by the answer that uses it, on any process), lives the client's
//! `AuthSessionValidity`, and names one user with one temporary password, so a user deleted
//! and created again, or given another temporary password meanwhile, is not changed by it.

use base64::{Engine as _, engine::general_purpose::STANDARD};
use confirmation_flow::cognito::{Exception, UserStatus};
use confirmation_flow_store::{Param, Value};
use serde_json::json;

use crate::{
    App,
    admin_request::invalid,
    answer::{Answer, Outcome, internal},
    exceptions::ServerException,
    password,
    password_challenges::{FIND, INSERT, SPEND},
    password_change::{self, NewPassword},
    password_sign_in::{self, User},
    pools::{Client, Pool},
    refresh,
    throttle::too_many_requests,
};

/// The service's answer to a challenge answered after its session's lifetime.
pub const SESSION_EXPIRED: &str = "Invalid session for the user, session is expired.";

/// The service's answer to a temporary password used past `TemporaryPasswordValidityDays`.
pub const EXPIRED: &str = "Temporary password has expired and must be reset by an administrator.";

fn keyed(app: &App, purpose: &str, value: &str) -> String {
    app.keys
        .refresh
        .current(&format!("new-password-{purpose}\0{value}"))
}

/// What a sign-in whose password was right answers `user` through `client` at `now`:
/// tokens for a confirmed user; the `NEW_PASSWORD_REQUIRED` challenge for one with a
/// temporary password that still works; else the service's refusal.
pub(crate) async fn signed_in(app: &App, client: &Client, user: &User, now: i64) -> Outcome {
    match user.status.as_str() {
        "CONFIRMED" => refresh::signed_in(app, client, &user.identity, now).await,
        "FORCE_CHANGE_PASSWORD" if user.password_expires_at.is_some_and(|end| end <= now) => {
            Err(Answer::refuse(ServerException::NotAuthorized, EXPIRED))
        }
        "FORCE_CHANGE_PASSWORD" => challenge(app, client, user, now).await,
        // Only someone who knows the password learns it, as with an unconfirmed user.
        "RESET_REQUIRED" => Err(Answer::refuse(
            ServerException::PasswordResetRequired,
            "Password reset required for the user",
        )),
        _ => Err(Answer::refuse(
            ServerException::UserNotConfirmed,
            "User is not confirmed.",
        )),
    }
}

/// Hands out the `NEW_PASSWORD_REQUIRED` challenge for `user`.
async fn challenge(app: &App, client: &Client, user: &User, now: i64) -> Outcome {
    let session = STANDARD.encode(crate::random::random_bytes::<48>());
    let identity = &user.identity;
    let binding = keyed(app, "binding", user.password_hash.as_deref().unwrap_or(""));
    let lifetime = client.challenge_lifetime();
    let params = vec![
        Param::text(keyed(app, "session", &session)),
        Param::text(&client.pool_id),
        Param::text(&client.id),
        Param::text(&identity.username),
        Param::text(&identity.sub),
        Param::text(binding),
        Param::Int(now.saturating_add(lifetime)),
    ];
    let inserted = app.store.transaction(vec![(INSERT.into(), params)]).await;
    inserted.map_err(internal)?;
    // The attributes as the service lists them to the client, `*_verified` included.
    let attributes: serde_json::Map<_, _> = crate::users::contacts(
        (identity.email.as_deref(), identity.email_verified),
        (
            identity.phone_number.as_deref(),
            identity.phone_number_verified,
        ),
    )
    .into_iter()
    .map(|(name, value)| (name, json!(value)))
    .collect();
    let body = json!({
        "ChallengeName": "NEW_PASSWORD_REQUIRED",
        "Session": session,
        "ChallengeParameters": {
            "USER_ID_FOR_SRP": identity.username,
            "requiredAttributes": "[]",
            "userAttributes": serde_json::Value::Object(attributes).to_string(),
        },
    });
    Ok(Answer::Ok(body.to_string()))
}

/// Whether `user` of `pool` signs in as `named`: its username, or, in a pool that signs in
/// with it, its email or phone number (a login, or a verified alias).
fn signs_in_as(pool: &Pool, user: &User, named: &str) -> bool {
    let identity = &user.identity;
    let ways = [
        (
            identity.email.as_deref(),
            pool.username_attributes.email || (pool.aliases.email && identity.email_verified),
        ),
        (
            identity.phone_number.as_deref(),
            pool.username_attributes.phone_number
                || (pool.aliases.phone_number && identity.phone_number_verified),
        ),
    ];
    identity.username == named
        || ways
            .iter()
            .any(|&(value, signs_in)| signs_in && value == Some(named))
}

/// What `RespondToAuthChallenge` sends for `NEW_PASSWORD_REQUIRED`.
pub struct Response<'a> {
    pub session: Option<&'a str>,
    pub username: Option<&'a str>,
    pub new_password: Option<&'a str>,
    pub secret_hash: Option<&'a str>,
    /// A `userAttributes.*` response was sent (the attributes the user fills in).
    pub attributes: bool,
}

/// Answers `NEW_PASSWORD_REQUIRED` through `client` of `pool`: the new password checked
/// against the policy (a refusal leaves the session usable), the session spent, the
/// password stored on the user it was handed out for, then tokens.
pub(crate) async fn answer(
    app: &App,
    client: &Client,
    pool: &Pool,
    sent: &Response<'_>,
) -> Outcome {
    let missing = |name: &str| invalid(format!("Missing required parameter {name}"));
    let session = sent.session.ok_or_else(|| missing("Session"))?;
    let named = sent.username.ok_or_else(|| missing("USERNAME"))?;
    let new_password = sent.new_password.ok_or_else(|| missing("NEW_PASSWORD"))?;
    client
        .app_client()
        .authorize(&client.id, named, sent.secret_hash)
        .map_err(Answer::from)?;
    if sent.attributes {
        return Err(invalid(
            "userAttributes.* are not served by this server yet: none are required",
        ));
    }
    password::keeps(&pool.password_policy, new_password, password::CHANGE)?;
    let refused = || Answer::from(Exception::InvalidSession);
    // The session first: without a live one, nothing about the user named is looked up.
    let hash = keyed(app, "session", session);
    let found = app.store.rows(FIND.into(), vec![Param::text(&hash)]).await;
    let found = found.map_err(internal)?.into_iter().next();
    let Some(
        [
            Value::Text(pool_id),
            Value::Text(client_id),
            Value::Text(username),
            Value::Text(sub),
            Value::Text(binding),
            Value::Int(expires_at),
        ],
    ) = found.and_then(|row| <[Value; 6]>::try_from(row).ok())
    else {
        return Err(refused());
    };
    if pool_id != client.pool_id || client_id != client.id {
        return Err(refused());
    }
    let (_, now) = app.clock.now();
    if expires_at <= now {
        return Err(Answer::refuse(
            ServerException::NotAuthorized,
            SESSION_EXPIRED,
        ));
    }
    // A place in the hasher's queue only for a live session: made-up ones cannot fill it.
    let place = app.passwords.reserve().ok_or_else(too_many_requests)?;
    // Spent by the first answer to reach it, on any process, whatever follows.
    let taken = app
        .store
        .transaction(vec![(SPEND.into(), vec![Param::text(&hash)])])
        .await;
    if taken.map_err(internal)? != [1] {
        return Err(refused());
    }
    // The user it was handed out for, by the same `sub`, still with the temporary password
    // it was handed out for, and that password still working; read by the session's
    // username (one read, whatever name was sent), then the name sent must be one it signs
    // in with.
    let user = password_sign_in::user_named(app, client, &username).await?;
    let user = user
        .filter(|user| user.identity.sub == sub && signs_in_as(pool, user, named))
        .ok_or_else(refused)?;
    if user.password_expires_at.is_some_and(|end| end <= now) {
        return Err(Answer::refuse(ServerException::NotAuthorized, EXPIRED));
    }
    let before = password_change::read(app, &client.pool_id, &username).await?;
    let before = before
        .filter(|before| {
            let stored = before.password_hash.as_deref().unwrap_or("");
            let bound = keyed(app, "binding", stored);
            before.sub == sub && before.status == "FORCE_CHANGE_PASSWORD" && bound == binding
        })
        .ok_or_else(refused)?;
    let new = NewPassword {
        password: new_password.to_owned(),
        temporary: false,
        status: UserStatus::Confirmed,
    };
    if !password_change::store(app, pool, &username, &before, new, place, now).await? {
        return Err(refused());
    }
    refresh::signed_in(app, client, &user.identity, now).await
}
