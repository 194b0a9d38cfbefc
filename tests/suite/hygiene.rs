//! Secrets never print and never compare in variable time; a long code never matches by
//! truncation; keys form a ring; a policy's guessing bound is stated and enforced.

use core::time::Duration;

use confirmation_flow::{
    Alphabet, Code, Confirmation, GuessBound, KeyId, KeyRing, KeyRingError, Policy, PolicyConfig,
    PolicyError, Refusal, ServerKey,
    cognito::{
        AdminConfirmSignUp, AnalyticsMetadata, ClientMetadata, ConfirmSignUp,
        ResendConfirmationCode, Session, SessionPurpose, SignUp, UserAttributes, UserContextData,
    },
};

use crate::{
    cognito_fixtures::{CLIENT_ID, EMAIL as ALICE, Fixture, USERNAME, decide, found},
    common::{SUBJECT, T0, at, entropy, key},
};

const CODE: &str = "424242";
const HASH: &str = "kWrCOiuCWhyjsCaD2Hv4iyr82fBK4ToBUp/qwQuW+Ko=";
const SESSION: &str = "sessionsessionsessionsession";
const PASSWORD: &str = "Passw0rd!";
const IP: &str = "192.0.2.77";
const EMAIL: &str = "victim@example.com";

fn assert_hides(debug: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!debug.contains(secret), "{secret:?} printed in {debug}");
    }
}

#[test]
fn debug_of_every_request_type_shows_no_secret() {
    let context = Some(UserContextData {
        ip_address: Some(IP),
        encoded_data: Some("blob-of-secrets"),
    });
    let confirm = ConfirmSignUp {
        client_id: "client",
        secret_hash: Some(HASH),
        username: "alice",
        confirmation_code: CODE,
        user_context_data: context,
        client_metadata: Some(ClientMetadata::new(&[("source", "metadata-value")])),
        session: Some(SESSION),
        analytics_metadata: Some(AnalyticsMetadata::default()),
        ..ConfirmSignUp::default()
    };
    let secrets = [CODE, HASH, SESSION, IP, "blob-of-secrets", "metadata-value"];
    for debug in [
        format!("{confirm:?}"),
        format!("{:?}", confirm.validate().unwrap()),
    ] {
        assert_hides(&debug, &secrets);
        assert!(debug.contains("<redacted>"), "{debug}");
    }
    let resend = ResendConfirmationCode {
        client_id: "client",
        secret_hash: Some(HASH),
        username: "alice",
        user_context_data: context,
        ..ResendConfirmationCode::default()
    };
    assert_hides(&format!("{resend:?}"), &secrets);
    let attributes = [("email", EMAIL), ("phone_number", "+12065550000")];
    let sign_up = SignUp {
        client_id: "client",
        secret_hash: Some(HASH),
        username: "alice",
        password: Some(PASSWORD),
        user_attributes: Some(UserAttributes::new(&attributes)),
        validation_data: Some(UserAttributes::new(&[("captcha", "validation-secret")])),
        user_context_data: context,
        ..SignUp::default()
    };
    let debug = format!("{sign_up:?}");
    assert_hides(
        &debug,
        &[
            HASH,
            PASSWORD,
            EMAIL,
            "+12065550000",
            "validation-secret",
            IP,
        ],
    );
    assert!(
        debug.contains("email"),
        "attribute names stay visible: {debug}"
    );
    let admin = AdminConfirmSignUp {
        user_pool_id: "us-east-1_EXAMPLE",
        username: "alice",
        client_metadata: Some(ClientMetadata::new(&[("k", "metadata-value")])),
    };
    assert_hides(&format!("{admin:?}"), &["metadata-value"]);
}

