//! What a store keeps unique beyond a row's key: a user's `sub`, which every code tag, event
//! and (with sign-in) token names as the user, and the sign-in alias (`NewUser::login`) a
//! pool with `UsernameAttributes` finds its user by.

use super::{
    Fixture,
    pool::{Kit, NOW, sign_up},
};
use crate::{Applied, Row};

/// A sign-up whose `sub` another user of the pool already holds is refused as a lost race
/// (decided again, it draws a new one), so one `sub` never names two users.
///
/// # Panics
/// The store broke the promise.
pub async fn a_sign_up_with_a_taken_sub_is_a_lost_race<S: Fixture + ?Sized>(store: &S) {
    let kit = Kit::new(store).await;
    let first = [(kit.alias.as_str(), "first@example.com")];
    let first = kit
        .decide(store, &sign_up("first", &first), false, NOW)
        .await;
    let first = first.change.expect("a sign-up writes");
    let Row::User { sub: taken, .. } = &first.row else {
        panic!("a sign-up writes a user");
    };
    let taken = taken.clone();
    let done = store.apply(first).await.expect("the store writes");
    assert_eq!(done, Applied::Done, "the first sign-up");
    let second = [(kit.alias.as_str(), "second@example.com")];
    let second = kit
        .decide(store, &sign_up("second", &second), false, NOW)
        .await;
    let mut second = second.change.expect("a sign-up writes");
    if let Row::User { sub, .. } = &mut second.row {
        sub.clone_from(&taken);
    }
    let applied = store.apply(second).await.expect("the store writes");
    let why = "a second user with a taken sub must be a lost race";
    assert_eq!(applied, Applied::LostRace, "{why}");
    assert!(kit.user(store, "second").await.is_none(), "{why}");
}

/// A sign-up whose sign-in alias (`NewUser::login`: the email or phone number a pool with
/// `UsernameAttributes` signs its users in with) another user of the pool holds is refused
/// as a lost race, so a sign-in finds one user.
///
/// # Panics
/// The store broke the promise.
pub async fn a_sign_up_with_a_taken_sign_in_alias_is_a_lost_race<S: Fixture + ?Sized>(store: &S) {
    let kit = Kit::new(store).await;
    let login = Some("shared-login@example.com".to_owned());
    let mut changes = Vec::new();
    for username in ["first", "second"] {
        let value = format!("{username}@example.com");
        let attributes = [(kit.alias.as_str(), value.as_str())];
        let decided = kit
            .decide(store, &sign_up(username, &attributes), false, NOW)
            .await;
        let mut change = decided.change.expect("a sign-up writes");
        change.new_user.login.clone_from(&login);
        changes.push(change);
    }
    let [first, second] = <[_; 2]>::try_from(changes).expect("two sign-ups");
    let done = store.apply(first).await.expect("the store writes");
    assert_eq!(done, Applied::Done, "the first sign-up");
    let applied = store.apply(second).await.expect("the store writes");
    let why = "a second user with a taken sign-in alias must be a lost race";
    assert_eq!(applied, Applied::LostRace, "{why}");
    assert!(kit.user(store, "second").await.is_none(), "{why}");
}
