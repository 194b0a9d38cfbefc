//! The one request loop, the same for every operation the crate decides: read what the
//! operation needs, decide, write (again on a lost race), then answer and deliver.

use confirmation_flow::{
    ENTROPY_LEN,
    cognito::{After, Fresh, Operation, TriggerOutcome},
};

use crate::{
    App,
    api::{Answer, internal, now},
    store::NewUser,
};

/// How often a request re-reads and re-decides after losing a race.
const RETRIES: usize = 64;

/// A code to send once the answer is on its way.
pub struct Delivery {
    pub username: String,
    pub attribute: &'static str,
    pub destination: String,
    pub code: String,
}

/// Runs `operation` through the loop: its answer, and the code to deliver, if any.
pub fn serve(app: &App, operation: &Operation<'_>) -> (Answer, Option<Delivery>) {
    match run(app, operation) {
        Ok(served) => served,
        Err(answer) => (answer, None),
    }
}

fn run(app: &App, operation: &Operation<'_>) -> Result<(Answer, Option<Delivery>), Answer> {
    let keys = app.keys().map_err(internal)?;
    let pool = app.pool(keys);
    let needs = operation.needs(&pool);
    let new_user = match operation {
        Operation::SignUp(request) => NewUser {
            email: request.attribute("email"),
            phone_number: request.attribute("phone_number"),
        },
        _ => NewUser::default(),
    };
    let client = needs.client_id().and_then(|id| app.client(id));
    for _ in 0..RETRIES {
        let snapshot = app.store.read(&needs).map_err(internal)?;
        let lookup = snapshot.lookup(client);
        let (now, seconds) = now();
        let sub = uuid::Uuid::new_v4().hyphenated().to_string();
        let fresh = Fresh {
            now,
            entropy: crate::random_bytes::<ENTROPY_LEN>(),
            nonce: crate::random_bytes::<16>(),
            new_subject: &sub,
        };
        let outcome = needs.decide(&lookup, &fresh);
        if let Some(write) = &outcome.write
            && !app
                .store
                .apply(write, new_user, seconds)
                .map_err(internal)?
        {
            continue;
        }
        let (reply, delivery) = match outcome.after {
            // No PostConfirmation trigger is configured on this server yet: it succeeds.
            After::PostConfirmation(_) => {
                (outcome.reply.after_trigger(TriggerOutcome::Succeeded), None)
            }
            After::Deliver(delivery) => {
                let delivery = Delivery {
                    username: delivery.username.to_owned(),
                    attribute: delivery.destination.attribute.as_str(),
                    destination: delivery.destination.value.to_owned(),
                    code: delivery.code.as_str().to_owned(),
                };
                (outcome.reply, Some(delivery))
            }
            _ => (outcome.reply, None),
        };
        let answer = match reply.exception() {
            Some(exception) => Answer::from(exception),
            None => Answer::Ok(serde_json::to_value(reply.body()).map_err(internal)?),
        };
        return Ok((answer, delivery));
    }
    Err(internal("too many lost races"))
}