#[cfg(feature = "serde")]
#[test]
fn debug_of_decoded_bodies_and_outcomes_shows_no_secret() {
    use confirmation_flow::cognito::{Body, OperationName};
    let json = format!(
        r#"{{"ClientId":"client","SecretHash":"{HASH}","Username":"alice","ConfirmationCode":"{CODE}","Session":"{SESSION}","Password":"{PASSWORD}"}}"#
    );
    for operation in [OperationName::ConfirmSignUp, OperationName::SignUp] {
        let mut body = Body::new(operation);
        body.decode(&mut serde_json::Deserializer::from_str(&json))
            .unwrap();
        let debug = format!("{body:?}");
        assert_hides(&debug, &[CODE, HASH, SESSION, PASSWORD, "alice"]);
        assert!(debug.contains("ClientId"), "{debug}");
    }
}

#[test]
fn debug_of_codes_keys_sessions_and_deliveries_is_redacted() {
    let (_, code) =
        Confirmation::issue(&Policy::COGNITO, &key(), SUBJECT, T0, &entropy(0)).unwrap();
    assert_eq!(format!("{code:?}"), "Code(<redacted>)");
    assert!(!format!("{:?}", key()).contains("[7"));
    let session = Session::mint(
        &key(),
        SessionPurpose::SignIn,
        "a",
        "c",
        T0,
        Duration::from_secs(9),
        &[1; 16],
    );
    assert_eq!(format!("{session:?}"), "Session(<redacted>)");
    let destination = confirmation_flow::cognito::Destination {
        attribute: confirmation_flow::cognito::AliasAttribute::Email,
        value: EMAIL,
    };
    assert_hides(&format!("{destination:?}"), &[EMAIL]);
}

#[test]
fn codes_and_sessions_compare_by_value() {
    // Equality is constant-time (subtle, fixed-size arrays); here, that it is right.
    let policy = Policy::COGNITO;
    let a = Code::generate(&policy, &entropy(1)).unwrap();
    let b = Code::generate(&policy, &entropy(2)).unwrap();
    assert_eq!(a, a.clone());
    assert_ne!(a, b);
    let mint = |nonce| {
        Session::mint(
            &key(),
            SessionPurpose::SignIn,
            "a",
            "c",
            T0,
            Duration::from_secs(9),
            &[nonce; 16],
        )
    };
    assert_eq!(mint(1), mint(1));
    assert_ne!(mint(1), mint(2));
}

/// A Crockford policy: eight base32 symbols.
fn crockford() -> Policy {
    Policy::new(PolicyConfig {
        alphabet: Alphabet::CrockfordBase32,
        code_length: 8,
        ..PolicyConfig::COGNITO
    })
    .unwrap()
}

/// The right code followed by 56 hyphens and `XYZ`: 67 bytes, which a decoder keeping 64
/// would cut to the right code.
fn padded(code: &Code) -> String {
    format!("{}{}XYZ", code.as_str(), "-".repeat(56))
}

#[test]
fn a_code_longer_than_any_issued_never_matches_through_submit() {
    let policy = crockford();
    let (state, code) = Confirmation::issue(&policy, &key(), SUBJECT, T0, &entropy(0)).unwrap();
    let long = padded(&code);
    assert_eq!(long.len(), 67);
    let outcome = state.submit(&policy, &key(), SUBJECT, &long, at(1)).outcome;
    assert!(
        matches!(outcome, Err(Refusal::CodeMismatch { .. })),
        "{outcome:?}"
    );
    // Hyphens inside the code's length are still read leniently…
    let hyphenated = format!("{}-{}", &code.as_str()[..4], &code.as_str()[4..]);
    assert!(
        state
            .submit(&policy, &key(), SUBJECT, &hyphenated, at(1))
            .is_confirmed()
    );
    // …but no amount of hyphens makes a longer code fit: 64 bytes is the most that can match.
    let at_limit = format!("{}{}", code.as_str(), "-".repeat(56));
    assert_eq!(at_limit.len(), confirmation_flow::MAX_SUBMITTED_CODE_LEN);
    assert!(
        state
            .submit(&policy, &key(), SUBJECT, &at_limit, at(1))
            .is_confirmed()
    );
    let over = format!("{at_limit}-");
    assert!(
        !state
            .submit(&policy, &key(), SUBJECT, &over, at(1))
            .is_confirmed()
    );
}

