//! The wire (feature `serde`): the exact bodies boto3 and the JavaScript SDK v3 send
//! (feasibility §10), decoded through each operation's member table; reply and error
//! bodies byte for byte; and the trigger event.

use confirmation_flow::{
    Status,
    cognito::{
        After, AppClient, Body, BodyFault, ConfirmSignUp, Exception, Lookup, Operation,
        OperationName, Pool, Reply, ResendConfirmationCode, SESSION_LEN, Session, SessionPurpose,
    },
};
use serde_json::json;

use crate::{
    cognito_fixtures::{CLIENT_ID, Fixture, Settled, USERNAME, decide, found, refused},
    common::{T0, at},
};

const BOTO3_CONFIRM: &str =
    r#"{"ClientId": "client123", "Username": "alice@example.com", "ConfirmationCode": "000000"}"#;
const JS_CONFIRM: &str =
    r#"{"ClientId":"client123","Username":"alice@example.com","ConfirmationCode":"000000"}"#;
const BOTO3_ADMIN: &str =
    r#"{"UserPoolId": "us-east-1_ABCdef123", "Username": "alice@example.com"}"#;
const BOTO3_SIGN_UP: &str = r#"{"ClientId": "client123", "Username": "alice", "Password": "Passw0rd!", "UserAttributes": [{"Name": "email", "Value": "alice@example.com"}, {"Name": "phone_number", "Value": "+12065551212"}]}"#;

fn try_body(operation: OperationName, json: &str) -> Result<Body, serde_json::Error> {
    let mut body = Body::new(operation);
    let mut decoder = serde_json::Deserializer::from_str(json);
    body.decode(&mut decoder)?;
    decoder.end()?;
    Ok(body)
}

fn body(operation: OperationName, json: &str) -> Body {
    try_body(operation, json).unwrap()
}

fn confirm_body(json: &str) -> Body {
    body(OperationName::ConfirmSignUp, json)
}

