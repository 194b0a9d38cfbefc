//! A user's password changed outside sign-up: by the answer to `NEW_PASSWORD_REQUIRED`, by
//! `AdminSetUserPassword`, and by `AdminCreateUser`'s `RESEND` (a new temporary password).
//!
//! One conditional write does it: the new argon2id hash and SRP verifier, when the password
//! stops working (a temporary one), the new status, and the confirmation state, compared and
//! swapped on the version read, as every write of the crate's is. The state is the crate's
//! `Confirmation::password_changed`: a pending code dies, a sign-in grant is revoked, and the
//! version moves, so a `ConfirmSignUp` or a session sign-in decided on the old read loses its
//! race rather than confirming or signing in over the change; the status and password hash
//! read are conditions too, so a challenge answered for a temporary password an
//! administrator replaced meanwhile changes nothing.

use confirmation_flow::cognito::UserStatus;
use confirmation_flow_store::{Guarded, Param, Value, types::state};

use crate::{
    App,
    answer::{Answer, internal},
    hasher::Place,
    pools::Pool,
};

const READ: &str = "SELECT sub, status, state, password_hash, email, phone_number FROM users \
     WHERE pool_id = $1 AND username = $2";

const WRITE: &str = "UPDATE users SET password_hash = $4, srp_verifier = $5, \
     password_expires_at = $6, status = $7, state = $8, version = $9, updated_at = $10 \
     WHERE pool_id = $1 AND username = $2 AND sub = $3 AND version = $11 AND status = $12 \
     AND password_hash IS NOT DISTINCT FROM $13";

/// A user as a password change reads it.
pub(crate) struct Stored {
    pub sub: String,
    pub status: String,
    pub password_hash: Option<String>,
    /// Where a new temporary password can go.
    pub email: Option<String>,
    pub phone_number: Option<String>,
    state: confirmation_flow::Confirmation,
}

/// The user `username` of `pool_id`, as a password change reads it.
///
/// # Errors
/// A database error, or a stored user that does not load.
pub(crate) async fn read(
    app: &App,
    pool_id: &str,
    username: &str,
) -> Result<Option<Stored>, Answer> {
    let params = vec![Param::text(pool_id), Param::text(username)];
    let rows = app
        .store
        .rows(READ.into(), params)
        .await
        .map_err(internal)?;
    let Some(row) = rows.into_iter().next() else {
        return Ok(None);
    };
    let Ok(
        [
            Value::Text(sub),
            Value::Text(status),
            Value::Text(stored),
            hash,
            email,
            phone_number,
        ],
    ) = <[Value; 6]>::try_from(row)
    else {
        return Err(internal("a stored user does not load"));
    };
    let text = |value| match value {
        Value::Text(text) => Some(text),
        _ => None,
    };
    Ok(Some(Stored {
        sub,
        status,
        password_hash: text(hash),
        email: text(email),
        phone_number: text(phone_number),
        state: state(&stored).map_err(internal)?,
    }))
}

/// The password to store: its text, whether it is temporary, and the user's status after.
pub(crate) struct NewPassword {
    pub password: String,
    /// Temporary: it stops working after the pool's `TemporaryPasswordValidityDays`.
    pub temporary: bool,
    pub status: UserStatus,
}

/// Stores `new` as the password of `username` in `pool`, read as `before`, at `now` (Unix
/// seconds), hashed in `place`; a reset the user had asked for dies with the old password.
/// `Ok(false)`: the user changed since `before` was read (the caller reads again, or
/// refuses).
///
/// # Errors
/// A database error, or a hash that could not be made.
pub(crate) async fn store(
    app: &App,
    pool: &Pool,
    username: &str,
    before: &Stored,
    new: NewPassword,
    place: Place,
    now: i64,
) -> Result<bool, Answer> {
    let write = change(app, pool, username, before, new, place, now).await?;
    let resets = crate::password_resets::DELETE_USER_RESETS;
    let params = vec![Param::text(&pool.id), Param::text(username)];
    // The reset first (see `password_resets::DELETE_USER_RESETS`).
    let stored = app.store.guarded(vec![Guarded::any(resets, params), write]);
    stored.await.map_err(internal)
}

