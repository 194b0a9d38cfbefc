//! `ConfirmSignUp` through the loop as a server runs it: one test per row of DESIGN §3,
//! asserting the exception's name, message and status, and the write each outcome asks for.

use confirmation_flow::{
    Confirmation, KeyRing, Status, Timestamp,
    cognito::{
        After, AliasAttribute, AliasClaim, AppClient, ClientMetadata, ConfirmSignUp, Expected,
        Lookup, Pool, Reply, Session, SessionPurpose, Target, UserStatus,
    },
};

use crate::{
    cognito_fixtures::{
        CLIENT_ID, EMAIL, Fixture, POOL_ID, REGION, SUB, Settled, USERNAME, assert_exception,
        decide, found, refused,
    },
    common::{DAY, T0, at, entropy, rotated_key, wrong},
};

fn request(code: &str) -> ConfirmSignUp<'_> {
    ConfirmSignUp {
        client_id: CLIENT_ID,
        username: USERNAME,
        confirmation_code: code,
        ..ConfirmSignUp::default()
    }
}

/// Validates `request` and decides it.
fn confirm<'a>(
    pool: &Pool<'a>,
    request: ConfirmSignUp<'a>,
    lookup: &Lookup<'a>,
    now: Timestamp,
) -> Settled<'a> {
    decide(pool, request.validate().unwrap(), lookup, now)
}

/// Alice found by a client that hides unknown users or not, and her code.
fn alice(fixture: &Fixture, hide: bool) -> (Lookup<'static>, confirmation_flow::Code) {
    let (user, code) = fixture.alice();
    (found(Fixture::public_client(hide), Some(user)), code)
}

/// The state an outcome writes.
fn written(outcome: &Settled<'_>) -> Confirmation {
    outcome.write.expect("a write").state
}

#[test]
fn row_1_invalid_members_are_invalid_parameter_before_anything_is_looked_up() {
    let exception = request("12 34").validate().unwrap_err();
    assert_eq!(exception.name(), "InvalidParameterException");
    assert_eq!(
        exception.to_string(),
        r"1 validation error detected: Value at 'confirmationCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [\S]+"
    );
    assert_eq!(exception.http_status(), 400);
}

#[test]
fn row_2_unknown_client_is_resource_not_found() {
    let fixture = Fixture::new();
    let (mut lookup, code) = alice(&fixture, false);
    lookup.client = None;
    let outcome = confirm(&fixture.pool(), request(code.as_str()), &lookup, at(60));
    assert_exception(
        &outcome,
        "ResourceNotFoundException",
        "User pool client 7ql4example does not exist.",
    );
    assert!(outcome.write.is_none());
}

#[test]
fn row_3_secret_hash_missing_wrong_and_right() {
    let fixture = Fixture::new();
    let (user, code) = fixture.alice();
    let lookup = found(fixture.secret_client(), Some(user));
    let pool = fixture.pool();
    let missing = confirm(&pool, request(code.as_str()), &lookup, at(60));
    assert_exception(
        &missing,
        "NotAuthorizedException",
        "Client 7ql4example is configured with secret but SECRET_HASH was not received",
    );
    let wrong_hash = "kWrCOiuCWhyjsCaD2Hv4iyr82fBK4ToBUp/qwQuW+Ko=";
    let with_hash = |hash| ConfirmSignUp {
        secret_hash: Some(hash),
        ..request(code.as_str())
    };
    let wrong = confirm(&pool, with_hash(wrong_hash), &lookup, at(60));
    assert_exception(
        &wrong,
        "NotAuthorizedException",
        "Unable to verify secret hash for client 7ql4example",
    );
    assert!(wrong.write.is_none(), "nothing is counted before the hash");
    // Computed independently with Python: base64(hmac_sha256("s3cr3t", "alice" + "7ql4example")).
    let right = confirm(
        &pool,
        with_hash("ed4lfPv6+SeupohhdStwtUDVNqXNu3dg62PRpgCmW0I="),
        &lookup,
        at(60),
    );
    assert!(right.reply.exception().is_none(), "{:?}", right.reply);
}

