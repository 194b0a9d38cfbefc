//! The one request loop, the same for every operation the crate decides: read what the
//! operation needs, decide, write (again after a lost race), then answer and deliver.

use std::time::Duration;

use confirmation_flow::{
    ENTROPY_LEN,
    cognito::{After, Fresh, Operation, Reply, TriggerOutcome},
};
use rand::RngExt;

use crate::{
    App,
    api::{Answer, internal, now},
    outbox::Delivery,
    store::{Applied, Change, NewUser, Read},
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

async fn run(app: &App, operation: &Operation<'_>) -> Result<(Answer, Option<Delivery>), Answer> {
    let keys = app.keys().map_err(internal)?;
    let pool = app.pool(keys);
    let needs = operation.needs(&pool);
    let new_user = match operation {
        Operation::SignUp(request) => NewUser {
            email: request.attribute("email").map(str::to_owned),
            phone_number: request.attribute("phone_number").map(str::to_owned),
        },
        _ => NewUser::default(),
    };
    let client = needs.client_id().and_then(|id| app.client(id));
    for attempt in 0..RETRIES {
        if attempt > 0 {
            // Losers of one race spread out instead of colliding again at once.
            let wait = rand::rng().random_range(0..=100 * u64::from(attempt));
            tokio::time::sleep(Duration::from_micros(wait)).await;
        }
        let snapshot = app.store.read(Read::of(&needs)).await.map_err(internal)?;
        // Only the trigger's event reads them: no allocation on the request path without one.
        let attributes = if app.post_confirmation.is_some() {
            snapshot.attributes()
        } else {
            Vec::new()
        };
        let lookup = snapshot.lookup(client, &attributes);
        let (now, seconds) = now();
        let sub = uuid::Uuid::new_v4().hyphenated().to_string();
        let fresh = Fresh {
            now,
            entropy: crate::random_bytes::<ENTROPY_LEN>(),
            nonce: crate::random_bytes::<16>(),
            new_subject: &sub,
        };
        let outcome = needs.decide(&lookup, &fresh);
        if let Some(write) = &outcome.write {
            let change =
                Change::of(write, &app.policy, new_user.clone(), seconds).map_err(internal)?;
            if app.store.apply(change).await.map_err(internal)? == Applied::LostRace {
                continue;
            }
        }
        let served = match outcome.after {
            // After the write: the user stays confirmed whatever the trigger does.
            After::PostConfirmation(event) => match &app.post_confirmation {
                Some(trigger) => {
                    let event = serde_json::to_string(&event).map_err(internal)?;
                    let invocation = trigger.invoke(event).await;
                    (
                        answer(&outcome.reply.after_trigger(invocation.outcome()))?,
                        None,
                    )
                }
                None => (
                    answer(&outcome.reply.after_trigger(TriggerOutcome::Succeeded))?,
                    None,
                ),
            },
            After::Deliver(delivery) => {
                let delivery = Delivery {
                    username: delivery.username.to_owned(),
                    attribute: delivery.destination.attribute.as_str(),
                    destination: delivery.destination.value.to_owned(),
                    code: delivery.code.as_str().to_owned(),
                };
                (answer(&outcome.reply)?, Some(delivery))
            }
            _ => (answer(&outcome.reply)?, None),
        };
        return Ok(served);
    }
    Err(internal("too many lost races"))
}

/// The answer `reply` gives on the wire.
fn answer(reply: &Reply<'_>) -> Result<Answer, Answer> {
    Ok(match reply.exception() {
        Some(exception) => Answer::from(exception),
        None => Answer::Ok(serde_json::to_string(&reply.body()).map_err(internal)?),
    })
}
