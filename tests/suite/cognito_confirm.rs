//! `ConfirmSignUp` through the public API as a server calls it: one test per row of
//! DESIGN §3, asserting the exception's name, message and status.

use confirmation_flow::{
    Status,
    cognito::{
        AliasAttribute, ClientMetadata, ConfirmLookup, ConfirmSignUp, Destination, Rejection,
        Session, SessionError, SessionPurpose, SignUpConfirmed, UserStatus, confirm_sign_up,
    },
};

use crate::{
    cognito_fixtures::{CLIENT_ID, EMAIL, Fixture, POOL_ID, REGION, USERNAME},
    common::{DAY, T0, at, wrong},
};

const NONCE: [u8; 16] = [3; 16];

fn request(code: &str) -> ConfirmSignUp<'_> {
    ConfirmSignUp {
        client_id: CLIENT_ID,
        username: USERNAME,
        confirmation_code: code,
        ..ConfirmSignUp::default()
    }
}

fn lookup(fixture: &Fixture, hide: bool) -> (ConfirmLookup<'static>, confirmation_flow::Code) {
    let (user, code) = fixture.alice();
    (
        ConfirmLookup {
            client: Some(Fixture::public_client(hide)),
            user: Some(user),
            alias_owner: None,
        },
        code,
    )
}

fn confirm<'a>(
    fixture: &'a Fixture,
    request: &ConfirmSignUp<'a>,
    lookup: &ConfirmLookup<'a>,
    now: confirmation_flow::Timestamp,
) -> Result<SignUpConfirmed<'a>, Rejection<'a>> {
    confirm_sign_up(&fixture.pool(), request, lookup, now, &NONCE)
}

/// Asserts the rejection's wire triple.
fn assert_exception(rejection: &Rejection<'_>, name: &str, message: &str) {
    assert_eq!(rejection.exception.name(), name);
    assert_eq!(rejection.exception.to_string(), message);
    assert_eq!(rejection.exception.http_status(), 400);
}

#[test]
fn row_1_invalid_members_are_invalid_parameter() {
    let fixture = Fixture::new();
    let (lookup, _) = lookup(&fixture, false);
    let rejection = confirm(&fixture, &request("12 34"), &lookup, at(60)).unwrap_err();
    assert_exception(
        &rejection,
        "InvalidParameterException",
        r"1 validation error detected: Value at 'confirmationCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [\S]+",
    );
    assert_eq!(rejection.state, None);
}

#[test]
fn row_2_unknown_client_is_resource_not_found() {
    let fixture = Fixture::new();
    let (mut lookup, code) = lookup(&fixture, false);
    lookup.client = None;
    let rejection = confirm(&fixture, &request(code.as_str()), &lookup, at(60)).unwrap_err();
    assert_exception(
        &rejection,
        "ResourceNotFoundException",
        "User pool client 7ql4example does not exist.",
    );
}

#[test]
fn row_3_secret_hash_missing_wrong_and_right() {
    let fixture = Fixture::new();
    let (user, code) = fixture.alice();
    let lookup = ConfirmLookup {
        client: Some(fixture.secret_client()),
        user: Some(user),
        alias_owner: None,
    };
    let missing = confirm(&fixture, &request(code.as_str()), &lookup, at(60)).unwrap_err();
    assert_exception(
        &missing,
        "NotAuthorizedException",
        "Client 7ql4example is configured with secret but SECRET_HASH was not received",
    );
    let wrong_hash = "kWrCOiuCWhyjsCaD2Hv4iyr82fBK4ToBUp/qwQuW+Ko=";
    let mut with_hash = ConfirmSignUp {
        secret_hash: Some(wrong_hash),
        ..request(code.as_str())
    };
    let wrong = confirm(&fixture, &with_hash, &lookup, at(60)).unwrap_err();
    assert_exception(
        &wrong,
        "NotAuthorizedException",
        "Unable to verify secret hash for client 7ql4example",
    );
    // Computed independently with Python: base64(hmac_sha256("s3cr3t", "alice" + "7ql4example")).
    let right_hash = fixture.secret.compute(USERNAME, CLIENT_ID);
    with_hash.secret_hash = Some(right_hash.as_str());
    assert!(confirm(&fixture, &with_hash, &lookup, at(60)).is_ok());
}

