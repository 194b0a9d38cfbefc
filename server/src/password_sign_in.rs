//! `USER_PASSWORD_AUTH` (`InitiateAuth`) and `ADMIN_USER_PASSWORD_AUTH` (`AdminInitiateAuth`,
//! and its older name `ADMIN_NO_SRP_AUTH`): a username and a password, checked against the
//! user's argon2id hash, answer tokens.
//!
//! In order: the client's secret hash (over the username as sent); a place in the hasher's
//! queue, before anything about the user is looked up; the user, by username or, in a pool
//! with `UsernameAttributes`, by the email or phone number it signs in with; the attempt
//! counted before the password is checked (`lockout.rs`), a locked-out attempt answered
//! without a check; the password; then the user's status, so that only someone who knows
//! the password learns that a user is unconfirmed, as the service does.
//!
//! An unknown user is `UserNotFoundException`, or, under `PreventUserExistenceErrors`, the
//! answer a wrong password gets, after the same work: counted (under a keyed hash of its
//! name), and verified against the hasher's stand-in hash.

use confirmation_flow::cognito::Exception;
use confirmation_flow_store::{Param, Value};

use crate::{
    App,
    admin_request::{invalid, known_pool},
    answer::{Answer, internal},
    exceptions::ServerException,
    lockout::{self, Subject},
    pools::Client,
    throttle::too_many_requests,
    tokens::Identity,
};

/// The service's answer to a wrong password (and, under `PreventUserExistenceErrors`, to an
/// unknown user).
pub const INCORRECT: &str = "Incorrect username or password.";
/// The service's answer during a lock-out.
pub const LOCKED_OUT: &str = "Password attempts exceeded";

const USER_COLUMNS: &str = "SELECT username, sub, status, password_hash, email, email_verified, \
     phone_number, phone_number_verified, srp_verifier, password_expires_at FROM users \
     WHERE pool_id = $1";

/// What a password sign-in sends, from `AuthParameters`.
pub struct Credentials<'a> {
    pub username: Option<&'a str>,
    pub password: Option<&'a str>,
    pub secret_hash: Option<&'a str>,
}

/// A user as a sign-in reads it.
pub(crate) struct User {
    pub identity: Identity,
    pub status: String,
    pub password_hash: Option<String>,
    /// `<salt hex>:<verifier hex>` (`srp.rs`), for users who signed up since it was kept.
    pub srp_verifier: Option<String>,
    /// When a temporary password stops working (Unix seconds).
    pub password_expires_at: Option<i64>,
}

/// Signs in through `client` (which allows the flow: checked before) with `sent`: the user
/// whose password it is (`new_password::signed_in` answers them), or the service's
/// exception.
pub(crate) async fn sign_in(
    app: &App,
    client: &Client,
    sent: &Credentials<'_>,
) -> Result<User, Answer> {
    let missing = |name: &str| invalid(format!("Missing required parameter {name}"));
    let username = sent.username.ok_or_else(|| missing("USERNAME"))?;
    let password = sent.password.ok_or_else(|| missing("PASSWORD"))?;
    client
        .app_client()
        .authorize(&client.id, username, sent.secret_hash)
        .map_err(Answer::from)?;
    // Before anything about the user is looked up: a full queue answers every name alike.
    let place = app.passwords.reserve().ok_or_else(too_many_requests)?;
    let pool_id = client.pool_id.as_str();
    let user = find(app, client, username).await?;
    let subject = match &user {
        Some(user) => Subject::User(user.identity.username.clone()),
        None if client.prevent_user_existence_errors => {
            Subject::unknown(&app.keys.refresh, pool_id, username)
        }
        None => return Err(Exception::AdminUserNotFound.into()),
    };
    let counted = lockout::count(&app.store, pool_id, &subject, app.clock.now_ms()).await;
    if !counted.map_err(internal)? {
        return Err(Answer::refuse(ServerException::NotAuthorized, LOCKED_OUT));
    }
    let stored = user.as_ref().and_then(|user| user.password_hash.clone());
    let verified = place.verify(stored, password.to_owned()).await;
    let Some(user) = user.filter(|_| verified.is_ok_and(|verified| verified)) else {
        return Err(Answer::refuse(ServerException::NotAuthorized, INCORRECT));
    };
    lockout::clear(&app.store, pool_id, &subject)
        .await
        .map_err(internal)?;
    Ok(user)
}