/// The compare-and-swap that stores `new` as the password of `username` (see [`store`]),
/// for the caller to run with what goes with it.
///
/// # Errors
/// A hash that could not be made, or a state that cannot change.
pub(crate) async fn change(
    app: &App,
    pool: &Pool,
    username: &str,
    before: &Stored,
    new: NewPassword,
    place: Place,
    now: i64,
) -> Result<Guarded, Answer> {
    let made = place.credentials(new.password, pool.id.clone(), username.to_owned());
    let (hash, verifier) = made.await.map_err(internal)?;
    // A user still waiting for a code has nothing left to confirm by one; a sign-in grant
    // dies; the version moves, so a write decided before this one loses its race.
    let (state, _) = app.clock.now();
    let after = before
        .state
        .password_changed(&app.policy, state)
        .map_err(|_| internal("the user's version is exhausted"))?;
    let expires_at = new.temporary.then(|| {
        let days = i64::from(pool.password_policy.temporary_password_validity_days);
        now.saturating_add(days.saturating_mul(86_400))
    });
    let as_i64 = |version: u64| i64::try_from(version).map_err(internal);
    let params = vec![
        Param::text(&pool.id),
        Param::text(username),
        Param::text(&before.sub),
        Param::text(&hash),
        Param::text(&verifier),
        Param::MaybeInt(expires_at),
        Param::text(new.status.as_str()),
        Param::text(&serde_json::to_string(&after).map_err(internal)?),
        Param::Int(as_i64(after.version())?),
        Param::Int(now),
        Param::Int(as_i64(before.state.version())?),
        Param::text(&before.status),
        Param::Text(before.password_hash.clone()),
    ];
    Ok(Guarded::one(WRITE, params))
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SetRequest {
    user_pool_id: Option<String>,
    username: Option<String>,
    password: Option<String>,
    #[serde(default)]
    permanent: bool,
}

/// `AdminSetUserPassword` (admin): the user's password, permanent (the user `CONFIRMED`,
/// an unconfirmed one included, as the service does) or temporary (`FORCE_CHANGE_PASSWORD`
/// until they choose their own, for the pool's `TemporaryPasswordValidityDays`).
pub(crate) async fn admin_set_user_password(app: &App, body: &[u8]) -> crate::answer::Outcome {
    use crate::admin_request::{live_pool, required};
    let request: SetRequest = crate::answer::decode("AdminSetUserPassword", body)?;
    let pool_id = required(request.user_pool_id, "userPoolId")?;
    let named = required(request.username, "username")?;
    let new_password = required(request.password, "password")?;
    let pool = live_pool(app, &pool_id).await?;
    let username = crate::users::username(app, &pool_id, &named).await?;
    crate::password::keeps(
        &pool.password_policy,
        &new_password,
        crate::password::CHANGE,
    )?;
    let (status, temporary) = if request.permanent {
        (UserStatus::Confirmed, false)
    } else {
        (UserStatus::ForceChangePassword, true)
    };
    // A user changed meanwhile (a code confirmed, a session redeemed) is read again.
    for _ in 0..3 {
        let before = read(app, &pool_id, &username).await?;
        let before = before.ok_or(confirmation_flow::cognito::Exception::AdminUserNotFound)?;
        let place = app
            .passwords
            .reserve()
            .ok_or_else(crate::throttle::too_many_requests)?;
        let new = NewPassword {
            password: new_password.clone(),
            temporary,
            status,
        };
        let (_, now) = app.clock.now();
        if store(app, &pool, &username, &before, new, place, now).await? {
            return Ok(Answer::Ok("{}".to_owned()));
        }
    }
    Err(internal("the user kept changing: send it again"))
}
