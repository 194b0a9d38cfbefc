//! The core the module runs, natively: JSON in, JSON out, every path the JavaScript suites
//! take through it, without a JavaScript engine.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails loudly: unwraps and panics are its asserts, and a missing JSON member reads as null"
)]

use std::rc::Rc;

use confirmation_flow::{
    Timestamp,
    cognito::{Draws, OperationName},
};
use confirmation_flow_js::{
    error::Error,
    fresh::Fresh,
    pool::{KeyInput, PoolData, Settings},
    request,
    served::Served,
    state,
};
use serde_json::{Value, json};

const T0: u64 = 1_767_225_600;

fn pool() -> Rc<PoolData> {
    let settings: Settings = serde_json::from_value(json!({
        "region": "us-east-1", "userPoolId": "us-east-1_core",
        "autoVerifiedAttributes": ["email"], "aliasAttributes": ["email"],
    }))
    .unwrap();
    let key = KeyInput {
        id: 1,
        secret: [0x42; 32],
    };
    Rc::new(PoolData::new(&settings, key, &[]).unwrap())
}

/// Every operation the crate decides, the admin one included.
const ALL: Served = Served::PUBLIC.with(OperationName::AdminConfirmSignUp);

fn at(seconds: u64) -> Fresh {
    Fresh {
        now: Timestamp::from_unix_seconds(seconds),
        entropy: [7; 32],
        ..Fresh::default()
    }
}

fn lookup(state: &str) -> String {
    json!({
        "client": {"clientId": "core", "preventUserExistenceErrors": true},
        "user": {"username": "alice", "subject": "sub-a", "status": "UNCONFIRMED",
                 "confirmation": state, "email": "alice@example.com"},
    })
    .to_string()
}

fn decide(operation: &str, body: &Value, lookup: &str, fresh: &Fresh) -> Result<Value, Error> {
    let request = request::decode(pool(), operation, body.to_string().as_bytes(), ALL)?;
    let outcome = request.decide(lookup, fresh)?;
    Ok(serde_json::from_str(&outcome).unwrap())
}

#[test]
fn a_wrong_code_is_written_with_compare_and_swap_and_answered_as_the_service_does() {
    let issued =
        state::issue(&pool(), "sub-a", Timestamp::from_unix_seconds(T0), &[7; 32]).unwrap();
    assert_eq!(issued.code, "777777");
    let body = json!({"ClientId": "core", "Username": "alice", "ConfirmationCode": "123456"});
    let outcome = decide("ConfirmSignUp", &body, &lookup(&issued.state), &at(T0 + 60)).unwrap();
    assert_eq!(outcome["write"]["expected"], 1);
    assert_eq!(outcome["write"]["version"], 2);
    assert_eq!(
        outcome["write"]["target"],
        json!({"kind": "user", "username": "alice", "subject": "sub-a", "attributes": null})
    );
    assert_eq!(outcome["reply"]["httpStatus"], 400);
    assert_eq!(
        outcome["reply"]["body"],
        json!({"__type": "CodeMismatchException", "message": "Invalid verification code provided, please try again."})
    );
    assert_eq!(outcome["after"], json!({"kind": "nothing"}));

    let right = json!({"ClientId": "core", "Username": "alice", "ConfirmationCode": "777777"});
    let confirmed = decide(
        "ConfirmSignUp",
        &right,
        &lookup(&issued.state),
        &at(T0 + 60),
    )
    .unwrap();
    assert_eq!(
        confirmed["reply"],
        json!({"kind": "success", "httpStatus": 200, "body": {}})
    );
    assert_eq!(confirmed["write"]["status"], "CONFIRMED");
    assert_eq!(confirmed["write"]["verify"], "email");
    assert_eq!(
        confirmed["write"]["alias"],
        json!({"kind": "mustBeFree", "attribute": "email", "value": "alice@example.com"})
    );
    assert_eq!(confirmed["after"]["kind"], "postConfirmation");
}

#[test]
fn a_sign_up_inserts_and_delivers_a_code_drawn_from_the_fresh_values() {
    let body = json!({"ClientId": "core", "Username": "bob",
                      "UserAttributes": [{"Name": "email", "Value": "bob@example.com"}]});
    let request = request::decode(
        pool(),
        "SignUp",
        body.to_string().as_bytes(),
        Served::PUBLIC,
    )
    .unwrap();
    assert_eq!(
        request.draws(),
        Draws {
            entropy: true,
            nonce: true,
            subject: true
        }
    );
    assert_eq!(request.attribute("email"), Some("bob@example.com"));
    let client = json!({"client": {"clientId": "core"}}).to_string();
    let fresh = Fresh {
        subject: [0xab; 16],
        ..at(T0)
    };
    let outcome: Value = serde_json::from_str(&request.decide(&client, &fresh).unwrap()).unwrap();
    assert_eq!(outcome["write"]["expected"], "absent");
    assert_eq!(
        outcome["write"]["target"]["subject"],
        "abababab-abab-4bab-abab-abababababab"
    );
    assert_eq!(outcome["after"]["kind"], "deliver");
    assert_eq!(outcome["after"]["code"], "777777");
    assert_eq!(
        outcome["reply"]["body"]["UserSub"],
        "abababab-abab-4bab-abab-abababababab"
    );
}

