//! One attempt of the loop, as the store crate's `Driver` runs it: decide on a snapshot, and
//! hand back the change to store with what follows it, owned; and what follows, carried out
//! once the change was stored.

use confirmation_flow::{
    ENTROPY_LEN,
    cognito::{After, AppClient, Exception, Fresh, Needs, Operation, Reply},
};
use confirmation_flow_store::{Change, Decide, Decided, NewUser, Snapshot, Spend};

use crate::{
    App,
    answer::{Answer, internal},
    destinations,
    hasher::Place,
    logins::Rewrite,
    outbox::Delivery,
    pools::{Client, Pool},
    refresh,
    tokens::Identity,
};

/// What follows a stored decision, owned: it outlives the snapshot it was decided on.
pub enum Follow {
    /// Answer.
    Answer(Answer),
    /// Answer, then deliver the code.
    Deliver(Answer, Delivery),
    /// Invoke the pool's `PostConfirmation` trigger with the event (JSON), then answer: with
    /// the trigger's failure if it failed (the user stays confirmed), else with `answer`.
    Trigger { answer: Answer, event: String },
    /// Mint the user's tokens and answer with them, at `auth_time` (Unix seconds).
    SignIn { identity: Identity, auth_time: i64 },
}

/// One request's decision, taken again on every snapshot the driver reads.
pub struct Attempt<'r, 'n, 'a> {
    pub app: &'r App,
    pub pool: &'r Pool,
    pub client: Option<&'r Client>,
    /// The secret hash was checked before the loop, over the username the client signed.
    pub secret_checked: bool,
    pub rewrite: &'r Rewrite,
    pub needs: &'r Needs<'n, 'a>,
    /// `ConfirmSignUp`: what it is decided as past its destination's budget.
    pub over_budget: Option<&'r Needs<'n, 'a>>,
    pub sent: &'r Operation<'a>,
    pub new_user: NewUser,
    /// `SignUp`'s password, its place in the hasher's queue, and its hash and SRP verifier
    /// once computed.
    pub password: Option<String>,
    pub place: Option<Place>,
    pub password_hash: Option<(String, String)>,
}

impl Decide for Attempt<'_, '_, '_> {
    type Committed = Follow;
    type Error = Answer;

    async fn decide(&mut self, snapshot: Snapshot) -> Result<Decided<Follow>, Answer> {
        // A login taken meanwhile (a lost race on its unique index ends here).
        self.rewrite.refuse_taken(self.app, self.pool).await?;
        // Only the trigger's event reads them: no allocation on the request path without one.
        let attributes = if self.pool.post_confirmation.is_some() {
            snapshot.attributes()
        } else {
            Vec::new()
        };
        let mut app_client = self.client.map(Client::app_client);
        if self.secret_checked {
            app_client = app_client.map(|client| AppClient {
                secret: None,
                ..client
            });
        }
        let lookup = snapshot.lookup(app_client, &attributes);
        let (now, seconds) = self.app.clock.now();
        // A submission takes a unit of its destination's budget with its write; past the
        // budget it is decided as a wrong code (and takes none).
        let mut needs = self.needs;
        let mut spend = None;
        if let Some(over_budget) = self.over_budget
            && let Some(unit) = destinations::guess(self.pool, &snapshot, self.needs)
        {
            let store = &self.app.store;
            let room = destinations::has_room(store, &self.pool.id, &unit, seconds);
            let room = room.await.map_err(internal)?;
            if !room {
                needs = over_budget;
            }
            // Past the budget (decided as a wrong code) the same statement still runs, needing
            // no unit: it takes none unless the window has passed meanwhile, and costs what a
            // submission within the budget costs.
            spend = Some(Spend {
                required: room,
                ..unit
            });
        }
        // Only what the operation reads is drawn (`Operation::draws`).
        let draws = self.sent.draws();
        let sub = match &self.rewrite.new_sub {
            Some(sub) => sub.clone(),
            None if draws.subject => uuid::Uuid::new_v4().hyphenated().to_string(),
            None => String::new(),
        };
        let fresh = Fresh {
            now,
            entropy: if draws.entropy {
                crate::random::random_bytes::<ENTROPY_LEN>()
            } else {
                [0; ENTROPY_LEN]
            },
            nonce: if draws.nonce {
                crate::random::random_bytes::<16>()
            } else {
                [0; 16]
            },
            new_subject: &sub,
        };
        let outcome = needs.decide(&lookup, &fresh);
        let mut new_user = self.new_user.clone();
        if outcome.write().is_some()
            && let Some(password) = &self.password
        {
            // Hashed once, and only for a sign-up that writes. The verifier is made for the
            // username the user is stored under (its `sub` in a `UsernameAttributes` pool).
            if let (Some(place), Operation::SignUp(sign_up)) = (self.place.take(), self.sent) {
                let username = self.rewrite.username.as_deref().unwrap_or(sign_up.username);
                let made =
                    place.credentials(password.clone(), self.pool.id.clone(), username.to_owned());
                self.password_hash = Some(made.await.map_err(internal)?);
            }
            if let Some((hash, verifier)) = &self.password_hash {
                new_user.password_hash = Some(hash.clone());
                new_user.srp_verifier = Some(verifier.clone());
            }
        }
        // What follows, owned, handed back by the `Driver` only once the change is stored.
        let pool = self.pool;
        let decided = Decided::of(outcome, needs, new_user, now, |reply, after| {
            follow(pool, &snapshot, seconds, &reply, after)
        });
        Ok(match decided.map_err(internal)?.transpose()? {
            Decided::Write(change, follow) => Decided::Write(Change { spend, ..change }, follow),
            nothing @ Decided::Nothing(_) => nothing,
        })
    }
}

