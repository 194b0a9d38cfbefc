//! `AdminConfirmSignUp`, `ResendConfirmationCode` and sessions through the public API.

use core::time::Duration;

use confirmation_flow::{
    Status,
    cognito::{
        AdminConfirmSignUp, CLIENT_ID_NOT_APPLICABLE, ResendConfirmationCode, Session,
        SessionError, SessionPurpose, UserStatus, admin_confirm_sign_up, resend_confirmation_code,
    },
};

use crate::{
    cognito_fixtures::{CLIENT_ID, Fixture, POOL_ID, USERNAME},
    common::{T0, at, entropy, rotated_key},
};

fn admin_request() -> AdminConfirmSignUp<'static> {
    AdminConfirmSignUp {
        user_pool_id: POOL_ID,
        username: USERNAME,
        client_metadata: None,
    }
}

fn resend_request() -> ResendConfirmationCode<'static> {
    ResendConfirmationCode {
        client_id: CLIENT_ID,
        username: USERNAME,
        ..ResendConfirmationCode::default()
    }
}

#[test]
fn admin_confirm_confirms_without_a_code_and_verifies_nothing() {
    let fixture = Fixture::new();
    let (user, _) = fixture.alice();
    let done =
        admin_confirm_sign_up(&fixture.pool(), &admin_request(), Some(&user), at(60)).unwrap();
    assert_eq!(done.state.status(), Status::Confirmed);
    assert_eq!(done.event.client_id, CLIENT_ID_NOT_APPLICABLE);
    assert_eq!(done.event.verified, None);
    assert!(
        done.event
            .user_attributes()
            .any(|pair| pair == ("email_verified", "false"))
    );
}

#[test]
fn admin_confirm_of_a_confirmed_user_is_not_authorized() {
    let fixture = Fixture::new();
    let (mut user, _) = fixture.alice();
    user.confirmation = user
        .confirmation
        .admin_confirm(&fixture.policy, at(1))
        .unwrap();
    let rejection =
        admin_confirm_sign_up(&fixture.pool(), &admin_request(), Some(&user), at(60)).unwrap_err();
    assert_eq!(rejection.exception.name(), "NotAuthorizedException");
    assert_eq!(
        rejection.exception.to_string(),
        "User cannot be confirmed. Current status is CONFIRMED"
    );
    user.status = UserStatus::ForceChangePassword;
    let rejection =
        admin_confirm_sign_up(&fixture.pool(), &admin_request(), Some(&user), at(60)).unwrap_err();
    assert_eq!(
        rejection.exception.to_string(),
        "User cannot be confirmed. Current status is FORCE_CHANGE_PASSWORD"
    );
}

#[test]
fn admin_confirm_of_an_unknown_user_or_pool() {
    let fixture = Fixture::new();
    let rejection =
        admin_confirm_sign_up(&fixture.pool(), &admin_request(), None, at(60)).unwrap_err();
    assert_eq!(
        (
            rejection.exception.name(),
            rejection.exception.to_string().as_str()
        ),
        ("UserNotFoundException", "User does not exist.")
    );
    let other_pool = AdminConfirmSignUp {
        user_pool_id: "eu-west-1_Other",
        ..admin_request()
    };
    let (user, _) = fixture.alice();
    let rejection =
        admin_confirm_sign_up(&fixture.pool(), &other_pool, Some(&user), at(60)).unwrap_err();
    assert_eq!(rejection.exception.name(), "ResourceNotFoundException");
    assert_eq!(
        rejection.exception.to_string(),
        "User pool eu-west-1_Other does not exist."
    );
    let malformed = AdminConfirmSignUp {
        user_pool_id: "no-underscore",
        ..admin_request()
    };
    let rejection =
        admin_confirm_sign_up(&fixture.pool(), &malformed, Some(&user), at(60)).unwrap_err();
    assert_eq!(
        rejection.exception.to_string(),
        r"1 validation error detected: Value at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w-]+_[0-9a-zA-Z]+"
    );
}

#[test]
fn resend_issues_a_new_code_and_masks_the_destination() {
    let fixture = Fixture::new();
    let (user, old) = fixture.alice();
    let client = Fixture::public_client(false);
    let sent = resend_confirmation_code(
        &fixture.pool(),
        &resend_request(),
        Some(&client),
        Some(&user),
        at(60),
        &entropy(9),
    )
    .unwrap();
    let (state, code) = (sent.state.unwrap(), sent.code.unwrap());
    assert_ne!(code, old);
    assert_eq!(state.status(), Status::Pending);
    let delivery = sent.delivery.unwrap();
    assert_eq!(delivery.delivery_medium(), "EMAIL");
    assert_eq!(delivery.masked_destination().to_string(), "a***@e***");
}

