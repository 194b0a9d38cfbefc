//! The one request loop, the same for every operation the crate decides: find the pool,
//! read what the operation needs, decide, write (again after a lost race), then answer and
//! deliver.

use std::sync::Arc;

use confirmation_flow::cognito::{Exception, Operation, SignUp, UserAttributes};
use confirmation_flow_store::{Driver, Failed, NewUser, Read};

use crate::{
    App,
    answer::{Answer, internal},
    decision::{Attempt, credentials, finish, gone},
    destinations,
    exceptions::ServerException,
    logins::Rewrite,
    outbox::Delivery,
    password,
    pools::{Client, Pool},
    throttle::{limit_exceeded, too_many_requests},
};

/// Runs `operation` through the loop: its answer, and the code to deliver, if any.
pub async fn serve(app: &App, operation: &Operation<'_>) -> (Answer, Option<Delivery>) {
    match run(app, operation).await {
        Ok(served) => served,
        Err(answer) => (answer, None),
    }
}

async fn run(app: &App, sent: &Operation<'_>) -> Result<(Answer, Option<Delivery>), Answer> {
    let (pool, client) = resolve(app, sent).await?;
    // The secret hash is checked here, over the username as sent, when the crate cannot do
    // it: before `SignUp`'s password (the service's order: client, secret hash, password,
    // then anything about the user), and in a pool where the request may be rewritten to
    // name its user differently. Elsewhere the crate's decision checks it, once.
    let logins = pool.username_attributes.email || pool.username_attributes.phone_number;
    let checked_here = logins || matches!(sent, Operation::SignUp(_));
    if let (true, Some(client), Some((client_id, username, hash))) =
        (checked_here, &client, credentials(sent))
    {
        client
            .app_client()
            .authorize(client_id, username, hash)
            .map_err(Answer::from)?;
    }
    let password = match sent {
        Operation::SignUp(request) => {
            refuse_nul(request)?;
            let password = checked_password(&pool, request.password)?;
            refuse_full(app, &pool.id)?;
            password
        }
        _ => None,
    };
    // A place in the hasher's queue, taken before anything about the user is looked up: a
    // full queue answers every sign-up alike, whether its username is taken or not.
    let mut place = match &password {
        Some(_) => Some(app.passwords.reserve().ok_or_else(too_many_requests)?),
        None => None,
    };
    // In a pool with `UsernameAttributes` the request may name its user by email or phone.
    let rewrite = Rewrite::plan(app, &pool, sent).await?;
    let attributes = rewrite.attributes(sent);
    let rewritten = rewrite.apply(sent, &attributes)?;
    let operation = rewritten.as_ref().unwrap_or(sent);
    let crate_pool = app.pool(&pool);
    let needs = operation.needs(&crate_pool);
    // Past its destination's budget a submission is decided as a wrong code.
    let over_budget = destinations::past_budget(operation).map_err(internal)?;
    let over_budget = over_budget.as_ref().map(|wrong| wrong.needs(&crate_pool));
    let new_user = match operation {
        // The email and phone number are the write's (`Change::of`), not the request's.
        Operation::SignUp(_) => NewUser {
            login: rewrite.login.as_ref().map(|(_, login)| login.clone()),
            ..NewUser::default()
        },
        _ => NewUser::default(),
    };
    let attempt = Attempt {
        app,
        pool: &pool,
        client: client.as_deref(),
        secret_checked: checked_here,
        rewrite: &rewrite,
        needs: &needs,
        over_budget: over_budget.as_ref(),
        sent,
        new_user,
        password,
        place: place.take(),
        password_hash: None,
    };
    let follow = Driver::default()
        .run_with(&app.store, Read::of(&needs), attempt)
        .await
        .map_err(|failed| match failed {
            Failed::Gone => gone(sent),
            Failed::Decision(answer) => answer,
            Failed::Store(error) => internal(error),
            Failed::TooManyLostRaces => internal("too many lost races"),
        })?;
    Ok(finish(app, &pool, client.as_deref(), follow).await)
}

/// The pool a request acts in, and its client: named by the client, or by an admin request.
async fn resolve(
    app: &App,
    operation: &Operation<'_>,
) -> Result<(Arc<Pool>, Option<Arc<Client>>), Answer> {
    let (directory, store) = (&app.directory, &app.store);
    if let Operation::AdminConfirmSignUp(request) = operation {
        let user_pool_id = request.user_pool_id;
        let pool = directory
            .pool(store, user_pool_id)
            .await
            .map_err(internal)?;
        return Ok((
            pool.ok_or(Exception::UserPoolNotFound { user_pool_id })?,
            None,
        ));
    }
    let Some((client_id, _, _)) = credentials(operation) else {
        return Err(internal("an operation this server does not know"));
    };
    let not_found = || Answer::from(Exception::ClientNotFound { client_id });
    let client = directory.client(store, client_id).await.map_err(internal)?;
    let client = client.ok_or_else(not_found)?;
    let pool = directory
        .pool(store, &client.pool_id)
        .await
        .map_err(internal)?;
    Ok((pool.ok_or_else(not_found)?, Some(client)))
}

/// `InvalidParameterException` for an attribute value holding a NUL character, which the
/// model allows but PostgreSQL cannot store (answered the same on SQLite, so that the two
/// stores answer alike).
fn refuse_nul(request: &SignUp<'_>) -> Result<(), Answer> {
    let attributes = request
        .user_attributes
        .iter()
        .flat_map(UserAttributes::iter);
    match attributes
        .into_iter()
        .find(|(_, value)| value.contains('\0'))
    {
        None => Ok(()),
        Some((name, _)) => Err(Answer::refuse(
            ServerException::InvalidParameter,
            format!("The value of the attribute {name} holds a NUL character"),
        )),
    }
}

/// `LimitExceededException` for a sign-up into a pool the last count found full: after the
/// password's checks, before anything about the user is looked up, so it tells nothing of
/// the username.
pub(crate) fn refuse_full(app: &App, pool_id: &str) -> Result<(), Answer> {
    if app.is_full(pool_id) {
        let cap = app.config.limits.users_per_pool;
        return Err(limit_exceeded(format!(
            "This user pool keeps at most {cap} users (limits.users_per_pool)."
        )));
    }
    Ok(())
}

/// `SignUp`'s password, if it keeps the pool's policy.
fn checked_password(pool: &Pool, password: Option<&str>) -> Result<Option<String>, Answer> {
    let Some(password) = password else {
        return Err(Answer::refuse(
            ServerException::InvalidParameter,
            "A password is required: this server's user pools sign users in with one",
        ));
    };
    password::keeps(&pool.password_policy, password, password::SIGN_UP)?;
    Ok(Some(password.to_owned()))
}