#[test]
fn draws_follow_what_the_crate_documents_each_value_is_for() {
    let draws = |operation: &str, body: Value| {
        request::decode(pool(), operation, body.to_string().as_bytes(), ALL)
            .unwrap()
            .draws()
    };
    let none = Draws {
        entropy: false,
        nonce: false,
        subject: false,
    };
    // A session's nonce, with a `Session` or without: the client may hand one out.
    let confirm = json!({"ClientId": "c", "Username": "u", "ConfirmationCode": "1"});
    let mut with_session = confirm.clone();
    with_session["Session"] = "a".repeat(40).into();
    for body in [confirm, with_session] {
        assert_eq!(
            draws("ConfirmSignUp", body),
            Draws {
                nonce: true,
                ..none
            }
        );
    }
    assert_eq!(
        draws(
            "ResendConfirmationCode",
            json!({"ClientId": "c", "Username": "u"})
        ),
        Draws {
            entropy: true,
            ..none
        }
    );
    assert_eq!(
        draws(
            "AdminConfirmSignUp",
            json!({"UserPoolId": "us-east-1_core", "Username": "u"})
        ),
        none
    );
}

#[test]
fn stored_state_and_look_ups_are_untrusted_input() {
    let issued =
        state::issue(&pool(), "sub-a", Timestamp::from_unix_seconds(T0), &[7; 32]).unwrap();
    let body = json!({"ClientId": "core", "Username": "alice", "ConfirmationCode": "123456"});
    let mut tampered: Value = serde_json::from_str(&issued.state).unwrap();
    tampered["attempts"] = 99.into();
    let error = decide(
        "ConfirmSignUp",
        &body,
        &lookup(&tampered.to_string()),
        &at(T0),
    )
    .err()
    .unwrap_or_else(|| panic!("a tampered state loaded"));
    assert_eq!((error.name(), error.http_status()), ("StateError", 500));
    assert_eq!(error.body_type(), "InternalErrorException");

    for bad in [
        "[]",
        "{\"user\": 5}",
        "{\"client\": {}}",
        "{\"unknown\": null}",
        "not json",
    ] {
        let error = decide("ConfirmSignUp", &body, bad, &at(T0))
            .err()
            .unwrap_or_else(|| panic!("{bad} was taken"));
        assert_eq!(error.name(), "TypeError", "{bad}");
    }
}

#[test]
fn request_faults_are_named_as_the_service_names_them() {
    let name = |operation: &str, body: &str| {
        request::decode(pool(), operation, body.as_bytes(), ALL)
            .err()
            .map(|error| (error.name(), error.http_status()))
    };
    assert_eq!(name("Nope", "{}"), Some(("UnknownOperationException", 400)));
    assert_eq!(
        name("ConfirmSignUp", "{"),
        Some(("SerializationException", 400))
    );
    assert_eq!(
        name("ConfirmSignUp", "{\"Username\": []}"),
        Some(("SerializationException", 400))
    );
    assert_eq!(
        name("ConfirmSignUp", "{}"),
        Some(("InvalidParameterException", 400))
    );
    assert_eq!(
        name(
            "ConfirmSignUp",
            r#"{"ClientId": "c", "Username": "u", "ConfirmationCode": "1"}"#
        ),
        None
    );
}

#[test]
fn an_operation_not_served_is_refused_under_either_spelling_before_its_body_is_read() {
    let refused = |operation: &str, body: &str, served: Served| {
        request::decode(pool(), operation, body.as_bytes(), served)
            .err()
            .map(|error| (error.name(), error.http_status(), error.body_message()))
    };
    let admin = r#"{"UserPoolId": "us-east-1_core", "Username": "alice"}"#;
    for target in [
        "AdminConfirmSignUp",
        "AWSCognitoIdentityProviderService.AdminConfirmSignUp",
    ] {
        let expected = Some((
            "UnknownOperationException",
            400,
            format!("Unknown operation {target}"),
        ));
        assert_eq!(refused(target, admin, Served::PUBLIC), expected);
        // Not read at all: a body that is not JSON gets the same answer.
        assert_eq!(refused(target, "{", Served::PUBLIC), expected);
        assert_eq!(refused(target, admin, ALL), None);
    }
    let only_confirm = Served::NONE.with(OperationName::ConfirmSignUp);
    let resend = r#"{"ClientId": "c", "Username": "u"}"#;
    assert_eq!(
        refused("ResendConfirmationCode", resend, only_confirm).map(|(name, ..)| name),
        Some("UnknownOperationException")
    );
    assert_eq!(
        refused("ResendConfirmationCode", resend, Served::PUBLIC),
        None
    );
}

#[test]
fn a_phantom_write_says_when_its_row_may_be_pruned() {
    let body = json!({"ClientId": "core", "Username": "nobody", "ConfirmationCode": "123456"});
    let lookup = json!({"client": {"clientId": "core", "preventUserExistenceErrors": true}});
    let outcome = decide("ConfirmSignUp", &body, &lookup.to_string(), &at(T0)).unwrap();
    let target = &outcome["write"]["target"];
    assert_eq!(target["kind"], "phantom");
    let state = outcome["write"]["state"].as_str().unwrap();
    let info = state::read(state, Timestamp::from_unix_seconds(T0)).unwrap();
    // The later of the code's deadline and the end of the hour's rate window.
    let expected = info
        .expires_at_unix_seconds
        .max(info.last_changed_at_unix_seconds + 3600);
    assert_eq!(target["pruneAfterUnixSeconds"], expected);
    assert!(expected >= T0 + 3600);
}
