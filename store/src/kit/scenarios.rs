//! The scenarios, each a promise of the store's: its name says which.

use confirmation_flow::cognito::{Operation, ResendConfirmationCode, UserStatus};

use super::{
    Fixture,
    pool::{CLIENT, Kit, NOW, confirm, sign_up},
};
use crate::{Applied, Change, Store};

/// Applies `change`, which the scenario expects to be `expected`.
pub(super) async fn apply<S: Store + ?Sized>(
    store: &S,
    change: Option<Change>,
    expected: Applied,
    why: &str,
) {
    let change = change.unwrap_or_else(|| panic!("{why}: the decision writes nothing"));
    let applied = store.apply(change).await.expect("the store writes");
    assert_eq!(applied, expected, "{why}");
}

/// Two users confirm one email on one snapshot: the store takes the first and refuses the
/// second (a unique verified owner), and the second, decided again, is told the alias
/// exists.
///
/// # Panics
/// The store broke the promise.
pub async fn a_second_verified_owner_of_one_email_is_a_lost_race<S: Fixture + ?Sized>(store: &S) {
    let kit = Kit::new(store).await;
    let email = "shared@example.com";
    let first = kit.sign_up(store, "first", email).await;
    let second = kit.sign_up(store, "second", email).await;
    let (a, b) = (
        confirm("first", &first, false),
        confirm("second", &second, false),
    );
    let decided_a = kit.decide(store, &a, false, NOW + 1).await;
    let decided_b = kit.decide(store, &b, false, NOW + 1).await;
    assert_eq!((decided_a.answer, decided_b.answer), ("Ok", "Ok"));
    apply(store, decided_a.change, Applied::Done, "the first owner").await;
    let why = "a second verified owner of one email must be a lost race";
    apply(store, decided_b.change, Applied::LostRace, why).await;
    let again = kit.decide(store, &b, false, NOW + 1).await;
    assert_eq!(again.answer, "AliasExistsException", "decided again");
    let first = kit.user(store, "first").await.expect("first is stored");
    let second = kit.user(store, "second").await.expect("second is stored");
    assert!(first.email_verified && !second.email_verified, "{why}");
    assert_eq!(second.status, UserStatus::Unconfirmed, "{why}");
    let stored = "a confirmation's change must store the user's new status";
    assert_eq!(first.status, UserStatus::Confirmed, "{stored}");
}

/// Two users force one alias at once, both naming its owner: the first takes it, and the
/// second's claim names an owner who no longer holds it, so the store refuses it.
///
/// # Panics
/// The store broke the promise.
pub async fn taking_an_alias_from_an_owner_who_no_longer_holds_it_is_a_lost_race<
    S: Fixture + ?Sized,
>(
    store: &S,
) {
    let kit = Kit::new(store).await;
    let email = "moving@example.com";
    let mut codes = Vec::new();
    for user in ["owner", "thief", "other"] {
        codes.push(kit.sign_up(store, user, email).await);
    }
    let owner = confirm("owner", &codes[0], false);
    let owner = kit.decide(store, &owner, false, NOW + 1).await;
    apply(store, owner.change, Applied::Done, "the owner").await;
    let (thief, other) = (
        confirm("thief", &codes[1], true),
        confirm("other", &codes[2], true),
    );
    let change_t = kit.decide(store, &thief, false, NOW + 2).await;
    let change_o = kit.decide(store, &other, false, NOW + 2).await;
    apply(store, change_t.change, Applied::Done, "the first to force").await;
    let why = "a claim naming an owner who no longer holds the alias must be a lost race";
    apply(store, change_o.change, Applied::LostRace, why).await;
    let mut verified = Vec::new();
    for user in ["owner", "thief", "other"] {
        let row = kit.user(store, user).await.expect("stored");
        verified.push(row.email_verified);
    }
    assert_eq!(verified, [false, true, false], "{why}");
}