#[test]
fn row_4_unknown_user_without_hiding_is_user_not_found_and_writes_nothing() {
    let fixture = Fixture::new();
    let (mut lookup, code) = alice(&fixture, false);
    lookup.user = None;
    let outcome = confirm(&fixture.pool(), request(code.as_str()), &lookup, at(60));
    assert_exception(
        &outcome,
        "UserNotFoundException",
        "Username/client id combination not found.",
    );
    assert!(outcome.write.is_none());
}

#[test]
fn row_4_unknown_user_with_hiding_is_a_wrong_code_and_a_phantom_write() {
    let fixture = Fixture::new();
    let pool = fixture.pool();
    let (lookup, code) = alice(&fixture, true);
    let bad = wrong(&code);
    let real = confirm(&pool, request(&bad), &lookup, at(60));
    let unknown = Lookup {
        user: None,
        ..lookup
    };
    let phantom = confirm(&pool, request(&bad), &unknown, at(60));
    assert_eq!(refused(&phantom), refused(&real));
    assert_exception(
        &phantom,
        "CodeMismatchException",
        "Invalid verification code provided, please try again.",
    );
    // The phantom is written like the user would be: a new row, the attempt counted.
    let write = phantom.write.unwrap();
    let id = pool.keys.current();
    let expected_id = confirmation_flow::cognito::PhantomId::derive(id, POOL_ID, USERNAME);
    assert_eq!(write.target, Target::Phantom(expected_id));
    assert_eq!(write.expected, Expected::Absent);
    assert_eq!(
        (
            write.state.status(),
            write.state.attempts_used(),
            write.state.version()
        ),
        (Status::CodeMismatch, 1, 2)
    );
    assert_eq!(
        (write.status, write.verify, write.alias),
        (None, None, None)
    );
    // Stored, it is read back and counted again, as a CAS on its version.
    let stored = Lookup {
        phantom: Some(write.state),
        ..unknown
    };
    let again = confirm(&pool, request(&bad), &stored, at(61));
    assert_eq!(again.write.unwrap().expected, Expected::Version(2));
    assert_eq!(written(&again).attempts_used(), 2);
}

#[test]
fn row_4_the_right_code_of_a_user_never_confirms_a_phantom() {
    let fixture = Fixture::new();
    let (lookup, code) = alice(&fixture, true);
    let unknown = Lookup {
        user: None,
        ..lookup
    };
    let outcome = confirm(&fixture.pool(), request(code.as_str()), &unknown, at(60));
    assert_eq!(refused(&outcome).name(), "CodeMismatchException");
}

#[test]
fn row_5_a_confirmed_user_cannot_be_confirmed_again() {
    let fixture = Fixture::new();
    let pool = fixture.pool();
    let (lookup, code) = alice(&fixture, false);
    let done = confirm(&pool, request(code.as_str()), &lookup, at(60));
    let mut user = lookup.user.unwrap();
    (user.confirmation, user.status) = (written(&done), UserStatus::Confirmed);
    let again = found(Fixture::public_client(false), Some(user));
    let outcome = confirm(&pool, request(code.as_str()), &again, at(120));
    assert_exception(
        &outcome,
        "NotAuthorizedException",
        "User cannot be confirmed. Current status is CONFIRMED",
    );
    // Even a stale status in the caller's store is caught by the state itself.
    user.status = UserStatus::Unconfirmed;
    let stale = found(Fixture::public_client(false), Some(user));
    let outcome = confirm(&pool, request(code.as_str()), &stale, at(120));
    assert_exception(
        &outcome,
        "NotAuthorizedException",
        "User cannot be confirmed. Current status is CONFIRMED",
    );
    user.status = UserStatus::ForceChangePassword;
    let admin_created = found(Fixture::public_client(false), Some(user));
    let outcome = confirm(&pool, request(code.as_str()), &admin_created, at(120));
    assert_eq!(
        refused(&outcome).to_string(),
        "User cannot be confirmed. Current status is FORCE_CHANGE_PASSWORD"
    );
}

/// Submits `n` wrong codes a second apart from `start`, storing each write.
fn wrong_times(
    pool: &Pool<'_>,
    lookup: &mut Lookup<'static>,
    code: &confirmation_flow::Code,
    n: u64,
) {
    let bad = wrong(code);
    let mut user = lookup.user.unwrap();
    for i in 0..n {
        let outcome = confirm(pool, request(&bad), lookup, at(i));
        user.confirmation = written(&outcome);
        lookup.user = Some(user);
    }
}