#[test]
fn row_4_unknown_user_without_hiding_is_user_not_found() {
    let fixture = Fixture::new();
    let (mut lookup, code) = lookup(&fixture, false);
    lookup.user = None;
    let rejection = confirm(&fixture, &request(code.as_str()), &lookup, at(60)).unwrap_err();
    assert_exception(
        &rejection,
        "UserNotFoundException",
        "Username/client id combination not found.",
    );
}

#[test]
fn row_4_unknown_user_with_hiding_answers_exactly_like_a_wrong_code() {
    let fixture = Fixture::new();
    let (lookup, code) = lookup(&fixture, true);
    let bad = wrong(&code);
    let wrong_code = confirm(&fixture, &request(&bad), &lookup, at(60)).unwrap_err();
    let unknown = ConfirmLookup {
        user: None,
        ..lookup
    };
    let unknown_user = confirm(&fixture, &request(&bad), &unknown, at(60)).unwrap_err();
    assert_eq!(unknown_user.exception, wrong_code.exception);
    assert_eq!(
        unknown_user.exception.to_string(),
        wrong_code.exception.to_string()
    );
    assert_exception(
        &unknown_user,
        "CodeMismatchException",
        "Invalid verification code provided, please try again.",
    );
    assert_eq!(
        unknown_user.state, None,
        "nothing to store for a user who does not exist"
    );
}

#[test]
fn row_5_a_confirmed_user_cannot_be_confirmed_again() {
    let fixture = Fixture::new();
    let (lookup, code) = lookup(&fixture, false);
    let done = confirm(&fixture, &request(code.as_str()), &lookup, at(60)).unwrap();
    let mut user = lookup.user.unwrap();
    (user.confirmation, user.status) = (done.state, UserStatus::Confirmed);
    let again = ConfirmLookup {
        user: Some(user),
        ..lookup
    };
    let rejection = confirm(&fixture, &request(code.as_str()), &again, at(120)).unwrap_err();
    assert_exception(
        &rejection,
        "NotAuthorizedException",
        "User cannot be confirmed. Current status is CONFIRMED",
    );
    // Even a stale status in the caller's store is caught by the state itself.
    user.status = UserStatus::Unconfirmed;
    let stale = ConfirmLookup {
        user: Some(user),
        ..lookup
    };
    let rejection = confirm(&fixture, &request(code.as_str()), &stale, at(120)).unwrap_err();
    assert_exception(
        &rejection,
        "NotAuthorizedException",
        "User cannot be confirmed. Current status is CONFIRMED",
    );
    user.status = UserStatus::ForceChangePassword;
    let admin_created = ConfirmLookup {
        user: Some(user),
        ..lookup
    };
    let rejection =
        confirm(&fixture, &request(code.as_str()), &admin_created, at(120)).unwrap_err();
    assert_eq!(
        rejection.exception.to_string(),
        "User cannot be confirmed. Current status is FORCE_CHANGE_PASSWORD"
    );
}

#[test]
fn row_6_the_sixteenth_submission_in_an_hour_is_limit_exceeded_and_not_counted() {
    let fixture = Fixture::new();
    let (mut lookup, code) = lookup(&fixture, false);
    let bad = wrong(&code);
    let mut user = lookup.user.unwrap();
    for i in 0..15 {
        let rejection = confirm(&fixture, &request(&bad), &lookup, at(i)).unwrap_err();
        user.confirmation = rejection
            .state
            .expect("every counted submission is persisted");
        lookup.user = Some(user);
    }
    let rejection = confirm(&fixture, &request(code.as_str()), &lookup, at(60)).unwrap_err();
    assert_exception(
        &rejection,
        "LimitExceededException",
        "Attempt limit exceeded, please try after some time.",
    );
    assert_eq!(rejection.state, None);
}

#[test]
fn row_7_a_spent_code_is_too_many_failed_attempts_and_counted() {
    let fixture = Fixture::new();
    let (mut lookup, code) = lookup(&fixture, false);
    let bad = wrong(&code);
    let mut user = lookup.user.unwrap();
    for i in 0..5 {
        let rejection = confirm(&fixture, &request(&bad), &lookup, at(i)).unwrap_err();
        assert_eq!(rejection.exception.name(), "CodeMismatchException");
        user.confirmation = rejection.state.unwrap();
        lookup.user = Some(user);
    }
    let rejection = confirm(&fixture, &request(code.as_str()), &lookup, at(60)).unwrap_err();
    assert_eq!(rejection.exception.name(), "TooManyFailedAttemptsException");
    assert_eq!(rejection.exception.http_status(), 400);
    assert!(
        rejection.state.is_some(),
        "the submission still counts in the window"
    );
}

