//! The sign-up session chain as the service runs it (DESIGN §8): `SignUp` from a client that
//! allows `USER_AUTH` answers with a `Session`; `ConfirmSignUp` with it and the right code
//! answers with a sign-in `Session`, for that user and client, living the client's
//! `AuthSessionValidity` (so does one without a `Session`, as Amplify JS sends it; one with
//! a session that does not verify hands out none). A wrong code in between does not spoil it (the mobile SDKs dropped
//! it there in 2025, amplify-android #3136); a client without `USER_AUTH` hands out neither.
//! The sign-in session then signs the user in once: the confirmed state holds its grant,
//! and the sign-in spends it in a write with compare-and-swap.

use core::time::Duration;

use confirmation_flow::{
    Confirmation, StateError, StoredState, Timestamp,
    cognito::{
        After, AppClient, ConfirmSignUp, Exception, Expected, Pool, Reply, Session, SessionError,
        SessionPurpose, SessionSignIn, SignUp, UserAttributes, UserRecord, UserStatus,
        VerifiedSession,
    },
};

use crate::{
    cognito_fixtures::{CLIENT_ID, Fixture, NEW_SUB, Settled, decide, found},
    common::at,
};

const BOB: &str = "bob";
const ATTRIBUTES: &[(&str, &str)] = &[("email", "bob@example.com")];
/// The client's `AuthSessionValidity`: 7 minutes.
const VALIDITY: Duration = Duration::from_secs(7 * 60);

/// A client without a secret that allows `USER_AUTH` (`sessions`) or not.
fn client(sessions: Option<Duration>) -> AppClient<'static> {
    AppClient {
        auth_sessions: sessions,
        ..Fixture::public_client(false)
    }
}

/// Bob signs up through `client` at `at(0)`: the outcome, and Bob as the store then has him.
fn sign_up<'a>(pool: &Pool<'a>, client: AppClient<'a>) -> (Settled<'a>, UserRecord<'a>) {
    let request = SignUp {
        client_id: CLIENT_ID,
        username: BOB,
        password: Some("Passw0rd!"),
        user_attributes: Some(UserAttributes::new(ATTRIBUTES)),
        ..SignUp::default()
    };
    let done = decide(
        pool,
        request.validate().unwrap(),
        &found(client, None),
        at(0),
    );
    let state = done.write.expect("the user is inserted").state;
    let bob = UserRecord {
        username: BOB,
        subject: NEW_SUB,
        status: UserStatus::Unconfirmed,
        confirmation: state,
        email: Some("bob@example.com"),
        phone_number: None,
        attributes: ATTRIBUTES,
    };
    (done, bob)
}

/// The code a `SignUp` outcome delivers.
fn code(done: &Settled<'_>) -> String {
    match &done.after {
        After::Deliver(delivery) => delivery.code.as_str().to_owned(),
        other => panic!("a code is delivered: {other:?}"),
    }
}

fn sign_up_session(done: &Settled<'_>) -> Option<String> {
    match &done.reply {
        Reply::SignUp { session, .. } => session.as_ref().map(|s| s.as_str().to_owned()),
        other => panic!("{other:?}"),
    }
}

/// The sign-in session a `ConfirmSignUp` outcome answers with (none for a refusal).
fn sign_in_session(done: &Settled<'_>) -> Option<String> {
    match &done.reply {
        Reply::ConfirmSignUp { session } => session.as_ref().map(|s| s.as_str().to_owned()),
        Reply::Exception(_) => None,
        other => panic!("{other:?}"),
    }
}

/// `ConfirmSignUp` for Bob with `code` and `session` at `now`.
fn confirm<'a>(
    pool: &Pool<'a>,
    client: AppClient<'a>,
    bob: UserRecord<'a>,
    code: &'a str,
    session: Option<&'a str>,
    now: Timestamp,
) -> Settled<'a> {
    let request = ConfirmSignUp {
        client_id: CLIENT_ID,
        username: BOB,
        confirmation_code: code,
        session,
        ..ConfirmSignUp::default()
    };
    decide(
        pool,
        request.validate().unwrap(),
        &found(client, Some(bob)),
        now,
    )
}

fn verify(
    pool: &Pool<'_>,
    token: &str,
    purpose: SessionPurpose,
    user: &str,
    now: Timestamp,
) -> Result<VerifiedSession, SessionError> {
    Session::verify(&pool.keys, token, purpose, user, CLIENT_ID, now)
}