#[test]
fn row_6_the_sixteenth_submission_in_an_hour_is_limit_exceeded_and_not_counted() {
    let fixture = Fixture::new();
    let pool = fixture.pool();
    let (mut lookup, code) = alice(&fixture, false);
    wrong_times(&pool, &mut lookup, &code, 15);
    let outcome = confirm(&pool, request(code.as_str()), &lookup, at(60));
    assert_exception(
        &outcome,
        "LimitExceededException",
        "Attempt limit exceeded, please try after some time.",
    );
    assert!(outcome.write.is_none());
}

#[test]
fn row_7_a_spent_code_is_too_many_failed_attempts_and_counted() {
    let fixture = Fixture::new();
    let pool = fixture.pool();
    let (mut lookup, code) = alice(&fixture, false);
    wrong_times(&pool, &mut lookup, &code, 5);
    let outcome = confirm(&pool, request(code.as_str()), &lookup, at(60));
    assert_eq!(refused(&outcome).name(), "TooManyFailedAttemptsException");
    assert_eq!(outcome.reply.http_status(), 400);
    assert!(
        outcome.write.is_some(),
        "the submission still counts in the window"
    );
}

#[test]
fn row_8_an_expired_code_is_expired_code() {
    let fixture = Fixture::new();
    let (lookup, code) = alice(&fixture, false);
    let outcome = confirm(&fixture.pool(), request(code.as_str()), &lookup, at(DAY));
    assert_exception(
        &outcome,
        "ExpiredCodeException",
        "Invalid code provided, please request a code again.",
    );
    assert_eq!(written(&outcome).status(), Status::Expired);
}

#[test]
fn row_9_a_wrong_code_is_code_mismatch_and_the_attempt_is_written_with_cas() {
    let fixture = Fixture::new();
    let (lookup, code) = alice(&fixture, false);
    let bad = wrong(&code);
    let outcome = confirm(&fixture.pool(), request(&bad), &lookup, at(60));
    assert_exception(
        &outcome,
        "CodeMismatchException",
        "Invalid verification code provided, please try again.",
    );
    let write = outcome.write.unwrap();
    assert_eq!(
        write.target,
        Target::User {
            username: USERNAME,
            subject: SUB,
            attributes: None,
        },
        "an update leaves the row's attributes as they are"
    );
    assert_eq!(write.expected, Expected::Version(1));
    assert_eq!(
        (
            write.state.status(),
            write.state.attempts_used(),
            write.state.version()
        ),
        (Status::CodeMismatch, 1, 2)
    );
}

#[test]
fn row_10_an_alias_held_by_another_user_is_alias_exists_and_the_code_stays_usable() {
    let fixture = Fixture::new();
    let pool = fixture.pool();
    let (mut lookup, code) = alice(&fixture, false);
    lookup.alias_owners.email = Some("bob");
    let outcome = confirm(&pool, request(code.as_str()), &lookup, at(60));
    assert_exception(
        &outcome,
        "AliasExistsException",
        "An account with the email already exists.",
    );
    let held = written(&outcome);
    assert_eq!(held.status(), Status::Pending, "the user stays unconfirmed");
    // Retry with ForceAliasCreation: confirmed, taking the alias from bob in the same write.
    let mut user = lookup.user.unwrap();
    user.confirmation = held;
    lookup.user = Some(user);
    let forced = ConfirmSignUp {
        force_alias_creation: true,
        ..request(code.as_str())
    };
    let done = confirm(&pool, forced, &lookup, at(120));
    let write = done.write.unwrap();
    assert_eq!(write.state.status(), Status::Confirmed);
    assert_eq!(write.verify, Some(AliasAttribute::Email));
    assert_eq!(
        write.alias,
        Some(AliasClaim::TakeFrom {
            attribute: AliasAttribute::Email,
            value: EMAIL,
            owner: "bob"
        })
    );
}

#[test]
fn row_10_the_phone_variant_names_the_phone_number() {
    let fixture = Fixture::new();
    let (mut lookup, code) = alice(&fixture, false);
    let mut user = lookup.user.unwrap();
    user.phone_number = Some("+12065551212");
    lookup.user = Some(user);
    lookup.alias_owners.phone_number = Some("bob");
    let outcome = confirm(&fixture.pool(), request(code.as_str()), &lookup, at(60));
    assert_eq!(
        refused(&outcome).to_string(),
        "An account with the phone_number already exists."
    );
}