fn decoded_confirm(body: &Body) -> ConfirmSignUp<'_> {
    match body.operation().unwrap() {
        Operation::ConfirmSignUp(request) => request.into_inner(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_target_header_names_the_operation() {
    assert_eq!(
        OperationName::from_target("AWSCognitoIdentityProviderService.ConfirmSignUp"),
        Some(OperationName::ConfirmSignUp)
    );
    assert_eq!(
        OperationName::from_target("AWSCognitoIdentityProviderService.SignUp"),
        Some(OperationName::SignUp)
    );
    for unknown in [
        "ConfirmSignUp",
        "AWSCognitoIdentityProviderService.DeleteEverything",
        "",
    ] {
        assert_eq!(OperationName::from_target(unknown), None, "{unknown}");
    }
}

#[test]
fn boto3_and_js_confirm_bodies_decode_to_the_same_request() {
    for json in [BOTO3_CONFIRM, JS_CONFIRM] {
        let body = confirm_body(json);
        let request = decoded_confirm(&body);
        assert_eq!(
            (
                request.client_id,
                request.username,
                request.confirmation_code
            ),
            ("client123", "alice@example.com", "000000"),
            "{json}"
        );
        assert!(!request.force_alias_creation);
        assert!(request.secret_hash.is_none() && request.session.is_none());
    }
}

#[test]
fn the_boto3_admin_and_sign_up_bodies_decode() {
    let admin = body(OperationName::AdminConfirmSignUp, BOTO3_ADMIN);
    let Operation::AdminConfirmSignUp(request) = admin.operation().unwrap() else {
        panic!();
    };
    assert_eq!(
        (request.user_pool_id, request.username),
        ("us-east-1_ABCdef123", "alice@example.com")
    );
    let sign_up = body(OperationName::SignUp, BOTO3_SIGN_UP);
    let Operation::SignUp(request) = sign_up.operation().unwrap() else {
        panic!();
    };
    assert_eq!(request.password, Some("Passw0rd!"));
    assert_eq!(request.attribute("email"), Some("alice@example.com"));
    assert_eq!(request.attribute("phone_number"), Some("+12065551212"));
    assert_eq!(request.attribute("name"), None);
}

#[test]
fn every_member_decodes_and_escapes_are_decoded() {
    let json = json!({
        "ClientId": "client123", "SecretHash": "abc=", "Username": "J\u{fc}rgen",
        "ConfirmationCode": "123456", "ForceAliasCreation": true,
        "AnalyticsMetadata": {"AnalyticsEndpointId": "endpoint-1"},
        "UserContextData": {"IpAddress": "192.0.2.1", "EncodedData": "blob"},
        "ClientMetadata": {"source": "web", "campaign": "spring"},
        "Session": "s".repeat(40),
        "SomeFutureMember": {"ignored": true},
        "Password": "not a ConfirmSignUp member, ignored",
    });
    let text = serde_json::to_string(&json)
        .unwrap()
        .replace("Jürgen", "J\\u00fcrgen");
    assert!(text.contains("J\\u00fcrgen"));
    let body = confirm_body(&text);
    let request = decoded_confirm(&body);
    assert_eq!(request.username, "Jürgen");
    assert_eq!(request.secret_hash, Some("abc="));
    assert!(request.force_alias_creation);
    assert_eq!(
        request.analytics_metadata.unwrap().analytics_endpoint_id,
        Some("endpoint-1")
    );
    assert_eq!(
        request.user_context_data.unwrap().ip_address,
        Some("192.0.2.1")
    );
    let metadata: Vec<_> = request.client_metadata.unwrap().iter().collect();
    assert_eq!(metadata.len(), 2);
    assert!(metadata.contains(&("campaign", "spring")));
    assert_eq!(request.session.map(str::len), Some(40));
}

#[test]
fn missing_and_malformed_members_give_the_services_messages() {
    let missing = confirm_body(r#"{"ClientId":"c","Username":"u"}"#);
    assert_eq!(
        missing.operation().unwrap_err().to_string(),
        "1 validation error detected: Value null at 'confirmationCode' failed to satisfy constraint: Member must not be null"
    );
    let empty = body(OperationName::ResendConfirmationCode, "{}");
    assert_eq!(
        empty.operation().unwrap_err().to_string(),
        "2 validation errors detected: Value null at 'clientId' failed to satisfy constraint: Member must not be null; \
         Value null at 'username' failed to satisfy constraint: Member must not be null"
    );
    let long_code =
        json!({"ClientId": "c", "Username": "u", "ConfirmationCode": "9".repeat(2049)}).to_string();
    assert!(
        confirm_body(&long_code)
            .operation()
            .unwrap_err()
            .to_string()
            .ends_with("Member must have length less than or equal to 2048")
    );
    let spaced_long_code = json!({"ClientId": "c", "Username": "u", "ConfirmationCode": format!("{} 1", "9".repeat(100))}).to_string();
    assert!(
        confirm_body(&spaced_long_code)
            .operation()
            .unwrap_err()
            .to_string()
            .contains(r"pattern: [\S]+"),
        "a space past the kept prefix still counts"
    );
    for broken in [
        r#"{"ClientId": 5}"#,
        r#"{"ForceAliasCreation": "yes"}"#,
        "[]",
        "{",
        r#"{"ClientMetadata": {"k": 1}}"#,
    ] {
        let decoded = try_body(OperationName::ConfirmSignUp, broken);
        assert!(decoded.is_err(), "{broken}");
    }
    let no_name = r#"{"ClientId":"c","Username":"u","UserAttributes":[{"Value":"x"}]}"#;
    let decoded = try_body(OperationName::SignUp, no_name);
    assert!(decoded.unwrap_err().to_string().contains("Name"));
}

#[test]
fn wire_and_borrowed_requests_validate_identically() {
    let json =
        json!({"ClientId": "bad-id", "Username": "a b", "ConfirmationCode": "12 3"}).to_string();
    let direct = ConfirmSignUp {
        client_id: "bad-id",
        username: "a b",
        confirmation_code: "12 3",
        ..ConfirmSignUp::default()
    };
    assert_eq!(
        confirm_body(&json).operation().unwrap_err(),
        direct.validate().unwrap_err()
    );
    let sign_up = json!({"ClientId": "c", "Username": "u", "Password": "a b",
        "UserAttributes": [{"Name": "", "Value": "x"}, {"Name": "a b", "Value": "y"}]})
    .to_string();
    let decoded = body(OperationName::SignUp, &sign_up);
    let message = decoded.operation().unwrap_err().to_string();
    assert_eq!(
        message,
        "3 validation errors detected: \
         Value at 'password' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\S]+; \
         Value at 'userAttributes.1.member.name' failed to satisfy constraint: Member must have length greater than or equal to 1; \
         Value at 'userAttributes.2.member.name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+"
    );
}

#[cfg(feature = "alloc")]
#[test]
fn attribute_values_longer_than_the_model_allows_are_refused() {
    let sign_up = json!({"ClientId": "c", "Username": "u",
        "UserAttributes": [{"Name": "email", "Value": "y".repeat(2049)}]})
    .to_string();
    let decoded = body(OperationName::SignUp, &sign_up);
    let message = decoded.operation().unwrap_err().to_string();
    assert_eq!(
        message,
        "1 validation error detected: Value at 'userAttributes.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 2048"
    );
}

fn confirm_alice<'a>(pool: &Pool<'a>, body: &'a Body, lookup: &Lookup<'a>) -> Settled<'a> {
    decide(pool, body.operation().unwrap(), lookup, at(60))
}

#[test]
fn a_long_valid_code_decodes_and_can_only_mismatch() {
    let fixture = Fixture::new();
    let (user, code) = fixture.alice();
    let long = format!("{}{}", code.as_str(), "0".repeat(94));
    let json =
        json!({"ClientId": CLIENT_ID, "Username": USERNAME, "ConfirmationCode": long}).to_string();
    let body = confirm_body(&json);
    let lookup = found(Fixture::public_client(false), Some(user));
    let outcome = confirm_alice(&fixture.pool(), &body, &lookup);
    assert_eq!(*refused(&outcome), Exception::CodeMismatch);
}

#[cfg(not(feature = "alloc"))]
#[test]
fn lists_beyond_the_allocation_free_bounds_are_refused_clearly() {
    let decode = |operation, json: String| try_body(operation, &json).unwrap_err();
    let nine: serde_json::Map<_, _> = (0..9).map(|i| (format!("k{i}"), json!("v"))).collect();
    let error = decode(
        OperationName::ConfirmSignUp,
        json!({"ClientMetadata": nine}).to_string(),
    );
    assert!(
        error.to_string().contains("enable the `alloc` feature"),
        "{error}"
    );
    let long_value = json!({"ClientMetadata": {"k": "v".repeat(513)}}).to_string();
    assert!(
        decode(OperationName::ConfirmSignUp, long_value)
            .to_string()
            .contains("alloc")
    );
    let seventeen: Vec<_> = (0..17)
        .map(|i| json!({"Name": format!("custom:a{i}"), "Value": "v"}))
        .collect();
    let error = decode(
        OperationName::SignUp,
        json!({"UserAttributes": seventeen}).to_string(),
    );
    assert!(
        error.to_string().contains("attribute list exceeds"),
        "{error}"
    );
}

#[cfg(feature = "alloc")]
#[test]
fn lists_are_unbounded_with_alloc() {
    let many: serde_json::Map<_, _> = (0..100)
        .map(|i| (format!("k{i}"), json!("v".repeat(1000))))
        .collect();
    let json =
        json!({"ClientId": "c", "Username": "u", "ConfirmationCode": "1", "ClientMetadata": many})
            .to_string();
    let body = confirm_body(&json);
    assert_eq!(decoded_confirm(&body).client_metadata.unwrap().len(), 100);
}

#[test]
fn errors_before_the_decision_are_crate_values_with_the_services_type() {
    // A body that does not decode: the parser's error mapped onto a fault, never a value.
    let fault = |error: &serde_json::Error| match error.classify() {
        serde_json::error::Category::Data => BodyFault::Member,
        serde_json::error::Category::Eof => BodyFault::Truncated,
        serde_json::error::Category::Syntax | serde_json::error::Category::Io => BodyFault::NotJson,
    };
    let cases = [
        (
            r#"{"ClientId": "#,
            "the body ends early (line 1, column 13)",
        ),
        (
            r#"{"ClientId": 5}"#,
            "a member has the wrong type or size (line 1, column 14)",
        ),
        (
            "[]",
            "a member has the wrong type or size (line 1, column 0)",
        ),
        ("{} {}", "not JSON (line 1, column 4)"),
        ("\n{secret}", "not JSON (line 2, column 2)"),
    ];
    for (json, how) in cases {
        let mut parser = serde_json::Deserializer::from_str(json);
        let mut body = Body::new(OperationName::ConfirmSignUp);
        let error = body
            .decode(&mut parser)
            .and_then(|()| parser.end())
            .unwrap_err();
        let exception = Exception::Serialization {
            operation: OperationName::ConfirmSignUp.as_str(),
            fault: fault(&error),
            line: error.line(),
            column: error.column(),
        };
        let message = format!("The body is not a valid ConfirmSignUp request: {how}");
        assert_eq!(exception.name(), "SerializationException", "{json}");
        assert_eq!(exception.http_status(), 400, "{json}");
        assert_eq!(exception.to_string(), message, "{json}");
        assert_eq!(
            serde_json::to_value(exception.body()).unwrap(),
            json!({"__type": "SerializationException", "message": message}),
            "{json}"
        );
    }
    // A target the endpoint does not serve: echoed as sent, up to 128 characters.
    let unknown = Exception::UnknownOperation {
        target: "AWSCognitoIdentityProviderService.InitiateAuth",
    };
    assert_eq!(unknown.name(), "UnknownOperationException");
    assert_eq!(unknown.http_status(), 400);
    assert_eq!(
        serde_json::to_string(&unknown.body()).unwrap(),
        r#"{"__type":"UnknownOperationException","message":"Unknown operation AWSCognitoIdentityProviderService.InitiateAuth"}"#
    );
    let long = "é".repeat(Exception::MAX_ECHOED_TARGET_CHARS + 1);
    assert_eq!(
        Exception::UnknownOperation { target: &long }.to_string(),
        format!("Unknown operation {}", "é".repeat(128)),
        "cut by characters, not bytes"
    );
    assert_eq!(
        Exception::UnknownOperation { target: "" }.to_string(),
        "Unknown operation "
    );
}

#[test]
fn error_bodies_are_byte_exact() {
    let body = serde_json::to_string(&Exception::CodeMismatch.body()).unwrap();
    assert_eq!(
        body,
        r#"{"__type":"CodeMismatchException","message":"Invalid verification code provided, please try again."}"#
    );
    let body =
        serde_json::to_string(&Exception::SecretHashWrong { client_id: "abc" }.body()).unwrap();
    assert_eq!(
        body,
        r#"{"__type":"NotAuthorizedException","message":"Unable to verify secret hash for client abc"}"#
    );
    let validation = ConfirmSignUp {
        client_id: "c",
        username: "u",
        confirmation_code: "1 2",
        ..ConfirmSignUp::default()
    }
    .validate()
    .unwrap_err();
    let body = serde_json::to_string(&validation.body()).unwrap();
    assert_eq!(
        body,
        r#"{"__type":"InvalidParameterException","message":"1 validation error detected: Value at 'confirmationCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\S]+"}"#
    );
    let reply = Reply::Exception(Exception::ExpiredCode);
    assert_eq!(
        serde_json::to_string(&reply.body()).unwrap(),
        serde_json::to_string(&Exception::ExpiredCode.body()).unwrap()
    );
}

#[test]
fn confirm_replies_are_empty_or_carry_the_session() {
    let fixture = Fixture::new();
    let pool = fixture.pool();
    let (user, code) = fixture.alice();
    let lookup = found(Fixture::public_client(false), Some(user));
    // A client without `ALLOW_USER_AUTH`: an empty answer.
    let without = AppClient {
        auth_sessions: None,
        ..Fixture::public_client(false)
    };
    let plain =
        json!({"ClientId": CLIENT_ID, "Username": USERNAME, "ConfirmationCode": code.as_str()});
    let body = confirm_body(&plain.to_string());
    let done = confirm_alice(&pool, &body, &found(without, Some(user)));
    assert_eq!(serde_json::to_string(&done.reply.body()).unwrap(), "{}");
    let sign_up = Session::mint(
        &fixture.key,
        SessionPurpose::ConfirmSignUp,
        USERNAME,
        CLIENT_ID,
        T0,
        core::time::Duration::from_secs(600),
        &[1; 16],
    );
    let mut with_session = plain;
    with_session["Session"] = json!(sign_up.as_str());
    let body = confirm_body(&with_session.to_string());
    let done = confirm_alice(&pool, &body, &lookup);
    let Reply::ConfirmSignUp {
        session: Some(minted),
    } = &done.reply
    else {
        panic!();
    };
    assert_eq!(
        serde_json::to_value(done.reply.body()).unwrap(),
        json!({"Session": minted.as_str()})
    );
}

#[test]
fn the_resend_reply_masks_the_destination() {
    let fixture = Fixture::new();
    let (user, _) = fixture.alice();
    let request = ResendConfirmationCode {
        client_id: CLIENT_ID,
        username: USERNAME,
        ..Default::default()
    };
    let lookup = found(Fixture::public_client(false), Some(user));
    let sent = decide(
        &fixture.pool(),
        request.validate().unwrap(),
        &lookup,
        at(60),
    );
    assert_eq!(
        serde_json::to_string(&sent.reply.body()).unwrap(),
        r#"{"CodeDeliveryDetails":{"Destination":"a***@e***","DeliveryMedium":"EMAIL","AttributeName":"email"}}"#
    );
}

#[test]
fn the_sign_up_reply_has_the_sub_and_the_delivery() {
    let fixture = Fixture::new();
    let body = body(OperationName::SignUp, BOTO3_SIGN_UP);
    let lookup = found(Fixture::public_client(false), None);
    let outcome = decide(&fixture.pool(), body.operation().unwrap(), &lookup, at(0));
    let mut reply = serde_json::to_value(outcome.reply.body()).unwrap();
    // The client hands out sessions (`ALLOW_USER_AUTH`): the reply carries one.
    let session = reply["Session"].take();
    assert!(
        session
            .as_str()
            .is_some_and(|session| session.len() == SESSION_LEN)
    );
    reply.as_object_mut().unwrap().remove("Session");
    assert_eq!(
        reply,
        json!({
            "UserConfirmed": false,
            "UserSub": crate::cognito_fixtures::NEW_SUB,
            "CodeDeliveryDetails": {"Destination": "+*******1212", "DeliveryMedium": "SMS", "AttributeName": "phone_number"}
        })
    );
    // A client without it: none.
    let without = AppClient {
        auth_sessions: None,
        ..Fixture::public_client(false)
    };
    let outcome = decide(
        &fixture.pool(),
        body.operation().unwrap(),
        &found(without, None),
        at(0),
    );
    let reply = serde_json::to_value(outcome.reply.body()).unwrap();
    assert_eq!(reply.get("Session"), None);
}

#[test]
fn the_post_confirmation_event_has_the_services_shape() {
    let fixture = Fixture::new();
    let pool = fixture.pool();
    let (user, code) = fixture.alice();
    let lookup = found(Fixture::public_client(false), Some(user));
    let json = json!({"ClientId": CLIENT_ID, "Username": USERNAME, "ConfirmationCode": code.as_str(),
        "ClientMetadata": {"source": "web"}});
    let body = confirm_body(&json.to_string());
    let done = confirm_alice(&pool, &body, &lookup);
    assert_eq!(done.write.unwrap().state.status(), Status::Confirmed);
    let After::PostConfirmation(event) = done.after else {
        panic!();
    };
    assert_eq!(
        serde_json::to_value(event).unwrap(),
        json!({
            "version": "1",
            "triggerSource": "PostConfirmation_ConfirmSignUp",
            "region": "us-east-1",
            "userPoolId": "us-east-1_EXAMPLE",
            "userName": "alice",
            "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": CLIENT_ID},
            "request": {
                "userAttributes": {
                    "sub": "8f4c2e1a-0b3d-4c5e-9f6a-7b8c9d0e1f2a",
                    "email": "alice@example.com",
                    "email_verified": "true",
                    "cognito:user_status": "CONFIRMED"
                },
                "clientMetadata": {"source": "web"}
            },
            "response": {}
        })
    );
    let json =
        json!({"ClientId": CLIENT_ID, "Username": USERNAME, "ConfirmationCode": code.as_str()});
    let body = confirm_body(&json.to_string());
    let After::PostConfirmation(event) = confirm_alice(&pool, &body, &lookup).after else {
        panic!();
    };
    let event = serde_json::to_value(event).unwrap();
    assert!(
        event["request"].get("clientMetadata").is_none(),
        "present only when given"
    );
}

