//! `ForgotPassword` and `ConfirmForgotPassword`: a code sent to the user's verified phone
//! number, else their verified email, then redeemed with a new password.
//!
//! The code is the crate's: a `Confirmation` (`password_resets.rs`) issued, counted and
//! compared exactly as a sign-up code is, under the subject `password-reset:<sub>`, so no
//! other code's tag verifies it. It lives an hour, as the service's do; five are sent per
//! hour, fifteen submitted, five against one code, then the service's
//! `LimitExceededException`. The reset that redeems it deletes it, with the new password,
//! in one compare-and-swap: one code changes one password, once, on any number of
//! processes.
//!
//! Under `PreventUserExistenceErrors`, a name nobody holds, or a user with nothing verified
//! to send a code to, is a phantom (keyed by its `PhantomId`): the same reads, one tag, one
//! write, the same limits, an answer showing a destination made from the phantom's id, and
//! every code refused as a mismatch. Without it they are `UserNotFoundException` and
//! `InvalidParameterException`, as the service answers.

use std::sync::Arc;

use confirmation_flow::{
    Code, Confirmation, ENTROPY_LEN, Policy, PolicyConfig, Refusal,
    cognito::{CodeDeliveryDetails, Exception},
};
use confirmation_flow_store::Guarded;
use serde::Deserialize;

use crate::{
    App,
    admin_request::{client_id, known_client, known_pool, required, shaped},
    answer::{Answer, Outcome, decode, internal},
    outbox::{Delivery, DeliveryKind},
    password_resets::{self, LIFETIME_SECONDS},
    pools::{Client, Pool},
    reset_account::Account,
};

/// The members read; the others (`UserContextData`, `AnalyticsMetadata`) are accepted and
/// not acted on.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    client_id: Option<String>,
    username: Option<String>,
    secret_hash: Option<String>,
    /// `ConfirmForgotPassword` only.
    confirmation_code: Option<String>,
    password: Option<String>,
    client_metadata: Option<std::collections::BTreeMap<String, String>>,
}

/// The policy reset codes run under: the crate's (Cognito's numbers), living an hour.
///
/// # Errors
/// Never, for the numbers the server runs with.
pub(crate) fn policy(app: &App) -> Result<Policy, Answer> {
    Policy::new(PolicyConfig {
        code_ttl: std::time::Duration::from_secs(LIFETIME_SECONDS),
        ..*app.policy.config()
    })
    .map_err(|_| internal("the reset policy does not hold"))
}

/// The client a request names, its pool, and the username it sends, once the secret hash
/// over it is checked.
async fn client_of(
    app: &App,
    request: &Request,
) -> Result<(Arc<Client>, Arc<Pool>, String), Answer> {
    let client_id = client_id(request.client_id.clone())?;
    let named = required(request.username.clone(), "username")?;
    crate::admin_request::username_shaped(&named)?;
    let client = known_client(app, &client_id).await?;
    (client.app_client())
        .authorize(&client.id, &named, request.secret_hash.as_deref())
        .map_err(Answer::from)?;
    let pool = known_pool(app, &client.pool_id).await?;
    let gone = || {
        Answer::from(Exception::ClientNotFound {
            client_id: &client_id,
        })
    };
    Ok((client, pool.ok_or_else(gone)?, named))
}

/// `ForgotPassword`: a code to the user's verified phone number or email, and where it went.
pub(crate) async fn forgot_password(app: &App, body: &[u8]) -> (Answer, Option<Delivery>) {
    match forgot(app, body).await {
        Ok(served) => served,
        Err(answer) => (answer, None),
    }
}

async fn forgot(app: &App, body: &[u8]) -> Result<(Answer, Option<Delivery>), Answer> {
    let request: Request = decode("ForgotPassword", body)?;
    let (client, pool, named) = client_of(app, &request).await?;
    let policy = policy(app)?;
    // Another request for the same account meanwhile: decided again on a fresh read.
    let mut attempt = 0;
    while password_resets::another_try(attempt).await {
        attempt += 1;
        let account = Account::resolve(app, &client, &pool, &named, true).await?;
        if let Some((details, delivery)) = send(app, &pool.id, &policy, &account, vec![]).await? {
            let answer = serde_json::json!({ "CodeDeliveryDetails": details }).to_string();
            return Ok((Answer::Ok(answer), delivery));
        }
    }
    Err(internal("the reset kept changing: send it again"))
}

