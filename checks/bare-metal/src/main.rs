//! A bare-metal binary with **no global allocator** that links every kind of operation of
//! the public API. If anything in the crate (or its dependencies, with feature `serde`)
//! needed the heap, linking would fail with "no global memory allocator found".
#![no_std]
#![no_main]

use core::{hint::black_box, panic::PanicInfo, time::Duration};

use confirmation_flow::{
    Confirmation, KeyId, KeyRing, Policy, ServerKey, StoredState, Timestamp,
    cognito::{
        AppClient, AttributeSet, ClientSecret, ConfirmSignUp, Fresh, Lookup, Operation, Pool,
        Session, SessionPurpose, SignUp, UserAttributes, UserRecord, UserStatus,
    },
};

#[panic_handler]
fn panic(_: &PanicInfo<'_>) -> ! {
    loop {}
}

fn exercise() -> Option<bool> {
    let policy = Policy::COGNITO;
    let key = ServerKey::new(KeyId(1), &black_box([7; 32]));
    let now = Timestamp::from_unix_seconds(black_box(1_700_000_000));
    let (state, _first) =
        Confirmation::issue(&policy, &key, b"sub", now, &black_box([1; 32])).ok()?;
    let wrong = state.submit(&policy, &key, b"sub", "000000", now);
    let (state, code) = wrong
        .state
        .reissue(&policy, &key, b"sub", now, &black_box([2; 32]))
        .ok()?;
    let reloaded = Confirmation::try_from(StoredState::from(state)).ok()?;
    let secret = ClientSecret::new("s3cr3t");
    let hash = secret.compute("alice", "client");
    let pool = Pool {
        region: "us-east-1",
        user_pool_id: "us-east-1_EXAMPLE",
        policy: &policy,
        keys: KeyRing::single(&key),
        auto_verified: AttributeSet::BOTH,
        aliases: AttributeSet::EMAIL,
    };
    let session = Session::mint(
        &key,
        SessionPurpose::ConfirmSignUp,
        "alice",
        "client",
        now,
        Duration::from_secs(60),
        &[3; 16],
    );
    let client = AppClient {
        client_id: "client",
        secret: Some(&secret),
        prevent_user_existence_errors: true,
        auth_sessions: Some(Duration::from_secs(180)),
    };
    let fresh = Fresh {
        now,
        entropy: black_box([4; 32]),
        nonce: [4; 16],
        new_subject: "new-sub",
    };
    let attributes = [("email", "b@example.com")];
    let bob_hash = secret.compute("bob", "client");
    let sign_up = Operation::from(
        SignUp {
            client_id: "client",
            secret_hash: Some(bob_hash.as_str()),
            username: "bob",
            user_attributes: Some(UserAttributes::new(&attributes)),
            ..SignUp::default()
        }
        .validate()
        .ok()?,
    );
    let unknown = Lookup {
        client: Some(client),
        ..Lookup::default()
    };
    sign_up.needs(&pool).decide(&unknown, &fresh).write()?;
    let confirm = Operation::from(
        ConfirmSignUp {
            client_id: "client",
            secret_hash: Some(hash.as_str()),
            username: "alice",
            confirmation_code: code.as_str(),
            session: Some(session.as_str()),
            ..ConfirmSignUp::default()
        }
        .validate()
        .ok()?,
    );
    let known = Lookup {
        user: Some(UserRecord {
            username: "alice",
            subject: "sub",
            status: UserStatus::Unconfirmed,
            confirmation: reloaded,
            email: Some("a@example.com"),
            phone_number: None,
            attributes: &[],
        }),
        ..unknown
    };
    let needs = confirm.needs(&pool);
    let done = *needs.decide(&known, &fresh).write()?;
    Some(
        done.state.admin_confirm(&policy, now).is_err()
            && needs.decide(&unknown, &fresh).write().is_some(),
    )
}

/// The entry point: run the API once, then idle.
#[unsafe(no_mangle)]
pub extern "C" fn _start() -> ! {
    black_box(exercise());
    loop {}
}