#[test]
fn sign_up_hands_out_a_session_for_confirm_sign_up_living_the_clients_validity() {
    let fixture = Fixture::new();
    let pool = fixture.pool();
    let (done, _) = sign_up(&pool, client(Some(VALIDITY)));
    let token = sign_up_session(&done).expect("a session");
    let purpose = SessionPurpose::ConfirmSignUp;
    let verified = verify(&pool, &token, purpose, BOB, at(0)).unwrap();
    assert_eq!(verified.expires_at, at(7 * 60));
    // Bound to its purpose and its user.
    let sign_in = SessionPurpose::SignIn;
    assert_eq!(
        verify(&pool, &token, sign_in, BOB, at(0)),
        Err(SessionError::Invalid)
    );
    assert_eq!(
        verify(&pool, &token, purpose, "alice", at(0)),
        Err(SessionError::Invalid)
    );
}

#[test]
fn a_client_without_user_auth_hands_out_no_session() {
    let fixture = Fixture::new();
    let pool = fixture.pool();
    let (done, bob) = sign_up(&pool, client(None));
    assert_eq!(sign_up_session(&done), None);
    // Nor does ConfirmSignUp, even with a session the client handed out before its
    // settings changed: the user is confirmed all the same.
    let (with_sessions, _) = sign_up(&pool, client(Some(VALIDITY)));
    let token = sign_up_session(&with_sessions).unwrap();
    let code = code(&done);
    let confirmed = confirm(&pool, client(None), bob, &code, Some(&token), at(60));
    assert_eq!(sign_in_session(&confirmed), None);
    let write = confirmed.write.expect("confirmed");
    assert_eq!(write.status, Some(UserStatus::Confirmed));
}

#[test]
fn confirming_with_the_session_hands_out_a_sign_in_session_even_after_a_wrong_code() {
    let fixture = Fixture::new();
    let pool = fixture.pool();
    let with_sessions = client(Some(VALIDITY));
    let (done, bob) = sign_up(&pool, with_sessions);
    let token = sign_up_session(&done).unwrap();
    let code = code(&done);
    // A wrong code first, with the session: refused, the attempt counted.
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let refused = confirm(&pool, with_sessions, bob, wrong, Some(&token), at(30));
    assert_eq!(
        refused.reply.exception().map(Exception::name),
        Some("CodeMismatchException")
    );
    assert_eq!(sign_in_session(&refused), None);
    let counted = UserRecord {
        confirmation: refused.write.expect("the attempt is counted").state,
        ..bob
    };
    // Then the right code with the same session.
    let confirmed = confirm(&pool, with_sessions, counted, &code, Some(&token), at(60));
    let sign_in = sign_in_session(&confirmed).expect("a sign-in session");
    let verified = verify(&pool, &sign_in, SessionPurpose::SignIn, NEW_SUB, at(60)).unwrap();
    assert_eq!(verified.expires_at, at(60 + 7 * 60));
    assert_eq!(
        verify(
            &pool,
            &sign_in,
            SessionPurpose::SignIn,
            NEW_SUB,
            at(60 + 7 * 60)
        ),
        Err(SessionError::Expired)
    );
}

#[test]
fn confirming_without_the_sign_up_session_hands_out_a_sign_in_session_as_amplify_js_expects() {
    let fixture = Fixture::new();
    let pool = fixture.pool();
    let with_sessions = client(Some(VALIDITY));
    let (done, bob) = sign_up(&pool, with_sessions);
    let code = code(&done);
    let confirmed = confirm(&pool, with_sessions, bob, &code, None, at(60));
    let sign_in = sign_in_session(&confirmed).expect("a sign-in session");
    let verified = verify(&pool, &sign_in, SessionPurpose::SignIn, NEW_SUB, at(60)).unwrap();
    let grant = confirmed
        .write
        .unwrap()
        .state
        .sign_in_grant(at(60))
        .unwrap();
    assert_eq!(
        (grant.nonce(), grant.until()),
        (verified.nonce, verified.expires_at)
    );
}

#[test]
fn an_expired_sign_up_session_confirms_but_hands_out_nothing() {
    let fixture = Fixture::new();
    let pool = fixture.pool();
    let with_sessions = client(Some(VALIDITY));
    let (done, bob) = sign_up(&pool, with_sessions);
    let token = sign_up_session(&done).unwrap();
    let code = code(&done);
    let late = confirm(&pool, with_sessions, bob, &code, Some(&token), at(7 * 60));
    assert_eq!(sign_in_session(&late), None);
    assert_eq!(late.write.unwrap().status, Some(UserStatus::Confirmed));
}