/// Two wrong codes and the right one decided on one snapshot: once the first guess is
/// stored, the others' writes name a version that moved, the second guess's (the state
/// alone) and the right code's (which verifies the email too). Two guesses never share one
/// attempt, and a confirmation never overwrites an attempt counted meanwhile.
///
/// # Panics
/// The store broke the promise.
pub async fn a_write_against_a_stale_version_is_a_lost_race<S: Fixture + ?Sized>(store: &S) {
    let kit = Kit::new(store).await;
    let code = kit.sign_up(store, "alice", "alice@example.com").await;
    let wrong = |digit: char| {
        let guess: String = std::iter::repeat_n(digit, 6).collect();
        if guess == code { "2".repeat(6) } else { guess }
    };
    let (guess_1, guess_2) = (wrong('0'), wrong('1'));
    let (one, two, right) = (
        confirm("alice", &guess_1, false),
        confirm("alice", &guess_2, false),
        confirm("alice", &code, false),
    );
    let one = kit.decide(store, &one, false, NOW + 1).await;
    let two = kit.decide(store, &two, false, NOW + 1).await;
    let right = kit.decide(store, &right, false, NOW + 1).await;
    apply(store, one.change, Applied::Done, "the first guess").await;
    let why = "a write against a stale version must be a lost race";
    apply(store, two.change, Applied::LostRace, why).await;
    let verifying = "a verifying write against a stale version must be a lost race";
    apply(store, right.change, Applied::LostRace, verifying).await;
    let alice = kit.user(store, "alice").await.expect("stored");
    assert_eq!(alice.state.attempts_used(), 1, "{why}");
    assert!(!alice.email_verified, "{verifying}");
}

/// A confirmation decided for a user who is then deleted and signed up again under the same
/// name (a new `sub`, and the same version, 1): its write names the old `sub`, so it must
/// not land on the new user (a code for one account never confirms another).
///
/// # Panics
/// The store broke the promise.
pub async fn a_write_for_a_user_deleted_and_signed_up_again_is_a_lost_race<S: Fixture + ?Sized>(
    store: &S,
) {
    let kit = Kit::new(store).await;
    let code = kit.sign_up(store, "reborn", "reborn@example.com").await;
    let old = kit.user(store, "reborn").await.expect("stored").sub;
    let confirmation = confirm("reborn", &code, false);
    let confirmation = kit.decide(store, &confirmation, false, NOW + 1).await;
    store
        .delete_user(kit.pool_id(), "reborn")
        .await
        .expect("the fixture deletes the user");
    kit.sign_up(store, "reborn", "reborn@example.com").await;
    let new = kit.user(store, "reborn").await.expect("stored").sub;
    assert_ne!(old, new, "signed up again, the user has a new sub");
    let why = "a write must name the `sub` it read, not only the version";
    apply(store, confirmation.change, Applied::LostRace, why).await;
    let row = kit.user(store, "reborn").await.expect("stored");
    assert_eq!(row.status, UserStatus::Unconfirmed, "{why}");
}

/// Two sign-ups of one name decided on one snapshot: only one user is inserted.
///
/// # Panics
/// The store broke the promise.
pub async fn two_sign_ups_of_one_name_insert_one_user<S: Fixture + ?Sized>(store: &S) {
    let kit = Kit::new(store).await;
    let attributes = [("email", "twin@example.com")];
    let operation = sign_up("twin", &attributes);
    let first = kit.decide(store, &operation, false, NOW).await;
    let second = kit.decide(store, &operation, false, NOW).await;
    apply(store, first.change, Applied::Done, "the first sign-up").await;
    let why = "a sign-up must insert only if the name is free";
    apply(store, second.change, Applied::LostRace, why).await;
}

/// An unknown user's phantom (a client that hides unknown users) is written as a user is:
/// inserted once, then by version.
///
/// # Panics
/// The store broke the promise.
pub async fn a_phantom_is_inserted_once_then_written_by_version<S: Fixture + ?Sized>(store: &S) {
    let kit = Kit::new(store).await;
    let request = ResendConfirmationCode {
        client_id: CLIENT,
        username: "nobody",
        ..ResendConfirmationCode::default()
    };
    let operation = Operation::from(request.validate().expect("a valid request"));
    let insert = kit.decide(store, &operation, true, NOW).await;
    let again = kit.decide(store, &operation, true, NOW).await;
    apply(store, insert.change, Applied::Done, "the phantom's insert").await;
    let why = "a phantom must be inserted once";
    apply(store, again.change, Applied::LostRace, why).await;
    let update = kit.decide(store, &operation, true, NOW + 1).await;
    let by_version = update.change.as_ref().is_some_and(|c| c.expected.is_some());
    assert!(by_version, "a phantom is then written by version");
    apply(store, update.change, Applied::Done, "the phantom's update").await;
}