#[test]
fn resend_for_a_confirmed_user_is_already_confirmed() {
    let fixture = Fixture::new();
    let (mut user, _) = fixture.alice();
    (user.confirmation, user.status) = (
        user.confirmation
            .admin_confirm(&fixture.policy, at(1))
            .unwrap(),
        UserStatus::Confirmed,
    );
    let client = Fixture::public_client(false);
    let rejection = resend_confirmation_code(
        &fixture.pool(),
        &resend_request(),
        Some(&client),
        Some(&user),
        at(60),
        &entropy(9),
    )
    .unwrap_err();
    assert_eq!(rejection.exception.name(), "InvalidParameterException");
    assert_eq!(
        rejection.exception.to_string(),
        "User is already confirmed."
    );
}

#[test]
fn the_sixth_resend_in_an_hour_is_limit_exceeded() {
    let fixture = Fixture::new();
    let (mut user, _) = fixture.alice();
    let client = Fixture::public_client(false);
    for i in 0..5 {
        let sent = resend_confirmation_code(
            &fixture.pool(),
            &resend_request(),
            Some(&client),
            Some(&user),
            at(i),
            &entropy(10 + u32::try_from(i).unwrap()),
        )
        .unwrap();
        user.confirmation = sent.state.unwrap();
    }
    let rejection = resend_confirmation_code(
        &fixture.pool(),
        &resend_request(),
        Some(&client),
        Some(&user),
        at(60),
        &entropy(20),
    )
    .unwrap_err();
    assert_eq!(rejection.exception.name(), "LimitExceededException");
    assert_eq!(rejection.state, None);
}

#[test]
fn resend_for_an_unknown_user_depends_on_hiding() {
    let fixture = Fixture::new();
    let legacy = Fixture::public_client(false);
    let rejection = resend_confirmation_code(
        &fixture.pool(),
        &resend_request(),
        Some(&legacy),
        None,
        at(60),
        &entropy(9),
    )
    .unwrap_err();
    assert_eq!(
        rejection.exception.to_string(),
        "Username/client id combination not found."
    );
    let hiding = Fixture::public_client(true);
    let request = ResendConfirmationCode {
        username: "mallory@example.com",
        ..resend_request()
    };
    let sent = resend_confirmation_code(
        &fixture.pool(),
        &request,
        Some(&hiding),
        None,
        at(60),
        &entropy(9),
    )
    .unwrap();
    assert_eq!((sent.state, sent.code), (None, None));
    assert_eq!(
        sent.delivery.unwrap().masked_destination().to_string(),
        "m***@e***"
    );
}

#[test]
fn resend_checks_the_secret_hash() {
    let fixture = Fixture::new();
    let (user, _) = fixture.alice();
    let client = fixture.secret_client();
    let rejection = resend_confirmation_code(
        &fixture.pool(),
        &resend_request(),
        Some(&client),
        Some(&user),
        at(60),
        &entropy(9),
    )
    .unwrap_err();
    assert_eq!(rejection.exception.name(), "NotAuthorizedException");
    let hash = fixture.secret.compute(USERNAME, CLIENT_ID);
    let request = ResendConfirmationCode {
        secret_hash: Some(hash.as_str()),
        ..resend_request()
    };
    assert!(
        resend_confirmation_code(
            &fixture.pool(),
            &request,
            Some(&client),
            Some(&user),
            at(60),
            &entropy(9)
        )
        .is_ok()
    );
}

#[test]
fn sessions_expire_at_their_deadline_and_fail_closed_under_another_key() {
    let fixture = Fixture::new();
    let ttl = Duration::from_secs(300);
    let token = Session::mint(
        &fixture.key,
        SessionPurpose::SignIn,
        USERNAME,
        CLIENT_ID,
        T0,
        ttl,
        &[7; 16],
    );
    assert_eq!(
        token.as_str().len(),
        confirmation_flow::cognito::SESSION_LEN
    );
    let verify = |key, user, client, now| {
        Session::verify(
            key,
            token.as_str(),
            SessionPurpose::SignIn,
            user,
            client,
            now,
        )
    };
    assert!(verify(&fixture.key, USERNAME, CLIENT_ID, at(299)).is_ok());
    assert_eq!(
        verify(&fixture.key, USERNAME, CLIENT_ID, at(300)),
        Err(SessionError::Expired)
    );
    assert_eq!(
        verify(&fixture.key, USERNAME, "otherclient", at(1)),
        Err(SessionError::Invalid)
    );
    assert_eq!(
        verify(&fixture.key, "alicf", CLIENT_ID, at(1)),
        Err(SessionError::Invalid)
    );
    assert_eq!(
        verify(&rotated_key(), USERNAME, CLIENT_ID, at(1)),
        Err(SessionError::UnknownKey)
    );
    let mut tampered = token.as_str().to_owned();
    tampered.replace_range(40..41, if &tampered[40..41] == "A" { "B" } else { "A" });
    let result = Session::verify(
        &fixture.key,
        &tampered,
        SessionPurpose::SignIn,
        USERNAME,
        CLIENT_ID,
        at(1),
    );
    assert_eq!(result, Err(SessionError::Invalid));
    assert!(!format!("{token:?}").contains(token.as_str()));
}
