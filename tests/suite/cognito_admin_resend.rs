//! `AdminConfirmSignUp`, `ResendConfirmationCode` and sessions through the loop.

use core::time::Duration;

use confirmation_flow::{
    KeyRing, Status,
    cognito::{
        AdminConfirmSignUp, After, CLIENT_ID_NOT_APPLICABLE, Expected, Lookup, Pool, Reply,
        ResendConfirmationCode, Session, SessionError, SessionPurpose, Target, UserStatus,
    },
};

use crate::{
    cognito_fixtures::{
        CLIENT_ID, Fixture, POOL_ID, SUB, Settled, USERNAME, decide, found, refused,
    },
    common::{T0, at, rotated_key},
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

fn admin<'a>(pool: &Pool<'a>, request: AdminConfirmSignUp<'a>, lookup: &Lookup<'a>) -> Settled<'a> {
    decide(pool, request.validate().unwrap(), lookup, at(60))
}

fn resend<'a>(
    pool: &Pool<'a>,
    request: ResendConfirmationCode<'a>,
    lookup: &Lookup<'a>,
    now: u64,
) -> Settled<'a> {
    decide(pool, request.validate().unwrap(), lookup, at(now))
}

#[test]
fn admin_confirm_confirms_without_a_code_and_verifies_nothing() {
    let fixture = Fixture::new();
    let (user, _) = fixture.alice();
    let lookup = Lookup {
        user: Some(user),
        ..Lookup::default()
    };
    let done = admin(&fixture.pool(), admin_request(), &lookup);
    assert!(matches!(done.reply, Reply::AdminConfirmSignUp));
    let write = done.write.unwrap();
    assert_eq!(write.state.status(), Status::Confirmed);
    assert_eq!(write.status, Some(UserStatus::Confirmed));
    assert_eq!((write.verify, write.alias), (None, None));
    assert_eq!(write.expected, Expected::Version(1));
    let After::PostConfirmation(event) = done.after else {
        panic!("the trigger runs for admin confirmations too");
    };
    assert_eq!(event.client_id, CLIENT_ID_NOT_APPLICABLE);
    assert_eq!(event.verified, None);
    assert!(
        event
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
    let lookup = Lookup {
        user: Some(user),
        ..Lookup::default()
    };
    let outcome = admin(&fixture.pool(), admin_request(), &lookup);
    assert_eq!(refused(&outcome).name(), "NotAuthorizedException");
    assert_eq!(
        refused(&outcome).to_string(),
        "User cannot be confirmed. Current status is CONFIRMED"
    );
    user.status = UserStatus::ForceChangePassword;
    let lookup = Lookup {
        user: Some(user),
        ..Lookup::default()
    };
    let outcome = admin(&fixture.pool(), admin_request(), &lookup);
    assert_eq!(
        refused(&outcome).to_string(),
        "User cannot be confirmed. Current status is FORCE_CHANGE_PASSWORD"
    );
}

#[test]
fn admin_confirm_of_an_unknown_user_or_pool() {
    let fixture = Fixture::new();
    let outcome = admin(&fixture.pool(), admin_request(), &Lookup::default());
    let exception = refused(&outcome);
    assert_eq!(
        (exception.name(), exception.to_string().as_str()),
        ("UserNotFoundException", "User does not exist.")
    );
    let other_pool = AdminConfirmSignUp {
        user_pool_id: "eu-west-1_Other",
        ..admin_request()
    };
    let (user, _) = fixture.alice();
    let lookup = Lookup {
        user: Some(user),
        ..Lookup::default()
    };
    let outcome = admin(&fixture.pool(), other_pool, &lookup);
    assert_eq!(refused(&outcome).name(), "ResourceNotFoundException");
    assert_eq!(
        refused(&outcome).to_string(),
        "User pool eu-west-1_Other does not exist."
    );
    let malformed = AdminConfirmSignUp {
        user_pool_id: "no-underscore",
        ..admin_request()
    };
    assert_eq!(
        malformed.validate().unwrap_err().to_string(),
        r"1 validation error detected: Value at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w-]+_[0-9a-zA-Z]+"
    );
}

#[test]
fn resend_issues_a_new_code_delivers_it_and_masks_the_destination() {
    let fixture = Fixture::new();
    let (user, old) = fixture.alice();
    let lookup = found(Fixture::public_client(false), Some(user));
    let sent = resend(&fixture.pool(), resend_request(), &lookup, 60);
    let Reply::ResendConfirmationCode {
        delivery: Some(details),
    } = sent.reply
    else {
        panic!("{:?}", sent.reply);
    };
    assert_eq!(details.delivery_medium(), "EMAIL");
    assert_eq!(details.masked_destination().to_string(), "a***@e***");
    let After::Deliver(delivery) = sent.after else {
        panic!("the new code is delivered");
    };
    assert_ne!(delivery.code, old);
    assert_eq!(delivery.destination.value, "alice@example.com");
    let write = sent.write.unwrap();
    assert_eq!(
        write.target,
        Target::User {
            username: USERNAME,
            subject: SUB,
            attributes: None,
        }
    );
    assert_eq!(write.expected, Expected::Version(1));
    assert_eq!(write.state.status(), Status::Pending);
}

#[test]
fn resend_goes_to_the_phone_when_both_are_auto_verified() {
    let fixture = Fixture::new();
    let (mut user, _) = fixture.alice();
    user.phone_number = Some("+12065551212");
    let lookup = found(Fixture::public_client(false), Some(user));
    let sent = resend(&fixture.pool(), resend_request(), &lookup, 60);
    let Reply::ResendConfirmationCode {
        delivery: Some(details),
    } = sent.reply
    else {
        panic!("{:?}", sent.reply);
    };
    assert_eq!(
        (details.delivery_medium(), details.attribute().as_str()),
        ("SMS", "phone_number")
    );
    assert_eq!(details.masked_destination().to_string(), "+*******1212");
}

#[test]
fn resend_moves_the_state_to_the_current_key() {
    let fixture = Fixture::new();
    let (user, _) = fixture.alice();
    let lookup = found(Fixture::public_client(false), Some(user));
    let rotated = rotated_key();
    let older = [fixture.key.clone()];
    let pool = Pool {
        keys: KeyRing::new(&rotated, &older).unwrap(),
        ..fixture.pool()
    };
    let sent = resend(&pool, resend_request(), &lookup, 60);
    assert_eq!(sent.write.unwrap().state.key_id(), rotated.id());
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
    let lookup = found(Fixture::public_client(false), Some(user));
    let outcome = resend(&fixture.pool(), resend_request(), &lookup, 60);
    assert_eq!(refused(&outcome).name(), "InvalidParameterException");
    assert_eq!(refused(&outcome).to_string(), "User is already confirmed.");
    assert!(outcome.write.is_none());
}

#[test]
fn the_sixth_resend_in_an_hour_is_limit_exceeded() {
    let fixture = Fixture::new();
    let (mut user, _) = fixture.alice();
    for i in 0..5 {
        let lookup = found(Fixture::public_client(false), Some(user));
        user.confirmation = resend(&fixture.pool(), resend_request(), &lookup, i)
            .write
            .unwrap()
            .state;
    }
    let lookup = found(Fixture::public_client(false), Some(user));
    let outcome = resend(&fixture.pool(), resend_request(), &lookup, 60);
    assert_eq!(refused(&outcome).name(), "LimitExceededException");
    assert!(outcome.write.is_none());
}

#[test]
fn resend_for_an_unknown_user_without_hiding_is_user_not_found() {
    let fixture = Fixture::new();
    let lookup = found(Fixture::public_client(false), None);
    let outcome = resend(&fixture.pool(), resend_request(), &lookup, 60);
    assert_eq!(
        refused(&outcome).to_string(),
        "Username/client id combination not found."
    );
    assert!(outcome.write.is_none());
}

#[test]
fn resend_checks_the_secret_hash() {
    let fixture = Fixture::new();
    let (user, _) = fixture.alice();
    let lookup = found(fixture.secret_client(), Some(user));
    let outcome = resend(&fixture.pool(), resend_request(), &lookup, 60);
    assert_eq!(refused(&outcome).name(), "NotAuthorizedException");
    let hash = fixture.secret.compute(USERNAME, CLIENT_ID);
    let with_hash = ResendConfirmationCode {
        secret_hash: Some(hash.as_str()),
        ..resend_request()
    };
    let outcome = resend(&fixture.pool(), with_hash, &lookup, 60);
    assert!(outcome.reply.exception().is_none());
}

#[test]
fn sessions_expire_at_their_deadline_and_fail_closed_under_a_key_the_ring_lacks() {
    let fixture = Fixture::new();
    let ring = KeyRing::single(&fixture.key);
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
    let verify = |keys: &KeyRing<'_>, user, client, now| {
        Session::verify(
            keys,
            token.as_str(),
            SessionPurpose::SignIn,
            user,
            client,
            now,
        )
    };
    assert!(verify(&ring, USERNAME, CLIENT_ID, at(299)).is_ok());
    assert_eq!(
        verify(&ring, USERNAME, CLIENT_ID, at(300)),
        Err(SessionError::Expired)
    );
    assert_eq!(
        verify(&ring, USERNAME, "otherclient", at(1)),
        Err(SessionError::Invalid)
    );
    assert_eq!(
        verify(&ring, "alicf", CLIENT_ID, at(1)),
        Err(SessionError::Invalid)
    );
    let rotated = rotated_key();
    assert_eq!(
        verify(&KeyRing::single(&rotated), USERNAME, CLIENT_ID, at(1)),
        Err(SessionError::UnknownKey)
    );
    let older = [fixture.key.clone()];
    assert!(
        verify(
            &KeyRing::new(&rotated, &older).unwrap(),
            USERNAME,
            CLIENT_ID,
            at(1)
        )
        .is_ok(),
        "a session minted under an older key of the ring still verifies"
    );
    let mut tampered = token.as_str().to_owned();
    tampered.replace_range(40..41, if &tampered[40..41] == "A" { "B" } else { "A" });
    let result = Session::verify(
        &ring,
        &tampered,
        SessionPurpose::SignIn,
        USERNAME,
        CLIENT_ID,
        at(1),
    );
    assert_eq!(result, Err(SessionError::Invalid));
    assert!(!format!("{token:?}").contains(token.as_str()));
}