#[test]
fn row_8_an_expired_code_is_expired_code() {
    let fixture = Fixture::new();
    let (lookup, code) = lookup(&fixture, false);
    let rejection = confirm(&fixture, &request(code.as_str()), &lookup, at(DAY)).unwrap_err();
    assert_exception(
        &rejection,
        "ExpiredCodeException",
        "Invalid code provided, please request a code again.",
    );
    assert_eq!(
        rejection.state.map(|state| state.status()),
        Some(Status::Expired)
    );
}

#[test]
fn row_9_a_wrong_code_is_code_mismatch_and_the_attempt_is_persisted() {
    let fixture = Fixture::new();
    let (lookup, code) = lookup(&fixture, false);
    let bad = wrong(&code);
    let rejection = confirm(&fixture, &request(&bad), &lookup, at(60)).unwrap_err();
    assert_exception(
        &rejection,
        "CodeMismatchException",
        "Invalid verification code provided, please try again.",
    );
    let state = rejection.state.unwrap();
    assert_eq!(
        (state.status(), state.attempts_used(), state.version()),
        (Status::CodeMismatch, 1, 2)
    );
}

#[test]
fn row_10_an_alias_held_by_another_user_is_alias_exists_and_the_code_stays_usable() {
    let fixture = Fixture::new();
    let (mut lookup, code) = lookup(&fixture, false);
    lookup.alias_owner = Some("bob");
    let rejection = confirm(&fixture, &request(code.as_str()), &lookup, at(60)).unwrap_err();
    assert_exception(
        &rejection,
        "AliasExistsException",
        "An account with the email already exists.",
    );
    let held = rejection.state.unwrap();
    assert_eq!(held.status(), Status::Pending, "the user stays unconfirmed");
    // Retry with ForceAliasCreation: confirmed, and bob loses the alias.
    let mut user = lookup.user.unwrap();
    user.confirmation = held;
    let retry = ConfirmLookup {
        user: Some(user),
        ..lookup
    };
    let forced = ConfirmSignUp {
        force_alias_creation: true,
        ..request(code.as_str())
    };
    let done = confirm(&fixture, &forced, &retry, at(120)).unwrap();
    assert_eq!(done.state.status(), Status::Confirmed);
    assert_eq!(done.verified, Some(AliasAttribute::Email));
    assert_eq!(done.alias_taken_from, Some("bob"));
}

#[test]
fn row_10_the_phone_variant_names_the_phone_number() {
    let fixture = Fixture::new();
    let (mut lookup, code) = lookup(&fixture, false);
    let mut user = lookup.user.unwrap();
    user.destination = Some(Destination {
        attribute: AliasAttribute::PhoneNumber,
        value: "+12065551212",
    });
    lookup.user = Some(user);
    lookup.alias_owner = Some("bob");
    let rejection = confirm(&fixture, &request(code.as_str()), &lookup, at(60)).unwrap_err();
    assert_eq!(
        rejection.exception.to_string(),
        "An account with the phone_number already exists."
    );
}

#[test]
fn row_10_a_wrong_code_never_reveals_the_alias_owner() {
    let fixture = Fixture::new();
    let (mut lookup, code) = lookup(&fixture, false);
    let bad = wrong(&code);
    lookup.alias_owner = Some("bob");
    let rejection = confirm(&fixture, &request(&bad), &lookup, at(60)).unwrap_err();
    assert_eq!(rejection.exception.name(), "CodeMismatchException");
}

#[test]
fn row_11_the_commit_verifies_the_destination_and_builds_the_event() {
    let fixture = Fixture::new();
    let (lookup, code) = lookup(&fixture, false);
    let metadata = ClientMetadata::new(&[("source", "web")]);
    let request = ConfirmSignUp {
        client_metadata: Some(metadata),
        ..request(code.as_str())
    };
    let done = confirm(&fixture, &request, &lookup, at(60)).unwrap();
    assert_eq!(done.state.status(), Status::Confirmed);
    assert_eq!(done.verified, Some(AliasAttribute::Email));
    assert_eq!(done.alias_taken_from, None);
    assert_eq!(done.session, None);
    let event = done.event;
    assert_eq!(
        (
            event.region,
            event.user_pool_id,
            event.user_name,
            event.client_id
        ),
        (REGION, POOL_ID, USERNAME, CLIENT_ID)
    );
    let attributes: Vec<_> = event.user_attributes().collect();
    assert!(attributes.contains(&("email", EMAIL)));
    assert!(attributes.contains(&("email_verified", "true")));
    assert!(attributes.contains(&("cognito:user_status", "CONFIRMED")));
    assert!(!attributes.contains(&("email_verified", "false")));
    assert_eq!(event.client_metadata, Some(metadata));
}

