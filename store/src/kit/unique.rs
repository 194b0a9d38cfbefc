//! What a store keeps unique beyond a row's key: a user's `sub`, which every code tag, event
//! and (with sign-in) token names as the user.

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
