//! What a store keeps unique beyond a row's key: a user's `sub`, which every code tag, event
//! and (with sign-in) token names as the user, and the sign-in alias (`NewUser::login`) a
//! pool with `UsernameAttributes` finds its user by.

use confirmation_flow::cognito::UserStatus;

use super::{
    Fixture,
    pool::{Kit, NOW, confirm, sign_up},
};
use crate::{Applied, Claim, Row};

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

/// A user inserted verified (`AdminCreateUser` with `email_verified`) claims its alias as a
/// confirmation does: the insert is a lost race (and nothing is inserted) while another user
/// holds the value verified; taking it from that owner (`ForceAliasCreation`) leaves the new
/// user its one verified owner.
///
/// # Panics
/// The store broke the promise.
pub async fn an_insert_claims_its_alias_as_a_confirmation_does<S: Fixture + ?Sized>(store: &S) {
    let kit = Kit::new(store).await;
    let value = "held@example.com";
    let code = kit.sign_up(store, "owner", value).await;
    let confirmed = kit
        .decide(store, &confirm("owner", &code, false), false, NOW + 1)
        .await;
    let confirmed = confirmed.change.expect("a confirmation writes");
    let done = store.apply(confirmed).await.expect("the store writes");
    assert_eq!(done, Applied::Done, "the owner confirms");
    let attributes = [(kit.alias.as_str(), value)];
    let decided = kit
        .decide(store, &sign_up("invited", &attributes), false, NOW + 2)
        .await;
    let mut insert = decided.change.expect("a sign-up writes");
    insert.status = Some(UserStatus::ForceChangePassword);
    insert.verify = Some(kit.alias);
    insert.claim = Some(Claim {
        attribute: kit.alias,
        value: value.to_owned(),
        from: None,
    });
    let held = store.apply(insert.clone()).await.expect("the store writes");
    let why = "an insert claiming a value another user holds verified must be a lost race";
    assert_eq!(held, Applied::LostRace, "{why}");
    assert!(kit.user(store, "invited").await.is_none(), "{why}");
    if let Some(claim) = &mut insert.claim {
        claim.from = Some("owner".to_owned());
    }
    let taken = store.apply(insert).await.expect("the store writes");
    assert_eq!(
        taken,
        Applied::Done,
        "an insert taking the alias from its owner"
    );
    let invited = kit.user(store, "invited").await.expect("invited is stored");
    let owner = kit.user(store, "owner").await.expect("owner is stored");
    let why = "the inserted user must hold the alias verified, and its owner no longer";
    assert!(kit.verified(&invited) && !kit.verified(&owner), "{why}");
    assert_eq!(invited.status, UserStatus::ForceChangePassword, "{why}");
}
