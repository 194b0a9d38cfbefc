//! The concurrent scenarios: many requests at once through the [`Driver`](crate::Driver),
//! on the caller's runtime.

use std::sync::Arc;

use confirmation_flow::cognito::{AliasAttribute, Operation, ResendConfirmationCode};

use super::{
    Fixture,
    pool::{CLIENT, GONE, Kit, NOW, confirm, sign_up},
    scenarios::apply,
};
use crate::{Applied, Spend};

/// Fifty wrong codes for one user at once, through the loop: exactly five are compared
/// (the policy's attempts per code), however the store interleaves them.
///
/// # Panics
/// The store broke the promise.
pub async fn fifty_wrong_codes_at_once_are_compared_five_times<S: Fixture + 'static>(
    store: Arc<S>,
) {
    let kit = Arc::new(Kit::new(&*store).await);
    let code = kit.sign_up(&*store, "guessed", "guessed@example.com").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let guesses: Vec<_> = (0..50)
        .map(|_| {
            let (store, kit) = (store.clone(), kit.clone());
            tokio::spawn(async move {
                let operation = confirm("guessed", wrong, false);
                kit.drive(&*store, &operation, NOW + 1).await.answer
            })
        })
        .collect();
    let mut compared = 0;
    for guess in guesses {
        let answer = guess.await.expect("a guess runs to its end");
        compared += usize::from(answer == "CodeMismatchException");
    }
    let attempts = kit.user(&*store, "guessed").await.expect("stored");
    assert_eq!(compared, 5, "50 wrong codes at once: compared");
    assert_eq!(attempts.state.attempts_used(), 5, "attempts stored");
}

/// A hundred pairs of users, each pair sharing one email (or, in a pool that aliases the
/// phone number, one phone number), confirm at once, with or without
/// `ForceAliasCreation`: each value ends with exactly one verified owner.
///
/// # Panics
/// The store broke the promise.
pub async fn pairs_confirming_one_value_leave_one_verified_owner<S: Fixture + 'static>(
    store: Arc<S>,
    alias: AliasAttribute,
    force: bool,
) {
    const PAIRS: usize = 100;
    let kit = Arc::new(Kit::on(&*store, alias).await);
    let mut users = Vec::new();
    for pair in 0..PAIRS {
        let value = match alias {
            AliasAttribute::Email => format!("pair{pair}@example.com"),
            AliasAttribute::PhoneNumber => format!("+1555010{pair:04}"),
        };
        for side in ["a", "b"] {
            let username = format!("{side}{pair}");
            let code = kit.sign_up(&*store, &username, &value).await;
            users.push((username, code));
        }
    }
    let confirmations: Vec<_> = users
        .into_iter()
        .map(|(username, code)| {
            let (store, kit) = (store.clone(), kit.clone());
            tokio::spawn(async move {
                let operation = confirm(&username, &code, force);
                kit.drive(&*store, &operation, NOW + 1).await;
            })
        })
        .collect();
    for confirmation in confirmations {
        confirmation.await.expect("a confirmation runs to its end");
    }
    for pair in 0..PAIRS {
        let mut owners = 0;
        for side in ["a", "b"] {
            let row = kit.user(&*store, &format!("{side}{pair}")).await;
            owners += usize::from(kit.verified(&row.expect("stored")));
        }
        assert_eq!(
            owners, 1,
            "pair {pair} ({alias:?}, force: {force}): verified owners"
        );
    }
}

/// Sign-ups racing the deletion of their pool: once the deletion is done, none of them is
/// left, none made after it is stored, and the pool's phantoms are gone too.
///
/// # Panics
/// The store broke the promise.
pub async fn deleting_a_pool_during_sign_ups_leaves_nothing<S: Fixture + 'static>(store: Arc<S>) {
    const SIGN_UPS: usize = 40;
    let kit = Arc::new(Kit::new(&*store).await);
    // A phantom of the pool, for an unknown user under a client that hides them.
    let request = ResendConfirmationCode {
        client_id: CLIENT,
        username: "ghost",
        ..ResendConfirmationCode::default()
    };
    let ghost = Operation::from(request.validate().expect("a valid request"));
    let phantom = kit.decide(&*store, &ghost, true, NOW).await;
    apply(&*store, phantom.change, Applied::Done, "the pool's phantom").await;
    let pool = kit.pool();
    let phantom_read = crate::Read::of(&ghost.needs(&pool));
    let sign_ups: Vec<_> = (0..SIGN_UPS)
        .map(|n| {
            let (store, kit) = (store.clone(), kit.clone());
            tokio::spawn(async move {
                let username = format!("racer{n}");
                let attributes = [("email", "racer@example.com")];
                let operation = sign_up(&username, &attributes);
                kit.drive(&*store, &operation, NOW).await.answer
            })
        })
        .collect();
    tokio::task::yield_now().await;
    store
        .delete_pool(kit.pool_id())
        .await
        .expect("the fixture deletes the pool");
    for sign_up in sign_ups {
        let answer = sign_up.await.expect("a sign-up runs to its end");
        assert!(matches!(answer, "Ok" | GONE), "{answer}");
    }
    for n in 0..SIGN_UPS {
        let left = kit.user(&*store, &format!("racer{n}")).await;
        assert!(left.is_none(), "racer{n} outlived its pool's deletion");
    }
    let left = store.read(phantom_read).await.expect("the store reads");
    assert!(
        left.phantom.is_none(),
        "a phantom outlived its pool's deletion"
    );
}

/// Forty changes at once, each taking a unit of one budget of fifteen: exactly fifteen are
/// made, and the rest are lost races that change nothing (here: no phantom is written).
///
/// # Panics
/// The store broke the promise.
pub async fn forty_spends_of_one_budget_take_exactly_fifteen<S: Fixture + 'static>(store: Arc<S>) {
    let kit = Arc::new(Kit::new(&*store).await);
    let spends: Vec<_> = (0..40)
        .map(|n| {
            let (store, kit) = (store.clone(), kit.clone());
            tokio::spawn(async move {
                let username = format!("ghost{n}");
                let request = ResendConfirmationCode {
                    client_id: CLIENT,
                    username: &username,
                    ..ResendConfirmationCode::default()
                };
                let operation = Operation::from(request.validate().expect("a valid request"));
                let mut decision = kit.decide(&*store, &operation, true, NOW).await;
                let mut change = decision.change.take().expect("a phantom is written");
                change.spend = Some(Spend {
                    key: "kit@example.com".to_owned(),
                    kind: "guess",
                    most: 15,
                    window: 3_600,
                    required: true,
                });
                store.apply(change).await.expect("the store writes")
            })
        })
        .collect();
    let mut made = 0;
    for spend in spends {
        made += usize::from(spend.await.expect("a spend runs to its end") == Applied::Done);
    }
    assert_eq!(made, 15, "40 changes at once on a budget of 15: made");
}