#[cfg(feature = "serde")]
#[test]
fn a_code_longer_than_any_issued_never_matches_through_the_wire() {
    use confirmation_flow::cognito::{
        AttributeSet, Body, Fresh, Lookup, OperationName, Pool, UserRecord, UserStatus,
    };
    let policy = crockford();
    let key = key();
    let sub = "8f4c2e1a-0b3d-4c5e-9f6a-7b8c9d0e1f2a";
    let (state, code) =
        Confirmation::issue(&policy, &key, sub.as_bytes(), T0, &entropy(0)).unwrap();
    let pool = Pool {
        region: "us-east-1",
        user_pool_id: "us-east-1_EXAMPLE",
        policy: &policy,
        keys: KeyRing::single(&key),
        auto_verified: AttributeSet::EMAIL,
        aliases: AttributeSet::NONE,
    };
    let lookup = Lookup {
        client: Some(confirmation_flow::cognito::AppClient {
            client_id: "client",
            secret: None,
            prevent_user_existence_errors: false,
            auth_sessions: Some(Duration::from_secs(180)),
        }),
        user: Some(UserRecord {
            username: "alice",
            subject: sub,
            status: UserStatus::Unconfirmed,
            confirmation: state,
            email: Some(EMAIL),
            phone_number: None,
            attributes: &[],
        }),
        ..Lookup::default()
    };
    let fresh = Fresh {
        now: at(1),
        entropy: entropy(1),
        nonce: [0; 16],
        new_subject: "",
    };
    let answer = |submitted: &str| {
        let json = serde_json::json!({"ClientId": "client", "Username": "alice", "ConfirmationCode": submitted}).to_string();
        let mut body = Body::new(OperationName::ConfirmSignUp);
        body.decode(&mut serde_json::Deserializer::from_str(&json))
            .unwrap();
        let operation = body.operation().unwrap();
        let (reply, _) = operation.needs(&pool).decide(&lookup, &fresh).applied();
        reply
            .exception()
            .map(confirmation_flow::cognito::Exception::name)
    };
    assert_eq!(answer(&padded(&code)), Some("CodeMismatchException"));
    assert_eq!(
        answer(&format!("{}{}XYZ", code.as_str(), "-".repeat(600))),
        Some("CodeMismatchException")
    );
    assert_eq!(
        answer(code.as_str()),
        None,
        "the code itself still confirms"
    );
}

#[test]
fn a_ring_names_each_key_once() {
    let (one, two) = (
        ServerKey::new(KeyId(1), &[1; 32]),
        ServerKey::new(KeyId(2), &[2; 32]),
    );
    let older = [two.clone(), ServerKey::new(KeyId(1), &[3; 32])];
    assert_eq!(
        KeyRing::new(&one, &older).unwrap_err(),
        KeyRingError::DuplicateId(KeyId(1))
    );
    let older = [two];
    let ring = KeyRing::new(&one, &older).unwrap();
    assert_eq!(ring.current().id(), KeyId(1));
    assert_eq!(ring.get(KeyId(2)).map(ServerKey::id), Some(KeyId(2)));
    assert!(ring.get(KeyId(3)).is_none());
    assert_eq!(ring.iter().count(), 2);
}

#[test]
fn the_guessing_bound_is_stated_and_cognitos_is_360_in_a_million() {
    let bound = Policy::COGNITO.guess_bound();
    assert_eq!((bound.guesses_per_day, bound.code_space), (360, 1_000_000));
    assert_eq!(bound.to_string(), "360 in 1000000");
    // The attempts limit binds when resends are scarce: (1 × 24 + 1) codes × 5 attempts.
    let scarce = Policy::new(PolicyConfig {
        resends_per_window: 1,
        ..PolicyConfig::COGNITO
    })
    .unwrap();
    assert_eq!(scarce.guess_bound().guesses_per_day, 125);
}