/// The user `named` signs in as: by username; then, in a pool with `UsernameAttributes`, by
/// login (a username there is a `sub`, which no email or phone number is); then, in a pool
/// with `AliasAttributes`, by a verified email or phone number it holds as an alias. Every
/// look-up the pool uses runs, whichever finds the user, so that finding one costs what
/// finding nobody does (a reset, unlike a sign-in, has no password hash to hide it behind).
/// A name no username can be (over 128 characters, or with a control character) names
/// nobody and is not looked up.
///
/// # Errors
/// A database error, or a stored user that does not load.
pub(crate) async fn find(app: &App, client: &Client, named: &str) -> Result<Option<User>, Answer> {
    if !could_name_a_user(named) {
        return Ok(None);
    }
    let pool_id = client.pool_id.as_str();
    let pool = known_pool(app, pool_id).await?;
    let pool = pool.ok_or_else(|| internal("a client without its pool"))?;
    let logins = pool.username_attributes.email || pool.username_attributes.phone_number;
    let ways = [
        (true, "username = $2"),
        (logins, "login = $2"),
        (pool.aliases.email, "email = $2 AND email_alias"),
        (
            pool.aliases.phone_number,
            "phone_number = $2 AND phone_number_alias",
        ),
    ];
    let mut found = None;
    for (_, condition) in ways.iter().filter(|(used, _)| *used) {
        let sql = format!("{USER_COLUMNS} AND {condition}");
        let params = vec![Param::text(pool_id), Param::text(named)];
        let rows = app.store.rows(sql, params).await.map_err(internal)?;
        if found.is_none() {
            found = rows.into_iter().next();
        }
    }
    found
        .map(|row| user(client, row).map_err(internal))
        .transpose()
}

/// Whether `named` could be a username (or login, or alias): 128 characters at most, none
/// a control character.
#[must_use]
pub(crate) fn could_name_a_user(named: &str) -> bool {
    named.chars().count() <= 128 && !named.chars().any(char::is_control)
}

/// The user whose username is exactly `username`.
///
/// # Errors
/// A database error, or a stored user that does not load.
pub(crate) async fn user_named(
    app: &App,
    client: &Client,
    username: &str,
) -> Result<Option<User>, Answer> {
    let sql = format!("{USER_COLUMNS} AND username = $2");
    let params = vec![Param::text(&client.pool_id), Param::text(username)];
    let rows = app.store.rows(sql, params).await.map_err(internal)?;
    rows.into_iter()
        .next()
        .map(|row| user(client, row).map_err(internal))
        .transpose()
}

/// A user from [`USER_COLUMNS`]. Booleans arrive as SQLite's integers or PostgreSQL's
/// booleans.
fn user(client: &Client, row: Vec<Value>) -> Result<User, &'static str> {
    let text = |value: Value| match value {
        Value::Text(text) => Ok(Some(text)),
        Value::Null => Ok(None),
        _ => Err("a stored user's text column is not text"),
    };
    let required = |value| text(value)?.ok_or("a stored user lacks a column");
    let flag = |value: &Value| matches!(value, Value::Bool(true) | Value::Int(1));
    let Ok(
        [
            username,
            sub,
            status,
            password_hash,
            email,
            email_verified,
            phone,
            phone_verified,
            srp_verifier,
            expires_at,
        ],
    ) = <[Value; 10]>::try_from(row)
    else {
        return Err("a stored user does not load");
    };
    Ok(User {
        identity: Identity {
            pool_id: client.pool_id.clone(),
            username: required(username)?,
            sub: required(sub)?,
            client_id: client.id.clone(),
            email: text(email)?,
            email_verified: flag(&email_verified),
            phone_number: text(phone)?,
            phone_number_verified: flag(&phone_verified),
        },
        status: required(status)?,
        password_hash: text(password_hash)?,
        srp_verifier: text(srp_verifier)?,
        password_expires_at: match expires_at {
            Value::Int(at) => Some(at),
            _ => None,
        },
    })
}
