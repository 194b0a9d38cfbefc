//! `ConfirmForgotPassword`'s redemption of a reset code: counted and compared by the crate,
//! the counted state stored before the answer; on a match, the new password, the user
//! `CONFIRMED` and the code spent, in one compare-and-swap.
//!
//! An account with no reset row (nobody asked, or a phantom never sent one) starts from an
//! unmatchable state, so its submission is counted and refused as a mismatch after the same
//! work as a wrong code for a live reset: the answer says nothing of whether a code was ever
//! sent, or to whom.

use std::collections::BTreeMap;

use confirmation_flow::{
    Confirmation, Policy, Refusal,
    cognito::{Exception, Pairs, PostConfirmationEvent, UserStatus},
};
use confirmation_flow_store::Snapshot;

use crate::{
    App,
    answer::{Answer, internal},
    hasher::Place,
    password_change::{self, NewPassword},
    password_resets,
    pools::Pool,
    reset_account::Account,
};

/// Redeems `code` for `account` in `pool` with `password`, hashed in `place`: the answer,
/// or `None` when the reset or the user changed since they were read (the caller reads
/// again).
///
/// # Errors
/// The service's refusal of the code; a database error.
pub(crate) async fn redeem(
    app: &App,
    pool: &Pool,
    policy: &Policy,
    account: &Account,
    (code, password): (&str, String),
    place: Place,
) -> Result<Option<Answer>, Answer> {
    let before = password_resets::read(&app.store, &pool.id, &account.key).await?;
    let (now, seconds) = app.clock.now();
    let ring = app.keys();
    let start =
        before.unwrap_or_else(|| Confirmation::unmatchable(policy, ring.current().id(), now));
    // A state under a key no longer kept is refused by the crate as such.
    let key = ring.get(start.key_id()).unwrap_or_else(|| ring.current());
    let subject = account.subject();
    let submission = start.submit(policy, key, subject.as_bytes(), code, now);
    if let (Some(user), Some(before), Ok(())) = (&account.user, &before, submission.outcome) {
        let Some(stored) = password_change::read(app, &pool.id, &user.username).await? else {
            return Ok(None);
        };
        if stored.sub != account.key {
            return Ok(None);
        }
        let new = NewPassword {
            password,
            temporary: false,
            status: UserStatus::Confirmed,
        };
        let username = &user.username;
        let write = password_change::change(app, pool, username, &stored, new, place, seconds);
        let spend = password_resets::spend(&pool.id, &account.key, before)?;
        // The reset first (see `password_resets::DELETE_USER_RESETS`).
        let stored = app.store.guarded(vec![spend, write.await?]).await;
        return Ok(stored
            .map_err(internal)?
            .then(|| Answer::Ok("{}".to_owned())));
    }
    // Counted, then stored before the answer (a refusal that counted nothing stores nothing).
    if before.is_none() || submission.changed(&start) {
        let write = password_resets::write(
            &pool.id,
            &account.key,
            before.as_ref(),
            &submission.state,
            seconds,
        )?;
        if !app.store.guarded(vec![write]).await.map_err(internal)? {
            return Ok(None);
        }
    }
    Err(refused(submission.outcome))
}

/// The service's answer to a code that did not reset the password.
fn refused(outcome: Result<(), Refusal>) -> Answer {
    match outcome {
        // Past its hour, replaced by a newer code, or under a key no longer kept (a
        // confirmed state is never stored: a redeemed reset is deleted, so a spent code is
        // a mismatch, as for an account nobody asked a reset for).
        Err(Refusal::AlreadyConfirmed | Refusal::UnknownKey { .. } | Refusal::Expired) => {
            Exception::ExpiredCode.into()
        }
        // As the service does after too many wrong reset codes.
        Err(Refusal::RateLimited { .. } | Refusal::TooManyAttempts) => {
            Exception::LimitExceeded.into()
        }
        // A mismatch, and a phantom's "match", which no code can make.
        Err(Refusal::CodeMismatch { .. }) | Ok(()) => Exception::CodeMismatch.into(),
        Err(_) => internal("a reset code could not be checked"),
    }
}

/// Invokes `pool`'s `PostConfirmation` trigger, if it has one, for the reset of `username`
/// through `client_id` (the service invokes it for every `ConfirmForgotPassword`, with
/// `PostConfirmation_ConfirmForgotPassword`), with the user's attributes as now stored and
/// the request's `ClientMetadata`. The reset stands whatever the trigger does.
///
/// # Errors
/// The trigger's failure, as the service answers it; a database error.
pub(crate) async fn post_confirmation(
    app: &App,
    pool: &Pool,
    client_id: &str,
    username: &str,
    metadata: Option<&BTreeMap<String, String>>,
) -> Result<(), Answer> {
    let Some(trigger) = &pool.post_confirmation else {
        return Ok(());
    };
    let user = app.store.load(&pool.id, username).await.map_err(internal)?;
    let snapshot = Snapshot {
        user,
        ..Snapshot::default()
    };
    let attributes = snapshot.attributes();
    let metadata: Option<Vec<(&str, &str)>> = metadata.map(|metadata| {
        (metadata.iter())
            .map(|(key, value)| (key.as_str(), value.as_str()))
            .collect()
    });
    let event = PostConfirmationEvent::forgot_password(
        (&app.config.region, &pool.id),
        username,
        client_id,
        &attributes,
        metadata.as_deref().map(Pairs::new),
    );
    let invocation = trigger.invoke(serde_json::to_string(&event).map_err(internal)?);
    match invocation.await.outcome().exception() {
        Some(exception) => Err(Answer::from(&exception)),
        None => Ok(()),
    }
}
