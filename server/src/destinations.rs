//! Budgets per destination, across accounts: an email address or phone number gets no more
//! codes, and no more guesses at the codes sent to it, than one account gets, however many
//! accounts name it. Without them, twenty sign-ups naming a victim's address mail it twenty
//! codes and buy twenty budgets of guesses at them (a lucky one, with `ForceAliasCreation`,
//! takes the verified address from its owner).
//!
//! | what | per destination, per hour | why that number |
//! |---|---|---|
//! | codes delivered | 6 | one account's: its sign-up's code and five resends |
//! | code submissions | 15 | one account's rolling window (`LimitExceededException` after 15) |
//!
//! A submission is counted before its code is compared (as the crate counts a user's). One
//! over the budget is decided as a wrong code — compared against a code that cannot match —
//! so its answer and its work are a wrong code's, the same for a real user as for an
//! unknown one (a phantom's destination is its own id, and its own budget); it spends the
//! user's attempt too. A code over the budget is not delivered (the answer does not change,
//! so it tells nothing either). The hour is a fixed window from its first use: in the worst
//! case twice the budget falls in one span of an hour across a window's end.
//!
//! The price, stated: whoever knows an address can, by signing up accounts that name it and
//! submitting wrong codes, keep codes from being confirmed or delivered there for an hour —
//! as whoever knows a username can already do to one account.

use confirmation_flow::cognito::{ConfirmSignUp, Needs, Operation};
use confirmation_flow_store::{Param, Read, SqlStore};

use crate::{
    App,
    destination_keys::{of_account, of_address, of_phantom},
    pools::Pool,
};

/// Codes delivered to one destination in an hour: one account's sign-up and five resends.
pub const CODES_PER_HOUR: i64 = 6;
/// Code submissions for one destination in an hour: one account's rolling window.
pub const GUESSES_PER_HOUR: i64 = 15;
/// The window, in seconds.
const WINDOW: i64 = 60 * 60;

/// What a budget counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spend {
    /// A code delivered.
    Code,
    /// A code submitted.
    Guess,
}

impl Spend {
    const fn name(self) -> &'static str {
        match self {
            Self::Code => "code",
            Self::Guess => "guess",
        }
    }

    const fn budget(self) -> i64 {
        match self {
            Self::Code => CODES_PER_HOUR,
            Self::Guess => GUESSES_PER_HOUR,
        }
    }
}

/// Creates the budget row if there is none.
const INSERT: &str = "INSERT INTO destination_budgets (pool_id, destination, kind, window_start, spent) \
     VALUES ($1, $2, $3, $4, 0) ON CONFLICT (pool_id, destination, kind) DO NOTHING";
/// Spends one unit if the window has passed (a new window) or the budget has room: one
/// statement, so two processes cannot both take the last unit (SQLite's writer runs one
/// transaction at a time; PostgreSQL re-checks the condition on the row it locked).
const SPEND: &str = "UPDATE destination_budgets SET \
     spent = CASE WHEN $4 - window_start >= $5 THEN 1 ELSE spent + 1 END, \
     window_start = CASE WHEN $4 - window_start >= $5 THEN $4 ELSE window_start END \
     WHERE pool_id = $1 AND destination = $2 AND kind = $3 \
     AND ($4 - window_start >= $5 OR spent < $6)";
/// Budgets whose window has passed: deleted by the prune loop.
pub const PRUNE: &str = "DELETE FROM destination_budgets WHERE window_start < $1";
/// The pool `$1`'s phantom budgets whose phantom is gone: run after a trim, so a flood of
/// unknown usernames leaves no more budget rows than the phantom cap (a range over the
/// primary key, `phantom:` up to `phantom;`).
pub const DELETE_ORPHANED: &str = "DELETE FROM destination_budgets \
     WHERE pool_id = $1 AND destination >= 'phantom:' AND destination < 'phantom;' \
     AND NOT EXISTS (SELECT 1 FROM phantoms p \
                     WHERE p.id = substr(destination_budgets.destination, 9))";

/// Spends one `spend` of `destination`'s budget in `pool_id` at `now` (Unix seconds):
/// whether there was one to spend.
///
/// # Errors
/// A database error.
pub async fn spend(
    store: &SqlStore,
    pool_id: &str,
    destination: &str,
    spend: Spend,
    now: i64,
) -> confirmation_flow_store::Result<bool> {
    let key = [
        Param::text(pool_id),
        Param::text(destination),
        Param::text(spend.name()),
    ];
    let mut insert = key.to_vec();
    insert.push(Param::Int(now));
    let mut update = key.to_vec();
    update.extend([
        Param::Int(now),
        Param::Int(WINDOW),
        Param::Int(spend.budget()),
    ]);
    let changed = store
        .transaction(vec![(INSERT.into(), insert), (SPEND.into(), update)])
        .await?;
    Ok(changed.get(1) == Some(&1))
}

/// What a submission past its destination's budget is decided with: no code the crate
/// makes (six digits) is this, so it is compared and found wrong, with a wrong code's work.
const NO_CODE: &str = "over-the-destination-budget";

/// Spends one guess of the budget of where the code of the user `needs` names was sent (a
/// phantom's: its own; a user with nowhere to send to: the account's): whether there was
/// one. The same read and write for a real user as for an unknown one; nothing to spend
/// only where the answer is `UserNotFoundException` anyway (no phantom is kept).
async fn guess_within_budget(
    app: &App,
    pool: &Pool,
    needs: &Needs<'_, '_>,
    now: i64,
) -> confirmation_flow_store::Result<bool> {
    let snapshot = app.store.read(Read::of(needs)).await?;
    let destination = match (&snapshot.user, needs.phantom()) {
        (Some(user), _) => Some(
            pool.auto_verified
                .destination(user.email.as_deref(), user.phone_number.as_deref())
                .map_or_else(
                    || of_account(&user.username),
                    |to| of_address(to.attribute.as_str(), to.value),
                ),
        ),
        (None, Some(phantom)) => Some(of_phantom(phantom.as_str())),
        (None, None) => None,
    };
    let Some(destination) = destination else {
        return Ok(true);
    };
    spend(&app.store, &pool.id, &destination, Spend::Guess, now).await
}

/// `operation` with a code that cannot match, when it is a `ConfirmSignUp` past its
/// destination's budget at `now` (the guess spent either way); `None` otherwise.
///
/// # Errors
/// A database error.
pub async fn past_budget<'a>(
    app: &App,
    (pool, crate_pool): (&Pool, &confirmation_flow::cognito::Pool<'_>),
    operation: &Operation<'a>,
    now: i64,
) -> confirmation_flow_store::Result<Option<Operation<'a>>> {
    let Operation::ConfirmSignUp(request) = operation else {
        return Ok(None);
    };
    if guess_within_budget(app, pool, &operation.needs(crate_pool), now).await? {
        return Ok(None);
    }
    let wrong = ConfirmSignUp {
        confirmation_code: NO_CODE,
        ..**request
    };
    let valid = wrong
        .validate()
        .map_err(|exception| exception.to_string())?;
    Ok(Some(Operation::from(valid)))
}

/// Budgets older than a window, as of `now`.
///
/// # Errors
/// A database error.
pub async fn prune(store: &SqlStore, now: i64) -> confirmation_flow_store::Result<u64> {
    let changed = store
        .transaction(vec![(PRUNE.into(), vec![Param::Int(now - WINDOW)])])
        .await?;
    Ok(changed.into_iter().sum())
}