#[test]
fn row_10_a_wrong_code_never_reveals_the_alias_owner() {
    let fixture = Fixture::new();
    let (mut lookup, code) = alice(&fixture, false);
    lookup.alias_owners.email = Some("bob");
    let bad = wrong(&code);
    let outcome = confirm(&fixture.pool(), request(&bad), &lookup, at(60));
    assert_eq!(refused(&outcome).name(), "CodeMismatchException");
}

#[test]
fn row_11_the_commit_confirms_verifies_claims_the_alias_and_builds_the_event() {
    let fixture = Fixture::new();
    let (lookup, code) = alice(&fixture, false);
    let metadata = ClientMetadata::new(&[("source", "web")]);
    let with_metadata = ConfirmSignUp {
        client_metadata: Some(metadata),
        ..request(code.as_str())
    };
    // A client without `ALLOW_USER_AUTH`: no sign-in session (tests/suite/cognito_sessions.rs).
    let lookup = Lookup {
        client: lookup.client.map(|client| AppClient {
            auth_sessions: None,
            ..client
        }),
        ..lookup
    };
    let done = confirm(&fixture.pool(), with_metadata, &lookup, at(60));
    assert!(matches!(done.reply, Reply::ConfirmSignUp { session: None }));
    let write = done.write.unwrap();
    assert_eq!(write.expected, Expected::Version(1));
    assert_eq!(write.state.status(), Status::Confirmed);
    assert_eq!(write.status, Some(UserStatus::Confirmed));
    assert_eq!(write.verify, Some(AliasAttribute::Email));
    assert_eq!(
        write.alias,
        Some(AliasClaim::MustBeFree {
            attribute: AliasAttribute::Email,
            value: EMAIL
        }),
        "the store checks the alias is still free when it writes"
    );
    let After::PostConfirmation(event) = done.after else {
        panic!("a confirmation invokes the trigger");
    };
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
fn row_11_a_pool_without_aliases_claims_nothing() {
    let fixture = Fixture::new();
    let pool = Pool {
        aliases: confirmation_flow::cognito::AttributeSet::NONE,
        ..fixture.pool()
    };
    let (lookup, code) = alice(&fixture, false);
    let write = confirm(&pool, request(code.as_str()), &lookup, at(60))
        .write
        .unwrap();
    assert_eq!(
        (write.verify, write.alias),
        (Some(AliasAttribute::Email), None)
    );
}

#[test]
fn row_11_the_phone_is_verified_when_both_are_auto_verified() {
    let fixture = Fixture::new();
    let (mut lookup, code) = alice(&fixture, false);
    let mut user = lookup.user.unwrap();
    user.phone_number = Some("+12065551212");
    lookup.user = Some(user);
    let write = confirm(&fixture.pool(), request(code.as_str()), &lookup, at(60))
        .write
        .unwrap();
    assert_eq!(write.verify, Some(AliasAttribute::PhoneNumber));
}

#[test]
fn a_state_under_an_older_key_in_the_ring_confirms() {
    let fixture = Fixture::new();
    let (lookup, code) = alice(&fixture, false);
    // Key 2 is now current; key 1, which tagged alice's code, is kept as an older key.
    let rotated = rotated_key();
    let older = [fixture.key.clone()];
    let pool = Pool {
        keys: KeyRing::new(&rotated, &older).unwrap(),
        ..fixture.pool()
    };
    let outcome = confirm(&pool, request(code.as_str()), &lookup, at(60));
    assert!(outcome.reply.exception().is_none(), "{:?}", outcome.reply);
    assert_eq!(written(&outcome).status(), Status::Confirmed);
}

#[test]
fn a_key_the_ring_does_not_hold_is_an_internal_error_that_counts_nothing() {
    let fixture = Fixture::new();
    let (lookup, code) = alice(&fixture, false);
    let rotated = rotated_key();
    let pool = Pool {
        keys: KeyRing::single(&rotated),
        ..fixture.pool()
    };
    let outcome = confirm(&pool, request(code.as_str()), &lookup, at(60));
    let exception = refused(&outcome);
    assert_eq!(exception.name(), "InternalErrorException");
    assert_eq!(outcome.reply.http_status(), 500);
    assert!(outcome.write.is_none());
}

#[test]
fn a_sign_up_session_is_exchanged_for_a_sign_in_session() {
    let fixture = Fixture::new();
    let pool = fixture.pool();
    let (lookup, code) = alice(&fixture, false);
    let ttl = core::time::Duration::from_secs(600);
    let sign_up = Session::mint(
        &fixture.key,
        SessionPurpose::ConfirmSignUp,
        USERNAME,
        CLIENT_ID,
        T0,
        ttl,
        &[1; 16],
    );
    let with_session = ConfirmSignUp {
        session: Some(sign_up.as_str()),
        ..request(code.as_str())
    };
    let done = confirm(&pool, with_session, &lookup, at(60));
    let Reply::ConfirmSignUp {
        session: Some(sign_in),
    } = done.reply
    else {
        panic!("a sign-in session is minted: {:?}", done.reply);
    };
    assert!((20..=2048).contains(&sign_in.as_str().len()));
    // A sign-in session is bound to the user's `sub`, a sign-up session to its username.
    let verify = |purpose, user| {
        Session::verify(
            &pool.keys,
            sign_in.as_str(),
            purpose,
            user,
            CLIENT_ID,
            at(60),
        )
    };
    let verified = verify(SessionPurpose::SignIn, SUB).unwrap();
    assert_eq!(verified.expires_at, at(60 + 180));
    assert_eq!(verified.nonce, [3; 16]);
    // Single-purpose: the sign-in session is no sign-up session.
    assert_eq!(
        verify(SessionPurpose::ConfirmSignUp, USERNAME),
        Err(confirmation_flow::cognito::SessionError::Invalid)
    );
}

#[test]
fn a_forged_or_foreign_session_does_not_stop_the_confirmation_but_mints_nothing() {
    let fixture = Fixture::new();
    let (lookup, code) = alice(&fixture, false);
    let for_bob = Session::mint(
        &fixture.key,
        SessionPurpose::ConfirmSignUp,
        "bob",
        CLIENT_ID,
        T0,
        core::time::Duration::from_secs(600),
        &[1; 16],
    );
    for token in [for_bob.as_str().to_owned(), "x".repeat(40)] {
        let with_session = ConfirmSignUp {
            session: Some(&token),
            ..request(code.as_str())
        };
        let done = confirm(&fixture.pool(), with_session, &lookup, at(60));
        assert!(matches!(done.reply, Reply::ConfirmSignUp { session: None }));
        assert_eq!(written(&done).status(), Status::Confirmed);
    }
}

#[test]
fn the_replaced_code_after_a_resend_is_expired_code() {
    let fixture = Fixture::new();
    let (mut lookup, old) = alice(&fixture, false);
    let mut user = lookup.user.unwrap();
    let (state, _new) = user
        .confirmation
        .reissue(
            &fixture.policy,
            &fixture.key,
            SUB.as_bytes(),
            at(30),
            &entropy(5),
        )
        .unwrap();
    user.confirmation = state;
    lookup.user = Some(user);
    let outcome = confirm(&fixture.pool(), request(old.as_str()), &lookup, at(60));
    assert_eq!(refused(&outcome).name(), "ExpiredCodeException");
}

/// An outcome's `Debug` shows its write and nothing of what only `applied()` gives: a log
/// line written before the write is stored cannot carry the answer.
#[test]
fn an_outcomes_debug_shows_the_write_and_not_the_reply() {
    let fixture = Fixture::new();
    let (lookup, code) = alice(&fixture, false);
    let pool = fixture.pool();
    let operation =
        confirmation_flow::cognito::Operation::from(request(code.as_str()).validate().unwrap());
    let outcome = operation
        .needs(&pool)
        .decide(&lookup, &crate::cognito_fixtures::fresh(at(60)));
    let shown = format!("{outcome:?}");
    assert!(
        shown.starts_with("Outcome { write: Some(Write {"),
        "{shown}"
    );
    assert!(shown.ends_with(", .. }"), "{shown}");
    assert!(
        !shown.contains("reply") && !shown.contains("ConfirmSignUp"),
        "{shown}"
    );
    assert!(!shown.contains("PostConfirmation"), "{shown}");
}
