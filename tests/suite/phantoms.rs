//! Unknown users are phantoms: for any sequence of `ConfirmSignUp` and
//! `ResendConfirmationCode` requests, an unknown user's answers are those of a real,
//! unconfirmed user who never gets the right code — through the in-memory store, so the
//! phantom's state is written, read back and counted exactly as a user's is.

use confirmation_flow::{
    Code, Confirmation, Timestamp,
    cognito::{AttributeSet, ConfirmSignUp, Operation, Pool, ResendConfirmationCode, UserStatus},
};
use proptest::prelude::*;

use crate::{
    cognito_fixtures::{CLIENT_ID, EMAIL, Fixture, SUB, USERNAME, fresh},
    common::{T0, entropy},
    memory_store::{MemoryStore, Row, Served},
};

#[derive(Clone, Debug)]
enum Request {
    /// A code that is not the user's.
    Confirm(u32),
    Resend,
    Wait(u64),
}

fn request() -> impl Strategy<Value = Request> {
    prop_oneof![
        8 => (0..1_000_000_u32).prop_map(Request::Confirm),
        3 => Just(Request::Resend),
        3 => (0..600_u64).prop_map(Request::Wait),
        1 => (0..2 * 86_400_u64).prop_map(Request::Wait),
    ]
}

/// A store holding alice, signed up at `T0` with a code out to her email.
fn store_with_alice(fixture: &Fixture) -> (MemoryStore, Code) {
    let (state, code) = Confirmation::issue(
        &fixture.policy,
        &fixture.key,
        SUB.as_bytes(),
        T0,
        &entropy(0),
    )
    .unwrap();
    let mut store = MemoryStore::default();
    store.users.insert(
        USERNAME.to_owned(),
        Row {
            sub: SUB.to_owned(),
            status: UserStatus::Unconfirmed,
            state,
            email: Some(EMAIL.to_owned()),
            phone_number: None,
            email_verified: false,
            phone_number_verified: false,
        },
    );
    (store, code)
}

/// Runs `requests` for `username` through `store` and collects the answers.
fn answers(
    pool: &Pool<'_>,
    store: &mut MemoryStore,
    username: &str,
    real_codes: &mut Vec<String>,
    requests: &[Request],
) -> Vec<Served> {
    let client = Some(Fixture::public_client(true));
    let mut clock = T0.as_unix_seconds();
    let mut served = Vec::new();
    for request in requests {
        let fresh = fresh(Timestamp::from_unix_seconds(clock));
        let answer = match *request {
            Request::Wait(seconds) => {
                clock += seconds;
                continue;
            }
            Request::Confirm(guess) => {
                let mut code = format!("{guess:06}");
                if real_codes.contains(&code) {
                    code = format!("{:06}", (guess + 1) % 1_000_000);
                }
                let request = ConfirmSignUp {
                    client_id: CLIENT_ID,
                    username,
                    confirmation_code: &code,
                    ..ConfirmSignUp::default()
                };
                store.serve(
                    pool,
                    client,
                    &Operation::from(request.validate().unwrap()),
                    &fresh,
                )
            }
            Request::Resend => {
                let request = ResendConfirmationCode {
                    client_id: CLIENT_ID,
                    username,
                    ..ResendConfirmationCode::default()
                };
                store.serve(
                    pool,
                    client,
                    &Operation::from(request.validate().unwrap()),
                    &fresh,
                )
            }
        };
        real_codes.extend(answer.code.clone());
        served.push(answer);
    }
    served
}

/// What a client can see of an answer: everything but the masked destination's letters
/// (a real user's come from their address).
fn seen(served: &Served) -> (String, String, Option<(String, String)>) {
    (
        served.answer.clone(),
        served.message.clone(),
        served
            .delivery
            .as_ref()
            .map(|(medium, attribute, _)| (medium.clone(), attribute.clone())),
    )
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(200)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    /// The invariant: the same requests, for alice or for a username nobody has, get the
    /// same answers, in the same order — including the attempt budget, both rolling
    /// windows and the code's expiry. Alice signs up as the sequence starts (a phantom's
    /// code starts when it is first seen; docs/COGNITO.md, "What still differs", says what
    /// follows).
    #[test]
    fn an_unknown_user_is_answered_as_a_real_user_who_never_has_the_code(
        requests in prop::collection::vec(request(), 1..60)
    ) {
        let requests: Vec<Request> = requests
            .into_iter()
            .skip_while(|request| matches!(request, Request::Wait(_)))
            .collect();
        let fixture = Fixture::new();
        let pool = Pool { auto_verified: AttributeSet::EMAIL, ..fixture.pool() };
        let (mut store, code) = store_with_alice(&fixture);
        let mut codes = vec![code.as_str().to_owned()];
        let real = answers(&pool, &mut store, USERNAME, &mut codes, &requests);
        let unknown = answers(&pool, &mut store, "mallory", &mut codes, &requests);
        let real: Vec<_> = real.iter().map(seen).collect();
        let unknown: Vec<_> = unknown.iter().map(seen).collect();
        prop_assert_eq!(real, unknown);
        prop_assert_eq!(store.phantoms.len(), usize::from(!requests.iter().all(|r| matches!(r, Request::Wait(_)))));
    }
}