/// What follows `reply` and `after`, owned; `snapshot`, what the decision was taken on.
fn follow(
    pool: &Pool,
    snapshot: &Snapshot,
    auth_time: i64,
    reply: &Reply<'_>,
    after: After<'_>,
) -> Result<Follow, Answer> {
    let answer = answer(reply)?;
    Ok(match after {
        After::SignIn(signed_in) => {
            let user = snapshot
                .user
                .as_ref()
                .ok_or_else(|| internal("a sign-in without its user"))?;
            Follow::SignIn {
                auth_time,
                identity: Identity {
                    pool_id: pool.id.clone(),
                    username: signed_in.username.to_owned(),
                    sub: signed_in.subject.to_owned(),
                    client_id: signed_in.client_id.to_owned(),
                    email: user.email.clone(),
                    email_verified: user.email_verified,
                    phone_number: user.phone_number.clone(),
                    phone_number_verified: user.phone_number_verified,
                },
            }
        }
        After::PostConfirmation(event) if pool.post_confirmation.is_some() => Follow::Trigger {
            answer,
            event: serde_json::to_string(&event).map_err(internal)?,
        },
        After::PostConfirmation(_) | After::Nothing => Follow::Answer(answer),
        After::Deliver(delivery) => Follow::Deliver(
            answer,
            Delivery {
                pool_id: pool.id.clone(),
                username: delivery.username.to_owned(),
                attribute: delivery.destination.attribute,
                destination: delivery.destination.value.to_owned(),
                code: delivery.code.as_str().to_owned(),
                kind: crate::outbox::DeliveryKind::Code,
            },
        ),
    })
}

/// Carries out what follows a stored decision: the answer (with the tokens of a sign-in,
/// minted with `client`'s lifetimes), and the code to deliver.
pub async fn finish(
    app: &App,
    pool: &Pool,
    client: Option<&Client>,
    follow: Follow,
) -> (Answer, Option<Delivery>) {
    match follow {
        Follow::Answer(answer) => (answer, None),
        Follow::Deliver(answer, delivery) => (answer, Some(delivery)),
        Follow::Trigger { answer, event } => {
            let Some(trigger) = &pool.post_confirmation else {
                return (answer, None);
            };
            let invocation = trigger.invoke(event).await;
            match invocation.outcome().exception() {
                Some(exception) => (Answer::from(&exception), None),
                None => (answer, None),
            }
        }
        Follow::SignIn {
            identity,
            auth_time,
        } => {
            let Some(client) = client else {
                return (internal("a sign-in without its client"), None);
            };
            match refresh::signed_in(app, client, &identity, auth_time).await {
                Ok(answer) | Err(answer) => (answer, None),
            }
        }
    }
}

/// The answer `reply` gives on the wire.
fn answer(reply: &Reply<'_>) -> Result<Answer, Answer> {
    Ok(match reply.exception() {
        Some(exception) => Answer::from(exception),
        None => Answer::Ok(serde_json::to_string(&reply.body()).map_err(internal)?),
    })
}

/// A client operation's client id, username and secret hash, as sent.
pub(crate) fn credentials<'a>(
    operation: &Operation<'a>,
) -> Option<(&'a str, &'a str, Option<&'a str>)> {
    match operation {
        Operation::SignUp(r) => Some((r.client_id, r.username, r.secret_hash)),
        Operation::ConfirmSignUp(r) => Some((r.client_id, r.username, r.secret_hash)),
        Operation::ResendConfirmationCode(r) => Some((r.client_id, r.username, r.secret_hash)),
        Operation::SessionSignIn(r) => Some((r.client_id, r.username, r.secret_hash)),
        _ => None,
    }
}

/// The answer when the client (or, for an admin operation, the pool) was deleted between
/// the look-up and the read.
#[must_use]
pub(crate) fn gone(operation: &Operation<'_>) -> Answer {
    match (operation, credentials(operation)) {
        (_, Some((client_id, _, _))) => Exception::ClientNotFound { client_id }.into(),
        (Operation::AdminConfirmSignUp(request), None) => Exception::UserPoolNotFound {
            user_pool_id: request.user_pool_id,
        }
        .into(),
        _ => internal("an operation this server does not know"),
    }
}
