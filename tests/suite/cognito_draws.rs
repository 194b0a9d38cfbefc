//! `Operation::draws` is exact: every decision reads the `Fresh` values it names, and none
//! it does not name (so a caller may leave those zero and never ask its CSPRNG for them).
//!
//! Invariant, per operation and per situation (user found or not, hidden or not, a session
//! or not): changing a value `draws` leaves out changes nothing in the outcome; changing a
//! value it names changes the outcome (the control that the comparison sees it).

use confirmation_flow::Confirmation;
use confirmation_flow::cognito::{
    AdminConfirmSignUp, After, ConfirmSignUp, Draws, Fresh, Lookup, Operation, Outcome, Reply,
    ResendConfirmationCode, Session, SessionPurpose, SignUp, UserAttributes,
};

use crate::{
    cognito_fixtures::{ATTRIBUTES, CLIENT_ID, Fixture, NEW_SUB, POOL_ID, USERNAME, found},
    common::{T0, at, entropy},
};

/// Everything an outcome says: its parts as `Debug` shows them, and what `Debug` redacts —
/// the state written (its tag), the code delivered, the session minted.
fn seen(outcome: Outcome<'_>) -> (String, Option<Confirmation>, String, String) {
    let write = outcome.write().copied();
    let (reply, after) = outcome.applied();
    let session = match &reply {
        Reply::ConfirmSignUp {
            session: Some(session),
        }
        | Reply::SignUp {
            session: Some(session),
            ..
        } => session.as_str().to_owned(),
        _ => String::new(),
    };
    let code = match &after {
        After::Deliver(delivery) => delivery.code.as_str().to_owned(),
        After::Nothing | After::PostConfirmation(_) | After::SignIn(_) => String::new(),
    };
    let shown = format!("{write:?} {reply:?} {after:?}");
    (shown, write.map(|write| write.state), code, session)
}

/// `base` with each value `which` selects replaced by another.
fn changed(base: Fresh<'static>, which: Draws) -> Fresh<'static> {
    Fresh {
        now: base.now,
        entropy: if which.entropy {
            entropy(999)
        } else {
            base.entropy
        },
        nonce: if which.nonce { [0xEE; 16] } else { base.nonce },
        new_subject: if which.subject {
            "ffffffff-ffff-4fff-bfff-ffffffffffff"
        } else {
            base.new_subject
        },
    }
}

/// Checks the invariant for `operation` on `lookup`; `succeeds`: the decision goes through
/// (a refusal need not read what its operation draws, so the control applies only then).
fn check(
    fixture: &Fixture,
    operation: Operation<'_>,
    lookup: &Lookup<'_>,
    succeeds: bool,
    what: &str,
) {
    let pool = fixture.pool();
    let needs = operation.needs(&pool);
    let draws = operation.draws();
    let base = Fresh {
        now: at(60),
        entropy: entropy(1),
        nonce: [3; 16],
        new_subject: NEW_SUB,
    };
    let decided = seen(needs.decide(lookup, &base));
    let undrawn = Draws {
        entropy: !draws.entropy,
        nonce: !draws.nonce,
        subject: !draws.subject,
    };
    let other = seen(needs.decide(lookup, &changed(base, undrawn)));
    assert_eq!(decided, other, "{what}: reads a value `draws` leaves out");
    for (drawn, one) in [
        (
            draws.entropy,
            Draws {
                entropy: true,
                nonce: false,
                subject: false,
            },
        ),
        (
            draws.nonce,
            Draws {
                entropy: false,
                nonce: true,
                subject: false,
            },
        ),
        (
            draws.subject,
            Draws {
                entropy: false,
                nonce: false,
                subject: true,
            },
        ),
    ] {
        if drawn && succeeds {
            let other = seen(needs.decide(lookup, &changed(base, one)));
            assert_ne!(decided, other, "{what}: {one:?} is drawn but not read");
        }
    }
}

/// Alice found by a client that does not hide unknown users, and her code.
fn with_alice(fixture: &Fixture) -> (Lookup<'static>, confirmation_flow::Code) {
    let (alice, code) = fixture.alice();
    (found(Fixture::public_client(false), Some(alice)), code)
}

/// Nobody found, by a client that hides unknown users (`hide`) or not.
fn nobody(hide: bool) -> Lookup<'static> {
    found(Fixture::public_client(hide), None)
}

#[test]
fn sign_up_reads_entropy_a_subject_and_a_nonce() {
    let fixture = Fixture::new();
    let (with_alice, _) = with_alice(&fixture);
    let sign_up = SignUp {
        client_id: CLIENT_ID,
        username: USERNAME,
        password: Some("Passw0rd!"),
        user_attributes: Some(UserAttributes::new(ATTRIBUTES)),
        ..SignUp::default()
    };
    let sign_up = Operation::from(sign_up.validate().unwrap());
    check(
        &fixture,
        sign_up,
        &nobody(false),
        true,
        "SignUp, a new user",
    );
    check(
        &fixture,
        sign_up,
        &with_alice,
        false,
        "SignUp, a taken name",
    );
}

#[test]
fn confirm_sign_up_reads_a_nonce_only_with_a_session() {
    let fixture = Fixture::new();
    let (with_alice, code) = with_alice(&fixture);
    let confirm = |code| ConfirmSignUp {
        client_id: CLIENT_ID,
        username: USERNAME,
        confirmation_code: code,
        ..ConfirmSignUp::default()
    };
    let right = Operation::from(confirm(code.as_str()).validate().unwrap());
    check(
        &fixture,
        right,
        &with_alice,
        true,
        "ConfirmSignUp, the right code",
    );
    let wrong = Operation::from(confirm("000000").validate().unwrap());
    check(
        &fixture,
        wrong,
        &with_alice,
        false,
        "ConfirmSignUp, a wrong code",
    );
    check(
        &fixture,
        wrong,
        &nobody(true),
        false,
        "ConfirmSignUp, an unknown user, hidden",
    );
    let session = Session::mint(
        &fixture.key,
        SessionPurpose::ConfirmSignUp,
        USERNAME,
        CLIENT_ID,
        T0,
        core::time::Duration::from_secs(600),
        &[1; 16],
    );
    let with_session = ConfirmSignUp {
        session: Some(session.as_str()),
        ..confirm(code.as_str())
    };
    let with_session = Operation::from(with_session.validate().unwrap());
    check(
        &fixture,
        with_session,
        &with_alice,
        true,
        "ConfirmSignUp with a Session",
    );
}

#[test]
fn resend_reads_entropy_and_admin_confirm_reads_nothing_drawn() {
    let fixture = Fixture::new();
    let (with_alice, _) = with_alice(&fixture);
    let resend = ResendConfirmationCode {
        client_id: CLIENT_ID,
        username: USERNAME,
        ..ResendConfirmationCode::default()
    };
    let resend = Operation::from(resend.validate().unwrap());
    check(
        &fixture,
        resend,
        &with_alice,
        true,
        "ResendConfirmationCode",
    );
    check(
        &fixture,
        resend,
        &nobody(true),
        true,
        "ResendConfirmationCode, an unknown user, hidden",
    );

    let admin = AdminConfirmSignUp {
        user_pool_id: POOL_ID,
        username: USERNAME,
        ..AdminConfirmSignUp::default()
    };
    let admin = Operation::from(admin.validate().unwrap());
    let (alice, _) = fixture.alice();
    let as_admin = Lookup {
        user: Some(alice),
        ..Lookup::default()
    };
    check(&fixture, admin, &as_admin, true, "AdminConfirmSignUp");
}