#[test]
fn the_admin_reply_is_an_empty_object() {
    let fixture = Fixture::new();
    let (user, _) = fixture.alice();
    let body = body(
        OperationName::AdminConfirmSignUp,
        r#"{"UserPoolId": "us-east-1_EXAMPLE", "Username": "alice"}"#,
    );
    let lookup = Lookup {
        user: Some(user),
        ..Lookup::default()
    };
    let done = decide(&fixture.pool(), body.operation().unwrap(), &lookup, at(60));
    assert_eq!(serde_json::to_string(&done.reply.body()).unwrap(), "{}");
}

/// A reset's event, as the service sends it for `ConfirmForgotPassword` (its trigger-source
/// table), for a user who was confirmed already: their attributes as stored, none verified by
/// the reset.
#[test]
fn a_password_resets_post_confirmation_event_names_its_trigger_source() {
    let attributes = [
        ("sub", "8f4c2e1a-0b3d-4c5e-9f6a-7b8c9d0e1f2a"),
        ("email", "alice@example.com"),
        ("email_verified", "true"),
    ];
    let metadata = [("source", "web")];
    let event = confirmation_flow::cognito::PostConfirmationEvent::forgot_password(
        ("us-east-1", "us-east-1_EXAMPLE"),
        "alice",
        CLIENT_ID,
        &attributes,
        Some(confirmation_flow::cognito::Pairs::new(&metadata)),
    );
    let json = serde_json::to_value(event).unwrap();
    assert_eq!(
        json["triggerSource"],
        "PostConfirmation_ConfirmForgotPassword"
    );
    assert_eq!(
        json["request"],
        json!({
            "userAttributes": {
                "sub": "8f4c2e1a-0b3d-4c5e-9f6a-7b8c9d0e1f2a",
                "email": "alice@example.com",
                "email_verified": "true",
                "cognito:user_status": "CONFIRMED"
            },
            "clientMetadata": {"source": "web"}
        })
    );
    assert_eq!(json["callerContext"]["clientId"], CLIENT_ID);
}