#[test]
fn policies_that_make_guessing_likelier_than_one_in_a_thousand_a_day_are_refused() {
    let with = |change: fn(&mut PolicyConfig)| {
        let mut config = PolicyConfig::COGNITO;
        change(&mut config);
        Policy::new(config)
    };
    // 15 a minute is 21,600 a day against 10⁶ codes.
    assert_eq!(
        with(|c| c.window = Duration::from_secs(60)).unwrap_err(),
        PolicyError::GuessingTooLikely
    );
    // Three times Cognito's rate, 1,080 a day, is just over one in a thousand.
    assert_eq!(
        with(|c| c.window = Duration::from_secs(20 * 60)).unwrap_err(),
        PolicyError::GuessingTooLikely
    );
    // The same rate against eight digits is fine.
    let eight = with(|c| {
        c.window = Duration::from_secs(60);
        c.code_length = 8;
    })
    .unwrap();
    let GuessBound {
        guesses_per_day,
        code_space,
        ..
    } = eight.guess_bound();
    assert!(guesses_per_day * 1000 <= code_space);
}

#[test]
fn debug_of_states_outcomes_and_events_shows_no_tag_or_address() {
    use confirmation_flow::{
        StoredState,
        cognito::{AliasAttribute, AliasClaim, PostConfirmationEvent},
    };
    let (state, _) =
        Confirmation::issue(&Policy::COGNITO, &key(), SUBJECT, T0, &entropy(0)).unwrap();
    let (reissued, _) = state
        .reissue(&Policy::COGNITO, &key(), SUBJECT, at(1), &entropy(1))
        .unwrap();
    let stored = StoredState::from(reissued);
    for debug in [format!("{reissued:?}"), format!("{stored:?}")] {
        assert_hides(&debug, &[stored.tag.as_str(), stored.replaced_tag.as_str()]);
    }
    assert_eq!(
        stored,
        StoredState::from(reissued),
        "equality still compares the tags"
    );
    let claim = AliasClaim::TakeFrom {
        attribute: AliasAttribute::Email,
        value: EMAIL,
        owner: "bob",
    };
    assert_hides(&format!("{claim:?}"), &[EMAIL]);
    let inserted = confirmation_flow::cognito::NewAttributes {
        email: Some(EMAIL),
        phone_number: Some("+12065551212"),
    };
    assert_hides(&format!("{inserted:?}"), &[EMAIL, "+12065551212"]);
    // An outcome's write, claim and event, from a real confirmation.
    let fixture = Fixture::new();
    let (user, code) = fixture.alice();
    let request = ConfirmSignUp {
        client_id: CLIENT_ID,
        username: USERNAME,
        confirmation_code: code.as_str(),
        ..ConfirmSignUp::default()
    };
    let lookup = found(Fixture::public_client(false), Some(user));
    let outcome = decide(
        &fixture.pool(),
        request.validate().unwrap(),
        &lookup,
        at(60),
    );
    let confirmation_flow::cognito::After::PostConfirmation(event) = &outcome.after else {
        panic!("{outcome:?}");
    };
    let _: &PostConfirmationEvent<'_> = event;
    assert_hides(&format!("{outcome:?}"), &[ALICE, code.as_str()]);
}

/// An async embedder holds the loop's values across `.await`s on a multi-threaded runtime:
/// every one of them must be `Send` and `Sync` (this fails to compile otherwise).
#[test]
fn the_loops_values_cross_threads_and_awaits() {
    fn send_sync<T: Send + Sync>() {}
    use confirmation_flow::cognito::{Lookup, Needs, Operation, Outcome, Pool};
    send_sync::<Operation<'static>>();
    send_sync::<Needs<'static, 'static>>();
    send_sync::<Lookup<'static>>();
    send_sync::<Outcome<'static>>();
    send_sync::<Pool<'static>>();
    send_sync::<KeyRing<'static>>();
    send_sync::<Confirmation>();
    send_sync::<SignUp<'static>>();
    #[cfg(feature = "serde")]
    send_sync::<confirmation_flow::cognito::Body>();
}
