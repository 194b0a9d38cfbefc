//! The wire (feature `serde`): the exact bodies boto3 and the JavaScript SDK v3 send
//! (feasibility §10), the error and response bodies byte for byte, and the trigger event.

use confirmation_flow::cognito::{
    AdminConfirmSignUpBody, ConfirmLookup, ConfirmSignUp, ConfirmSignUpBody, Exception,
    ResendConfirmationCodeBody, Session, SessionPurpose, confirm_sign_up, resend_confirmation_code,
};
use serde_json::json;

use crate::{
    cognito_fixtures::{CLIENT_ID, Fixture, USERNAME},
    common::{T0, at, entropy},
};

const BOTO3_CONFIRM: &str =
    r#"{"ClientId": "client123", "Username": "alice@example.com", "ConfirmationCode": "000000"}"#;
const JS_CONFIRM: &str =
    r#"{"ClientId":"client123","Username":"alice@example.com","ConfirmationCode":"000000"}"#;
const BOTO3_ADMIN: &str =
    r#"{"UserPoolId": "us-east-1_ABCdef123", "Username": "alice@example.com"}"#;

#[test]
fn boto3_and_js_confirm_bodies_decode_to_the_same_request() {
    for body in [BOTO3_CONFIRM, JS_CONFIRM] {
        let decoded: ConfirmSignUpBody = serde_json::from_str(body).unwrap();
        let request = decoded.request().unwrap();
        let expected = ConfirmSignUp {
            client_id: "client123",
            username: "alice@example.com",
            confirmation_code: "000000",
            ..ConfirmSignUp::default()
        };
        assert_eq!(request, expected, "{body}");
    }
}

#[test]
fn the_boto3_admin_body_decodes() {
    let decoded: AdminConfirmSignUpBody = serde_json::from_str(BOTO3_ADMIN).unwrap();
    let request = decoded.request().unwrap();
    assert_eq!(
        (request.user_pool_id, request.username),
        ("us-east-1_ABCdef123", "alice@example.com")
    );
}