#[test]
fn a_session_has_exactly_one_spelling_that_verifies() {
    use base64ct::{Base64UrlUnpadded, Encoding};
    let fixture = Fixture::new();
    let ring = KeyRing::single(&fixture.key);
    let token = Session::mint(
        &fixture.key,
        SessionPurpose::SignIn,
        USERNAME,
        CLIENT_ID,
        T0,
        Duration::from_secs(300),
        &[7; 16],
    );
    let mut raw = [0_u8; 61];
    Base64UrlUnpadded::decode(token.as_str(), &mut raw).unwrap();
    let verify = |text: &str| {
        Session::verify(
            &ring,
            text,
            SessionPurpose::SignIn,
            USERNAME,
            CLIENT_ID,
            at(1),
        )
    };
    assert!(verify(token.as_str()).is_ok());
    // Byte 4 says the purpose; the MAC covers the header as sent, so no other value of it
    // (and no other bit anywhere in the header) yields a token that verifies.
    for index in 0..29 {
        for bit in 0..8 {
            let mut altered = raw;
            altered[index] ^= 1 << bit;
            let mut buffer = [0_u8; 82];
            let text = Base64UrlUnpadded::encode(&altered, &mut buffer).unwrap();
            let result = verify(text);
            assert!(result.is_err(), "byte {index} bit {bit}: {result:?}");
        }
    }
}