/// Issues `account` a new reset code and stores it, then the statements `with` (all or
/// nothing): the `CodeDeliveryDetails` to answer and the code to deliver, or `None` when
/// something changed since it was read.
///
/// # Errors
/// `LimitExceededException` past five codes an hour; a database error.
pub(crate) async fn send(
    app: &App,
    pool_id: &str,
    policy: &Policy,
    account: &Account,
    mut with: Vec<Guarded>,
) -> Result<Option<(serde_json::Value, Option<Delivery>)>, Answer> {
    let before = password_resets::read(&app.store, pool_id, &account.key).await?;
    let (now, seconds) = app.clock.now();
    let key = app.keys().current();
    let start = before.unwrap_or_else(|| Confirmation::unmatchable(policy, key.id(), now));
    let (subject, entropy) = (
        account.subject(),
        crate::random::random_bytes::<ENTROPY_LEN>(),
    );
    let reissued: Result<(Confirmation, Option<Code>), Refusal> = match &account.user {
        Some(_) => (start.reissue(policy, key, subject.as_bytes(), now, &entropy))
            .map(|(state, code)| (state, Some(code))),
        None => (start.reissue_unmatchable(policy, key, subject.as_bytes(), now, &entropy))
            .map(|state| (state, None)),
    };
    let (after, code) = match reissued {
        Ok(reissued) => reissued,
        Err(Refusal::RateLimited { .. }) => return Err(Exception::LimitExceeded.into()),
        Err(_) => return Err(internal("a reset code could not be issued")),
    };
    let write = password_resets::write(pool_id, &account.key, before.as_ref(), &after, seconds)?;
    // The reset first (see `password_resets::DELETE_USER_RESETS`).
    with.insert(0, write);
    if !app.store.guarded(with).await.map_err(internal)? {
        return Ok(None);
    }
    let details = match &account.user {
        Some(user) => details(
            &confirmation_flow::cognito::Destination {
                attribute: user.attribute,
                value: &user.destination,
            }
            .details(),
        ),
        None => details(&account.phantom_details()),
    };
    let delivery = match (&account.user, code) {
        (Some(user), Some(code)) => Some(Delivery {
            pool_id: pool_id.to_owned(),
            username: user.username.clone(),
            attribute: user.attribute,
            destination: user.destination.clone(),
            code: code.as_str().to_owned(),
            kind: DeliveryKind::PasswordResetCode,
        }),
        _ => None,
    };
    Ok(Some((details, delivery)))
}

/// `CodeDeliveryDetails` as the service shows them.
fn details(details: &CodeDeliveryDetails<'_>) -> serde_json::Value {
    serde_json::json!({
        "Destination": details.masked_destination().to_string(),
        "DeliveryMedium": details.delivery_medium(),
        "AttributeName": details.attribute().as_str(),
    })
}

/// `ConfirmForgotPassword`: the code counted and compared; on a match, the new password
/// stored, the user `CONFIRMED`, and the code spent, in one compare-and-swap; then the pool's
/// `PostConfirmation` trigger.
pub(crate) async fn confirm_forgot_password(app: &App, body: &[u8]) -> Outcome {
    let request: Request = decode("ConfirmForgotPassword", body)?;
    let code = required(request.confirmation_code.clone(), "confirmationCode")?;
    shaped(&code, "confirmationCode", "[\\S]+", 2048, |c| {
        !c.is_whitespace()
    })?;
    let password = required(request.password.clone(), "password")?;
    shaped(&password, "password", "[\\S]+", 256, |c| !c.is_whitespace())?;
    let (client, pool, named) = client_of(app, &request).await?;
    crate::password::keeps(&pool.password_policy, &password, crate::password::CHANGE)?;
    let policy = policy(app)?;
    let mut attempt = 0;
    while password_resets::another_try(attempt).await {
        attempt += 1;
        // Before anything about the user is looked up: a full queue answers every name alike.
        let place = app
            .passwords
            .reserve()
            .ok_or_else(crate::throttle::too_many_requests)?;
        let account = Account::resolve(app, &client, &pool, &named, false).await?;
        let sent = (code.as_str(), password.clone());
        let redeemed = crate::password_redeem::redeem(app, &pool, &policy, &account, sent, place);
        if let Some(answer) = redeemed.await? {
            if let Some(user) = &account.user {
                let metadata = request.client_metadata.as_ref();
                let post_confirmation = crate::password_redeem::post_confirmation;
                post_confirmation(app, &pool, &client.id, &user.username, metadata).await?;
            }
            return Ok(answer);
        }
    }
    Err(internal("the reset kept changing: send it again"))
}