#[test]
fn a_missing_key_is_an_internal_error() {
    let fixture = Fixture::new();
    let (mut lookup, code) = lookup(&fixture, false);
    let other = Fixture {
        key: crate::common::rotated_key(),
        ..Fixture::new()
    };
    let mut user = lookup.user.unwrap();
    user.confirmation = other.alice().0.confirmation;
    lookup.user = Some(user);
    let rejection = confirm(&fixture, &request(code.as_str()), &lookup, at(60)).unwrap_err();
    assert_eq!(rejection.exception.name(), "InternalErrorException");
    assert_eq!(rejection.exception.http_status(), 500);
    assert_eq!(rejection.state, None);
}

#[test]
fn a_sign_up_session_is_exchanged_for_a_sign_in_session() {
    let fixture = Fixture::new();
    let (lookup, code) = lookup(&fixture, false);
    let sign_up = Session::mint(
        &fixture.key,
        SessionPurpose::ConfirmSignUp,
        USERNAME,
        CLIENT_ID,
        T0,
        core::time::Duration::from_secs(600),
        &[1; 16],
    );
    let request = ConfirmSignUp {
        session: Some(sign_up.as_str()),
        ..request(code.as_str())
    };
    let done = confirm(&fixture, &request, &lookup, at(60)).unwrap();
    let sign_in = done.session.unwrap().unwrap();
    assert!((20..=2048).contains(&sign_in.as_str().len()));
    let verified = Session::verify(
        &fixture.key,
        sign_in.as_str(),
        SessionPurpose::SignIn,
        USERNAME,
        CLIENT_ID,
        at(60),
    )
    .unwrap();
    assert_eq!(verified.expires_at, at(60 + 180));
    assert_eq!(verified.nonce, NONCE);
    // Single-purpose: the sign-in session is no sign-up session, and the reverse.
    let reused = Session::verify(
        &fixture.key,
        sign_in.as_str(),
        SessionPurpose::ConfirmSignUp,
        USERNAME,
        CLIENT_ID,
        at(60),
    );
    assert_eq!(reused, Err(SessionError::Invalid));
}

#[test]
fn a_forged_or_foreign_session_does_not_stop_the_confirmation_but_mints_nothing() {
    let fixture = Fixture::new();
    let (lookup, code) = lookup(&fixture, false);
    let for_bob = Session::mint(
        &fixture.key,
        SessionPurpose::ConfirmSignUp,
        "bob",
        CLIENT_ID,
        T0,
        core::time::Duration::from_secs(600),
        &[1; 16],
    );
    let cases = [
        (for_bob.as_str().to_owned(), SessionError::Invalid),
        ("x".repeat(40), SessionError::Malformed),
    ];
    for (token, error) in cases {
        let request = ConfirmSignUp {
            session: Some(&token),
            ..request(code.as_str())
        };
        let done = confirm(&fixture, &request, &lookup, at(60)).unwrap();
        assert_eq!(done.session, Some(Err(error)));
        assert_eq!(done.state.status(), Status::Confirmed);
    }
}

#[test]
fn the_replaced_code_after_a_resend_is_expired_code() {
    let fixture = Fixture::new();
    let (mut lookup, old) = lookup(&fixture, false);
    let mut user = lookup.user.unwrap();
    let (state, _new) = user
        .confirmation
        .reissue(
            &fixture.policy,
            &fixture.key,
            user.subject,
            at(30),
            &crate::common::entropy(5),
        )
        .unwrap();
    user.confirmation = state;
    lookup.user = Some(user);
    let rejection = confirm(&fixture, &request(old.as_str()), &lookup, at(60)).unwrap_err();
    assert_eq!(rejection.exception.name(), "ExpiredCodeException");
}