#[test]
fn every_member_decodes_and_escapes_are_decoded() {
    let body = json!({
        "ClientId": "client123", "SecretHash": "abc=", "Username": "J\u{fc}rgen",
        "ConfirmationCode": "123456", "ForceAliasCreation": true,
        "AnalyticsMetadata": {"AnalyticsEndpointId": "endpoint-1"},
        "UserContextData": {"IpAddress": "192.0.2.1", "EncodedData": "blob"},
        "ClientMetadata": {"source": "web", "campaign": "spring"},
        "Session": "s".repeat(40),
        "SomeFutureMember": {"ignored": true},
    });
    let text = serde_json::to_string(&body)
        .unwrap()
        .replace("Jürgen", "J\\u00fcrgen");
    assert!(text.contains("J\\u00fcrgen"));
    let decoded: ConfirmSignUpBody = serde_json::from_str(&text).unwrap();
    let request = decoded.request().unwrap();
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
    let missing: ConfirmSignUpBody =
        serde_json::from_str(r#"{"ClientId":"c","Username":"u"}"#).unwrap();
    assert_eq!(
        missing.request().unwrap_err().to_string(),
        "1 validation error detected: Value null at 'confirmationCode' failed to satisfy constraint: Member must not be null"
    );
    let empty: ResendConfirmationCodeBody = serde_json::from_str("{}").unwrap();
    assert_eq!(
        empty.request().unwrap_err().to_string(),
        "2 validation errors detected: Value null at 'clientId' failed to satisfy constraint: Member must not be null; \
         Value null at 'username' failed to satisfy constraint: Member must not be null"
    );
    let long_code =
        json!({"ClientId": "c", "Username": "u", "ConfirmationCode": "9".repeat(2049)}).to_string();
    let decoded: ConfirmSignUpBody = serde_json::from_str(&long_code).unwrap();
    assert!(
        decoded
            .request()
            .unwrap_err()
            .to_string()
            .ends_with("Member must have length less than or equal to 2048")
    );
    let spaced_long_code = json!({"ClientId": "c", "Username": "u", "ConfirmationCode": format!("{} 1", "9".repeat(100))}).to_string();
    let decoded: ConfirmSignUpBody = serde_json::from_str(&spaced_long_code).unwrap();
    assert!(
        decoded
            .request()
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
        assert!(
            serde_json::from_str::<ConfirmSignUpBody>(broken).is_err(),
            "{broken}"
        );
    }
}

#[test]
fn wire_and_borrowed_requests_validate_identically() {
    let body =
        json!({"ClientId": "bad-id", "Username": "a b", "ConfirmationCode": "12 3"}).to_string();
    let decoded: ConfirmSignUpBody = serde_json::from_str(&body).unwrap();
    let direct = ConfirmSignUp {
        client_id: "bad-id",
        username: "a b",
        confirmation_code: "12 3",
        ..ConfirmSignUp::default()
    };
    assert_eq!(
        decoded.request().unwrap_err(),
        direct.validate().unwrap_err()
    );
}

#[test]
fn a_long_valid_code_decodes_and_can_only_mismatch() {
    let fixture = Fixture::new();
    let (user, code) = fixture.alice();
    let long = format!("{}{}", code.as_str(), "0".repeat(94));
    let body =
        json!({"ClientId": CLIENT_ID, "Username": USERNAME, "ConfirmationCode": long}).to_string();
    let decoded: ConfirmSignUpBody = serde_json::from_str(&body).unwrap();
    let request = decoded.request().unwrap();
    let lookup = ConfirmLookup {
        client: Some(Fixture::public_client(false)),
        user: Some(user),
        alias_owner: None,
    };
    let rejection =
        confirm_sign_up(&fixture.pool(), &request, &lookup, at(60), &[0; 16]).unwrap_err();
    assert_eq!(rejection.exception, Exception::CodeMismatch);
}

#[cfg(not(feature = "alloc"))]
#[test]
fn client_metadata_beyond_the_allocation_free_bounds_is_refused_clearly() {
    let nine: serde_json::Map<_, _> = (0..9).map(|i| (format!("k{i}"), json!("v"))).collect();
    let body = json!({"ClientMetadata": nine}).to_string();
    let error = serde_json::from_str::<ConfirmSignUpBody>(&body).unwrap_err();
    assert!(
        error.to_string().contains("enable the `alloc` feature"),
        "{error}"
    );
    let long_value = json!({"ClientMetadata": {"k": "v".repeat(513)}}).to_string();
    assert!(serde_json::from_str::<ConfirmSignUpBody>(&long_value).is_err());
}

#[cfg(feature = "alloc")]
#[test]
fn client_metadata_is_unbounded_with_alloc() {
    let many: serde_json::Map<_, _> = (0..100)
        .map(|i| (format!("k{i}"), json!("v".repeat(1000))))
        .collect();
    let body =
        json!({"ClientId": "c", "Username": "u", "ConfirmationCode": "1", "ClientMetadata": many})
            .to_string();
    let decoded: ConfirmSignUpBody = serde_json::from_str(&body).unwrap();
    assert_eq!(
        decoded.request().unwrap().client_metadata.unwrap().len(),
        100
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
}

#[test]
fn confirm_responses_are_empty_or_carry_the_session() {
    let fixture = Fixture::new();
    let (user, code) = fixture.alice();
    let lookup = ConfirmLookup {
        client: Some(Fixture::public_client(false)),
        user: Some(user),
        alias_owner: None,
    };
    let plain = ConfirmSignUp {
        client_id: CLIENT_ID,
        username: USERNAME,
        confirmation_code: code.as_str(),
        ..ConfirmSignUp::default()
    };
    let done = confirm_sign_up(&fixture.pool(), &plain, &lookup, at(60), &[0; 16]).unwrap();
    assert_eq!(serde_json::to_string(&done.response()).unwrap(), "{}");
    let sign_up = Session::mint(
        &fixture.key,
        SessionPurpose::ConfirmSignUp,
        USERNAME,
        CLIENT_ID,
        T0,
        core::time::Duration::from_secs(600),
        &[1; 16],
    );
    let with_session = ConfirmSignUp {
        session: Some(sign_up.as_str()),
        ..plain
    };
    let done = confirm_sign_up(&fixture.pool(), &with_session, &lookup, at(60), &[0; 16]).unwrap();
    let minted = done.session.clone().unwrap().unwrap();
    assert_eq!(
        serde_json::to_value(done.response()).unwrap(),
        json!({"Session": minted.as_str()})
    );
}

#[test]
fn the_resend_response_masks_the_destination() {
    let fixture = Fixture::new();
    let (user, _) = fixture.alice();
    let request = confirmation_flow::cognito::ResendConfirmationCode {
        client_id: CLIENT_ID,
        username: USERNAME,
        ..Default::default()
    };
    let client = Fixture::public_client(false);
    let sent = resend_confirmation_code(
        &fixture.pool(),
        &request,
        Some(&client),
        Some(&user),
        at(60),
        &entropy(4),
    )
    .unwrap();
    assert_eq!(
        serde_json::to_string(&sent.response()).unwrap(),
        r#"{"CodeDeliveryDetails":{"Destination":"a***@e***","DeliveryMedium":"EMAIL","AttributeName":"email"}}"#
    );
}

#[test]
fn the_post_confirmation_event_has_the_services_shape() {
    let fixture = Fixture::new();
    let (user, code) = fixture.alice();
    let lookup = ConfirmLookup {
        client: Some(Fixture::public_client(false)),
        user: Some(user),
        alias_owner: None,
    };
    let metadata = confirmation_flow::cognito::ClientMetadata::new(&[("source", "web")]);
    let request = ConfirmSignUp {
        client_id: CLIENT_ID,
        username: USERNAME,
        confirmation_code: code.as_str(),
        client_metadata: Some(metadata),
        ..ConfirmSignUp::default()
    };
    let done = confirm_sign_up(&fixture.pool(), &request, &lookup, at(60), &[0; 16]).unwrap();
    assert_eq!(
        serde_json::to_value(done.event).unwrap(),
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
    let without_metadata = ConfirmSignUp {
        client_metadata: None,
        ..request
    };
    let (user, _) = fixture.alice();
    let lookup = ConfirmLookup {
        user: Some(user),
        ..lookup
    };
    let done = confirm_sign_up(
        &fixture.pool(),
        &without_metadata,
        &lookup,
        at(60),
        &[0; 16],
    )
    .unwrap();
    let event = serde_json::to_value(done.event).unwrap();
    assert!(
        event["request"].get("clientMetadata").is_none(),
        "present only when given"
    );
}

#[test]
fn the_admin_response_is_an_empty_object() {
    use confirmation_flow::cognito::{AdminConfirmSignUp, admin_confirm_sign_up};
    let fixture = Fixture::new();
    let (user, _) = fixture.alice();
    let request = AdminConfirmSignUp {
        user_pool_id: "us-east-1_EXAMPLE",
        username: USERNAME,
        client_metadata: None,
    };
    let done = admin_confirm_sign_up(&fixture.pool(), &request, Some(&user), at(60)).unwrap();
    assert_eq!(serde_json::to_string(&done.response()).unwrap(), "{}");
}
