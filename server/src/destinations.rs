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
//! A submission is counted with the write that counts it for the user (one transaction: the
//! unit is taken only if the budget still has one, else the request reads and decides
//! again), before its code's result is answered. One over the budget is decided as a wrong
//! code — compared against a code that cannot match —
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
use confirmation_flow_store::{Budget, Param, Snapshot, Spend, SqlStore, Value, budget};

use crate::{
    destination_keys::{of_account, of_address, of_phantom},
    pools::Pool,
};

/// Codes delivered to one destination in an hour: one account's sign-up and five resends.
pub const CODES_PER_HOUR: i64 = 6;
/// Code submissions for one destination in an hour: one account's rolling window.
pub const GUESSES_PER_HOUR: i64 = 15;
/// The window, in seconds.
pub const WINDOW: i64 = 60 * 60;

/// What a budget counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Counted {
    /// A code delivered.
    Code,
    /// A code submitted.
    Guess,
}

impl Counted {
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

/// The pool `$1`'s phantom budgets whose phantom is gone: run after a trim, so a flood of
/// unknown usernames leaves no more budget rows than the phantom cap (a range over the
/// primary key, `phantom:` up to `phantom;`).
pub const DELETE_ORPHANED: &str = "DELETE FROM destination_budgets \
     WHERE pool_id = $1 AND destination >= 'phantom:' AND destination < 'phantom;' \
     AND NOT EXISTS (SELECT 1 FROM phantoms p \
                     WHERE p.id = substr(destination_budgets.destination, 9))";

/// The budget of `kind` for `destination`.
#[must_use]
pub fn unit(destination: String, kind: Counted) -> Spend {
    Spend {
        key: destination,
        kind: kind.name(),
        most: kind.budget(),
        window: WINDOW,
        required: true,
    }
}

/// Spends one `kind` of `destination`'s budget in `pool_id` at `now` (Unix seconds), alone
/// (a delivered code): whether there was one to spend.
///
/// # Errors
/// A database error.
pub async fn spend(
    store: &SqlStore,
    pool_id: &str,
    destination: &str,
    kind: Counted,
    now: i64,
) -> confirmation_flow_store::Result<bool> {
    let params = vec![
        Param::text(pool_id),
        Param::text(destination),
        Param::text(kind.name()),
        Param::Int(now),
        Param::Int(WINDOW),
        Param::Int(kind.budget()),
    ];
    let changed = store
        .transaction(vec![(budget::SPEND.into(), params)])
        .await?;
    Ok(changed == [1])
}

/// What a submission past its destination's budget is decided with: no code the crate
/// makes (six digits) is this, so it is compared and found wrong, with a wrong code's work.
const NO_CODE: &str = "over-the-destination-budget";

/// The guess a `ConfirmSignUp` takes from the budget of where the code of the user it names
/// was sent (a phantom's: its own; a user with nowhere to send to: the account's), as
/// `snapshot` shows the user; `None` only where the answer is `UserNotFoundException`
/// anyway (no phantom is kept).
#[must_use]
pub fn guess(pool: &Pool, snapshot: &Snapshot, needs: &Needs<'_, '_>) -> Option<Spend> {
    let destination = match (&snapshot.user, needs.phantom()) {
        (Some(user), _) => pool
            .auto_verified
            .destination(user.email.as_deref(), user.phone_number.as_deref())
            .map_or_else(
                || of_account(&user.username),
                |to| of_address(to.attribute, to.value),
            ),
        (None, Some(phantom)) => of_phantom(phantom.as_str()),
        (None, None) => return None,
    };
    Some(unit(destination, Counted::Guess))
}

/// Whether `unit`'s budget in `pool_id` has room at `now`. The read is a hint: the write
/// that takes the unit checks again, and loses the race if another took the last one.
///
/// # Errors
/// A database error.
pub async fn has_room(
    store: &SqlStore,
    pool_id: &str,
    unit: &Spend,
    now: i64,
) -> confirmation_flow_store::Result<bool> {
    let key = vec![
        Param::text(pool_id),
        Param::text(unit.key.as_str()),
        Param::text(unit.kind),
    ];
    let rows = store.rows(budget::READ.into(), key).await?;
    Ok(match rows.first().map(Vec::as_slice) {
        None => true,
        Some([Value::Int(window_start), Value::Int(spent)]) => Budget {
            window_start: *window_start,
            spent: *spent,
        }
        .has_room(unit, now),
        Some(_) => return Err("a budget row of another shape".into()),
    })
}

/// `operation` with a code that cannot match, when it is a `ConfirmSignUp`: what it is
/// decided as past its destination's budget. `None` for other operations.
///
/// # Errors
/// The request does not validate with the stand-in code (it always does).
pub fn past_budget<'a>(
    operation: &Operation<'a>,
) -> confirmation_flow_store::Result<Option<Operation<'a>>> {
    let Operation::ConfirmSignUp(request) = operation else {
        return Ok(None);
    };
    let wrong = ConfirmSignUp {
        confirmation_code: NO_CODE,
        ..**request
    };
    let valid = wrong
        .validate()
        .map_err(|exception| exception.to_string())?;
    Ok(Some(Operation::from(valid)))
}

/// Deletes the budgets whose window has passed by `now`: how many.
///
/// # Errors
/// A database error.
pub async fn prune(store: &SqlStore, now: i64) -> confirmation_flow_store::Result<u64> {
    // A window that started a whole window ago has passed (`Budget::has_room`).
    store.prune_budgets(now - WINDOW + 1).await
}