#[test]
fn an_unknown_user_reaches_every_limit_a_user_does() {
    let fixture = Fixture::new();
    let pool = fixture.pool();
    let (mut store, code) = store_with_alice(&fixture);
    let mut codes = vec![code.as_str().to_owned()];
    // Six wrong codes a second apart, then sixteen more an hour's worth of resends later.
    let mut requests: Vec<Request> = (0..6)
        .flat_map(|_| [Request::Confirm(1), Request::Wait(1)])
        .collect();
    requests.extend((0..10).flat_map(|_| [Request::Confirm(2), Request::Wait(1)]));
    requests.extend((0..6).map(|_| Request::Resend));
    let unknown = answers(&pool, &mut store, "mallory", &mut codes, &requests);
    let names: Vec<&str> = unknown
        .iter()
        .map(|served| served.answer.as_str())
        .collect();
    let mut expected = vec!["CodeMismatchException"; 5];
    expected.push("TooManyFailedAttemptsException");
    expected.extend(["TooManyFailedAttemptsException"; 9]);
    expected.push("LimitExceededException");
    expected.extend(["Ok"; 5]);
    expected.push("LimitExceededException");
    assert_eq!(names, expected);
    assert!(
        unknown.iter().all(|served| served.code.is_none()),
        "a phantom's code is never delivered"
    );
}

#[test]
fn an_unknown_users_delivery_shows_the_pools_medium_and_nothing_of_the_username() {
    let fixture = Fixture::new();
    let resend = |pool: &Pool<'_>, store: &mut MemoryStore, username: &str| {
        let request = ResendConfirmationCode {
            client_id: CLIENT_ID,
            username,
            ..ResendConfirmationCode::default()
        };
        let operation = Operation::from(request.validate().unwrap());
        store
            .serve(
                pool,
                Some(Fixture::public_client(true)),
                &operation,
                &fresh(T0),
            )
            .delivery
            .unwrap()
    };
    let email_pool = Pool {
        auto_verified: AttributeSet::EMAIL,
        ..fixture.pool()
    };
    let mut store = MemoryStore::default();
    // Different usernames are shown different made-up addresses (26 × 26 of them).
    let shown: std::collections::BTreeSet<String> = (0..8)
        .map(|n| resend(&email_pool, &mut store, &format!("user{n}")).2)
        .collect();
    assert!(shown.len() > 1, "{shown:?}");
    // The username looks like a phone number and an email: neither shapes the answer.
    for username in ["+12065559999", "zed@zzz.example", "mallory"] {
        let (medium, attribute, destination) = resend(&email_pool, &mut store, username);
        assert_eq!((medium.as_str(), attribute.as_str()), ("EMAIL", "email"));
        assert_eq!(destination.len(), "a***@b***".len(), "{destination}");
        assert!(destination.contains("***@") && destination.ends_with("***"));
        // The same username always shows the same destination.
        assert_eq!(resend(&email_pool, &mut store, username).2, destination);
    }
    let phone_pool = fixture.pool();
    let (medium, attribute, destination) = resend(&phone_pool, &mut store, "mallory@example.com");
    assert_eq!(
        (medium.as_str(), attribute.as_str()),
        ("SMS", "phone_number")
    );
    assert!(
        destination.starts_with("+*******") && destination.len() == 12,
        "{destination}"
    );
    let other = resend(&phone_pool, &mut store, "trent").2;
    assert_ne!(
        other, destination,
        "different usernames, different (made-up) destinations"
    );
    // Made with the server key: under another key the same username shows another one.
    let rotated = crate::common::rotated_key();
    let rotated_pool = Pool {
        keys: confirmation_flow::KeyRing::single(&rotated),
        ..fixture.pool()
    };
    let (_, _, elsewhere) = resend(
        &rotated_pool,
        &mut MemoryStore::default(),
        "mallory@example.com",
    );
    assert_ne!(elsewhere, destination);
}