/// Bob confirmed through `client` with his sign-up session: the sign-in session, and Bob as
/// the store then has him.
fn confirmed<'a>(pool: &Pool<'a>, client: AppClient<'a>) -> (String, UserRecord<'a>) {
    let (done, bob) = sign_up(pool, client);
    let token = sign_up_session(&done).unwrap();
    let code = code(&done);
    let confirmed = confirm(pool, client, bob, &code, Some(&token), at(60));
    let sign_in = sign_in_session(&confirmed).expect("a sign-in session");
    let bob = UserRecord {
        status: UserStatus::Confirmed,
        confirmation: confirmed.write.unwrap().state,
        ..bob
    };
    (sign_in, bob)
}

/// `InitiateAuth` with `USER_AUTH`, `username` and `session` for `user` at `now`.
fn sign_in<'a>(
    pool: &Pool<'a>,
    client: AppClient<'a>,
    user: Option<UserRecord<'a>>,
    username: &'a str,
    session: &'a str,
    now: Timestamp,
) -> Settled<'a> {
    let request = SessionSignIn {
        client_id: CLIENT_ID,
        secret_hash: None,
        username,
        session,
    };
    decide(pool, request.validate().unwrap(), &found(client, user), now)
}

fn refused_with(done: &Settled<'_>, name: &str, message: &str) {
    let exception = done.reply.exception().expect("refused");
    assert_eq!(
        (exception.name(), exception.to_string().as_str()),
        (name, message)
    );
    assert!(done.write.is_none(), "a refusal changes nothing");
}

#[test]
fn the_sign_in_session_signs_in_once_by_spending_the_grant_with_compare_and_swap() {
    let fixture = Fixture::new();
    let pool = fixture.pool();
    let with_sessions = client(Some(VALIDITY));
    let (session, bob) = confirmed(&pool, with_sessions);
    assert!(bob.confirmation.sign_in_grant(at(60)).is_some());
    let done = sign_in(&pool, with_sessions, Some(bob), BOB, &session, at(120));
    let write = done.write.expect("the grant is spent in a write");
    assert_eq!(
        write.expected,
        Expected::Version(bob.confirmation.version())
    );
    assert_eq!(write.state.version(), bob.confirmation.version() + 1);
    assert_eq!(
        (write.status, write.verify, write.alias),
        (None, None, None)
    );
    assert_eq!(write.state.sign_in_grant(at(120)), None);
    assert!(matches!(done.reply, Reply::SignedIn));
    let After::SignIn(signed_in) = done.after else {
        panic!("tokens follow: {:?}", done.after);
    };
    assert_eq!(
        (signed_in.username, signed_in.subject, signed_in.client_id),
        (BOB, NEW_SUB, CLIENT_ID)
    );
    // The state it wrote does not let the same session in again.
    let spent = UserRecord {
        confirmation: write.state,
        ..bob
    };
    let again = sign_in(&pool, with_sessions, Some(spent), BOB, &session, at(121));
    refused_with(
        &again,
        "NotAuthorizedException",
        "Invalid session for the user.",
    );
}

#[test]
fn a_session_past_its_deadline_another_users_or_without_a_grant_does_not_sign_in() {
    let fixture = Fixture::new();
    let pool = fixture.pool();
    let with_sessions = client(Some(VALIDITY));
    let (session, bob) = confirmed(&pool, with_sessions);
    let invalid = |done: &Settled<'_>| {
        refused_with(
            done,
            "NotAuthorizedException",
            "Invalid session for the user.",
        );
    };
    // At its deadline (confirmed at 60, 7 minutes).
    invalid(&sign_in(
        &pool,
        with_sessions,
        Some(bob),
        BOB,
        &session,
        at(60 + 7 * 60),
    ));
    // Named for another user, or for a user that does not exist.
    let alice = UserRecord {
        username: "alice",
        subject: "5d3c0b6e-2f4a-4e1d-9c8b-7a6f5e4d3c2b",
        ..bob
    };
    invalid(&sign_in(
        &pool,
        with_sessions,
        Some(alice),
        "alice",
        &session,
        at(120),
    ));
    invalid(&sign_in(&pool, with_sessions, None, BOB, &session, at(120)));
    // Garbage.
    let garbage = "x".repeat(82);
    invalid(&sign_in(
        &pool,
        with_sessions,
        Some(bob),
        BOB,
        &garbage,
        at(120),
    ));
    // A session with a good MAC, for Bob, but no grant behind it (minted with the key, not
    // handed out by a confirmation): the MAC alone does not sign in.
    let minted = Session::mint(
        &fixture.key,
        SessionPurpose::SignIn,
        NEW_SUB,
        CLIENT_ID,
        at(60),
        VALIDITY,
        &[9; 16],
    );
    invalid(&sign_in(
        &pool,
        with_sessions,
        Some(bob),
        BOB,
        minted.as_str(),
        at(120),
    ));
}

