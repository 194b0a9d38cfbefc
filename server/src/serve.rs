//! The one request loop, the same for every operation the crate decides: find the pool,
//! read what the operation needs, decide, write (again after a lost race), then answer and
//! deliver.

use std::{sync::Arc, time::Duration};

use confirmation_flow::{
    ENTROPY_LEN,
    cognito::{
        After, AppClient, Exception, Fresh, Operation, Reply, SignUp, TriggerOutcome,
        UserAttributes,
    },
};
use confirmation_flow_store::{Applied, Change, NewUser, Read};
use rand::RngExt;

use crate::{
    App,
    answer::{Answer, internal},
    clock::now,
    destinations,
    logins::Rewrite,
    outbox::Delivery,
    password,
    pools::{Client, Pool},
    throttle::{limit_exceeded, too_many_requests},
};

/// How often a request reads and decides again after losing a race.
const RETRIES: u32 = 64;

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
    let keys = app.keys().map_err(internal)?;
    let crate_pool = app.pool(&pool, keys);
    // Past its destination's budget a submission is decided as a wrong code.
    let over_budget = destinations::past_budget(app, (&pool, &crate_pool), operation, now().1)
        .await
        .map_err(internal)?;
    let operation = over_budget.as_ref().unwrap_or(operation);
    let needs = operation.needs(&crate_pool);
    let new_user = match operation {
        // The email and phone number are the write's (`Change::of`), not the request's.
        Operation::SignUp(_) => NewUser {
            login: rewrite.login.as_ref().map(|(_, login)| login.clone()),
            ..NewUser::default()
        },
        _ => NewUser::default(),
    };
    let mut password_hash = None;
    for attempt in 0..RETRIES {
        if attempt > 0 {
            // Losers of one race spread out instead of colliding again at once.
            let wait = rand::rng().random_range(0..=100 * u64::from(attempt));
            tokio::time::sleep(Duration::from_micros(wait)).await;
        }
        rewrite.refuse_taken(app, &pool).await?;
        let snapshot = app.store.read(Read::of(&needs)).await.map_err(internal)?;
        if !snapshot.live {
            return Err(gone(sent));
        }
        // Only the trigger's event reads them: no allocation on the request path without one.
        let attributes = if pool.post_confirmation.is_some() {
            snapshot.attributes()
        } else {
            Vec::new()
        };
        let mut app_client = client.as_deref().map(Client::app_client);
        if checked_here {
            // Checked above, over the username the client signed: not again.
            app_client = app_client.map(|client| AppClient {
                secret: None,
                ..client
            });
        }
        let lookup = snapshot.lookup(app_client, &attributes);
        let (now, seconds) = now();
        let sub = rewrite
            .new_sub
            .clone()
            .unwrap_or_else(|| uuid::Uuid::new_v4().hyphenated().to_string());
        let fresh = Fresh {
            now,
            entropy: crate::random::random_bytes::<ENTROPY_LEN>(),
            nonce: crate::random::random_bytes::<16>(),
            new_subject: &sub,
        };
        let outcome = needs.decide(&lookup, &fresh);
        if let Some(write) = &outcome.write {
            let mut new_user = new_user.clone();
            if let Some(password) = &password {
                // Hashed once, and only for a sign-up that writes.
                if let Some(place) = place.take() {
                    let hash = place.hash(password.clone()).await;
                    password_hash = Some(hash.map_err(internal)?);
                }
                new_user.password_hash.clone_from(&password_hash);
            }
            let change =
                Change::of(&pool.id, write, &app.policy, new_user, seconds).map_err(internal)?;
            if app.store.apply(change).await.map_err(internal)? == Applied::LostRace {
                continue;
            }
        }
        return after(&pool, outcome.reply, outcome.after).await;
    }
    Err(internal("too many lost races"))
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

/// A client operation's client id, username and secret hash, as sent.
fn credentials<'a>(operation: &Operation<'a>) -> Option<(&'a str, &'a str, Option<&'a str>)> {
    match operation {
        Operation::SignUp(r) => Some((r.client_id, r.username, r.secret_hash)),
        Operation::ConfirmSignUp(r) => Some((r.client_id, r.username, r.secret_hash)),
        Operation::ResendConfirmationCode(r) => Some((r.client_id, r.username, r.secret_hash)),
        _ => None,
    }
}

/// The answer when the client (or, for an admin operation, the pool) was deleted between
/// the look-up and the read.
fn gone(operation: &Operation<'_>) -> Answer {
    match (operation, credentials(operation)) {
        (_, Some((client_id, _, _))) => Exception::ClientNotFound { client_id }.into(),
        (Operation::AdminConfirmSignUp(request), None) => Exception::UserPoolNotFound {
            user_pool_id: request.user_pool_id,
        }
        .into(),
        _ => internal("an operation this server does not know"),
    }
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
        Some((name, _)) => Err(Answer::Error(
            "InvalidParameterException".into(),
            format!("The value of the attribute {name} holds a NUL character"),
            axum::http::StatusCode::BAD_REQUEST,
        )),
    }
}

/// `LimitExceededException` for a sign-up into a pool the last count found full: after the
/// password's checks, before anything about the user is looked up, so it tells nothing of
/// the username.
fn refuse_full(app: &App, pool_id: &str) -> Result<(), Answer> {
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
        return Err(Answer::Error(
            "InvalidParameterException".into(),
            "A password is required: this server's user pools sign users in with one".into(),
            axum::http::StatusCode::BAD_REQUEST,
        ));
    };
    password::check(&pool.password_policy, password).map_err(|message| {
        Answer::Error(
            "InvalidPasswordException".into(),
            message,
            axum::http::StatusCode::BAD_REQUEST,
        )
    })?;
    Ok(Some(password.to_owned()))
}

/// What follows the write: the trigger (the user stays confirmed whatever it does), or the
/// code to deliver; then the answer.
async fn after(
    pool: &Pool,
    reply: Reply<'_>,
    after: After<'_>,
) -> Result<(Answer, Option<Delivery>), Answer> {
    Ok(match after {
        After::PostConfirmation(event) => {
            let outcome = match &pool.post_confirmation {
                Some(trigger) => {
                    let event = serde_json::to_string(&event).map_err(internal)?;
                    let invocation = trigger.invoke(event).await;
                    answer(&reply.after_trigger(invocation.outcome()))?
                }
                None => answer(&reply.after_trigger(TriggerOutcome::Succeeded))?,
            };
            (outcome, None)
        }
        After::Deliver(delivery) => {
            let delivery = Delivery {
                pool_id: pool.id.clone(),
                username: delivery.username.to_owned(),
                attribute: delivery.destination.attribute.as_str(),
                destination: delivery.destination.value.to_owned(),
                code: delivery.code.as_str().to_owned(),
            };
            (answer(&reply)?, Some(delivery))
        }
        After::Nothing => (answer(&reply)?, None),
    })
}

/// The answer `reply` gives on the wire.
fn answer(reply: &Reply<'_>) -> Result<Answer, Answer> {
    Ok(match reply.exception() {
        Some(exception) => Answer::from(exception),
        None => Answer::Ok(serde_json::to_string(&reply.body()).map_err(internal)?),
    })
}