#[test]
fn a_client_without_user_auth_refuses_the_flow_by_name() {
    let fixture = Fixture::new();
    let pool = fixture.pool();
    let (session, bob) = confirmed(&pool, client(Some(VALIDITY)));
    let done = sign_in(&pool, client(None), Some(bob), BOB, &session, at(120));
    refused_with(
        &done,
        "InvalidParameterException",
        "USER_AUTH flow not enabled for this client",
    );
}

#[test]
fn a_grant_survives_the_stored_form_and_is_refused_on_a_state_not_confirmed() {
    let fixture = Fixture::new();
    let pool = fixture.pool();
    let (_, bob) = confirmed(&pool, client(Some(VALIDITY)));
    let stored = StoredState::from(bob.confirmation);
    let grant = stored.sign_in_grant.clone().expect("stored with its grant");
    assert_eq!(
        (grant.nonce.len(), grant.until),
        (32, at(60 + 7 * 60).as_unix_seconds())
    );
    assert!(
        !format!("{stored:?}").contains(grant.nonce.as_str()),
        "the nonce is redacted"
    );
    assert_eq!(Confirmation::try_from(stored.clone()), Ok(bob.confirmation));
    // A state that is not confirmed cannot carry a grant.
    let (pending, _) = sign_up(&pool, client(Some(VALIDITY)));
    let forged = StoredState {
        sign_in_grant: Some(grant),
        ..StoredState::from(pending.write.unwrap().state)
    };
    assert_eq!(
        Confirmation::try_from(forged),
        Err(StateError::StatusInconsistent)
    );
}

#[test]
fn a_stored_grant_outliving_any_session_is_refused_and_debug_hides_the_nonce() {
    let fixture = Fixture::new();
    let pool = fixture.pool();
    let (_, bob) = confirmed(&pool, client(Some(VALIDITY)));
    let shown = format!("{:?}", bob.confirmation);
    let nonce = StoredState::from(bob.confirmation)
        .sign_in_grant
        .unwrap()
        .nonce;
    assert!(
        !shown.contains(nonce.as_str()) && shown.contains("SignInGrant"),
        "{shown}"
    );
    // Sixteen minutes after the confirmation: no session lives that long.
    let stored = StoredState::from(bob.confirmation);
    let long = StoredState {
        sign_in_grant: stored
            .sign_in_grant
            .clone()
            .map(|grant| confirmation_flow::StoredGrant {
                until: stored.last_changed_at + 16 * 60,
                ..grant
            }),
        ..stored
    };
    assert_eq!(Confirmation::try_from(long), Err(StateError::GrantTooLong));
}

#[test]
fn a_password_change_revokes_the_grant_and_moves_the_version() {
    let fixture = Fixture::new();
    let pool = fixture.pool();
    let with_sessions = client(Some(VALIDITY));
    let (session, bob) = confirmed(&pool, with_sessions);
    let changed = bob
        .confirmation
        .password_changed(pool.policy, at(90))
        .expect("a password change is never refused short of the version's end");
    assert_eq!(changed.version(), bob.confirmation.version() + 1);
    assert_eq!(changed.status(), confirmation_flow::Status::Confirmed);
    assert_eq!(changed.sign_in_grant(at(90)), None, "the grant is revoked");
    // A redemption decided on the state before the change expects its old version: a
    // store's compare-and-swap refuses it, and decided again the session is refused.
    let stale = sign_in(&pool, with_sessions, Some(bob), BOB, &session, at(120));
    let write = stale.write.expect("decided on the old state, it writes");
    assert_ne!(write.expected, Expected::Version(changed.version()));
    let after = UserRecord {
        confirmation: changed,
        ..bob
    };
    let again = sign_in(&pool, with_sessions, Some(after), BOB, &session, at(120));
    refused_with(
        &again,
        "NotAuthorizedException",
        "Invalid session for the user.",
    );
}

#[test]
fn a_password_change_confirms_a_pending_state_so_its_code_confirms_nothing() {
    let fixture = Fixture::new();
    let pool = fixture.pool();
    let (done, bob) = sign_up(&pool, client(None));
    let pending = bob.confirmation;
    let changed = pending.password_changed(pool.policy, at(30)).unwrap();
    assert_eq!(changed.version(), pending.version() + 1);
    assert_eq!(changed.status(), confirmation_flow::Status::Confirmed);
    let late = changed.submit(
        pool.policy,
        &fixture.key,
        NEW_SUB.as_bytes(),
        &code(&done),
        at(60),
    );
    assert_eq!(
        late.outcome,
        Err(confirmation_flow::Refusal::AlreadyConfirmed)
    );
}
