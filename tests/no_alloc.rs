//! No operation of the crate touches the heap. A counting `#[global_allocator]` wraps the
//! system allocator for this test binary only and counts, per thread, every allocation.
#![allow(
    unsafe_code,
    reason = "a GlobalAlloc impl is unsafe by definition; this one only forwards to System"
)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::panic,
    clippy::too_many_lines,
    reason = "tests fail loudly; the no-panic rules guard the library, not its tests"
)]

#[path = "suite/common.rs"]
mod common;

use core::{
    alloc::{GlobalAlloc, Layout},
    cell::Cell,
    fmt::Write as _,
};
use std::alloc::System;

use common::{SUBJECT, T0, at, entropy, key, rotated_key};
use confirmation_flow::{Code, Confirmation, Policy, PolicyConfig, StoredState};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count_one() {
    // `try_with` because the allocator also runs while thread-locals are torn down.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: forwarded as received.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: forwarded as received.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded as received.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_one();
        // SAFETY: forwarded as received.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// How many allocations `work` made on this thread.
fn allocations_during(work: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    work();
    ALLOCATIONS.with(Cell::get) - before
}

#[test]
fn the_counter_sees_an_allocation() {
    // The control: without it, a broken counter would make every other test pass.
    let n = allocations_during(|| drop(core::hint::black_box(vec![1_u8; 10])));
    assert!(n >= 1);
}

#[test]
fn no_operation_allocates() {
    // Fixtures are built outside the measured region (the test harness allocates).
    let policy = Policy::COGNITO;
    let (key, rotated, seeds) = (key(), rotated_key(), [entropy(0), entropy(1), [0xff; 32]]);
    let n = allocations_during(|| {
        let strict = Policy::new(PolicyConfig {
            attempts_per_code: 2,
            ..PolicyConfig::COGNITO
        })
        .unwrap();
        let code = Code::generate(&strict, &seeds[1]).unwrap();
        assert!(Code::generate(&policy, &seeds[2]).is_err());
        let (state, first) = Confirmation::issue(&policy, &key, SUBJECT, T0, &seeds[0]).unwrap();
        let wrong = state.submit(&policy, &key, SUBJECT, code.as_str(), at(1));
        let rotated_refusal = wrong
            .state
            .submit(&policy, &rotated, SUBJECT, first.as_str(), at(2));
        let right = rotated_refusal
            .state
            .submit(&policy, &key, SUBJECT, first.as_str(), at(3));
        assert!(right.is_confirmed());
        let (again, _) = wrong
            .state
            .reissue(&policy, &rotated, SUBJECT, at(4), &seeds[1])
            .unwrap();
        let _ = again.status_at(at(86_400 * 2));
        let confirmed = again.admin_confirm(&policy, at(5)).unwrap();
        let stored = StoredState::from(confirmed);
        let loaded = Confirmation::try_from(stored).unwrap();
        assert_eq!(loaded, confirmed);
        let mut text = heapless::String::<128>::new();
        write!(text, "{} {}", wrong.outcome.unwrap_err(), loaded.status()).unwrap();
    });
    assert_eq!(n, 0);
}

#[test]
fn every_cognito_decision_allocates_nothing() {
    use confirmation_flow::{
        KeyRing,
        cognito::{
            AdminConfirmSignUp, AppClient, AttributeSet, ClientSecret, ConfirmSignUp, Fresh,
            Lookup, Operation, Pool, ResendConfirmationCode, Session, SessionPurpose, SignUp,
            UserAttributes, UserRecord, UserStatus,
        },
    };
    const SUB: &str = "8f4c2e1a-0b3d-4c5e-9f6a-7b8c9d0e1f2a";
    let (policy, key) = (Policy::COGNITO, key());
    let (state, code) =
        Confirmation::issue(&policy, &key, SUB.as_bytes(), T0, &entropy(0)).unwrap();
    let secret = ClientSecret::new("s3cr3t");
    let hash = secret.compute("alice", "client1");
    let attributes = [("email", "alice@example.com")];
    let n = allocations_during(|| {
        let pool = Pool {
            region: "us-east-1",
            user_pool_id: "us-east-1_EXAMPLE",
            policy: &policy,
            keys: KeyRing::single(&key),
            auto_verified: AttributeSet::BOTH,
            aliases: AttributeSet::EMAIL,
        };
        let client = AppClient {
            client_id: "client1",
            secret: Some(&secret),
            prevent_user_existence_errors: true,
            auth_sessions: Some(core::time::Duration::from_secs(180)),
        };
        let user = UserRecord {
            username: "alice",
            subject: SUB,
            status: UserStatus::Unconfirmed,
            confirmation: state,
            email: Some("alice@example.com"),
            phone_number: None,
            attributes: &attributes,
        };
        let fresh = Fresh {
            now: at(1),
            entropy: entropy(3),
            nonce: [2; 16],
            new_subject: "0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b",
        };
        let session = Session::mint(
            &key,
            SessionPurpose::ConfirmSignUp,
            "alice",
            "client1",
            T0,
            core::time::Duration::from_secs(60),
            &[1; 16],
        );
        let request = ConfirmSignUp {
            client_id: "client1",
            secret_hash: Some(hash.as_str()),
            username: "alice",
            confirmation_code: code.as_str(),
            session: Some(session.as_str()),
            ..ConfirmSignUp::default()
        };
        let invalid = ConfirmSignUp {
            confirmation_code: "1 2",
            ..request
        };
        let mut text = heapless::String::<512>::new();
        write!(text, "{}", invalid.validate().unwrap_err()).unwrap();
        let confirm = Operation::from(request.validate().unwrap());
        let needs = confirm.needs(&pool);
        // An unknown user seen for the first time, then its stored phantom, then the user.
        let unknown = Lookup {
            client: Some(client),
            ..Lookup::default()
        };
        let first = needs.decide(&unknown, &fresh);
        let phantom = first.write().map(|write| write.state);
        assert!(first.applied().0.exception().is_some());
        let stored = Lookup { phantom, ..unknown };
        assert!(
            needs
                .decide(&stored, &fresh)
                .applied()
                .0
                .exception()
                .is_some()
        );
        let known = Lookup {
            user: Some(user),
            ..unknown
        };
        let done = needs.decide(&known, &fresh);
        assert!(done.applied().0.exception().is_none());
        let resend = Operation::from(
            ResendConfirmationCode {
                client_id: "client1",
                secret_hash: Some(hash.as_str()),
                username: "alice",
                ..ResendConfirmationCode::default()
            }
            .validate()
            .unwrap(),
        );
        let needs = resend.needs(&pool);
        assert!(needs.decide(&known, &fresh).write().is_some());
        assert!(needs.decide(&unknown, &fresh).write().is_some());
        let admin = Operation::from(
            AdminConfirmSignUp {
                user_pool_id: "us-east-1_EXAMPLE",
                username: "alice",
                client_metadata: None,
            }
            .validate()
            .unwrap(),
        );
        assert!(admin.needs(&pool).decide(&known, &fresh).write().is_some());
        let new_user_attributes = [
            ("email", "bob@example.com"),
            ("phone_number", "+12065551212"),
        ];
        let bob_hash = secret.compute("bob", "client1");
        let sign_up = Operation::from(
            SignUp {
                client_id: "client1",
                secret_hash: Some(bob_hash.as_str()),
                username: "bob",
                password: Some("Passw0rd!"),
                user_attributes: Some(UserAttributes::new(&new_user_attributes)),
                ..SignUp::default()
            }
            .validate()
            .unwrap(),
        );
        assert!(
            sign_up
                .needs(&pool)
                .decide(&unknown, &fresh)
                .write()
                .is_some()
        );
    });
    assert_eq!(n, 0);
}

#[cfg(feature = "serde")]
#[test]
fn serde_round_trip_allocates_nothing_in_the_crate() {
    let (state, _) =
        Confirmation::issue(&Policy::COGNITO, &key(), SUBJECT, T0, &entropy(0)).unwrap();
    let mut buffer = [0_u8; 512];
    let n = allocations_during(|| {
        let mut cursor = &mut buffer[..];
        serde_json::to_writer(&mut cursor, &state).unwrap();
        let written = 512 - cursor.len();
        let back: Confirmation = serde_json::from_slice(&buffer[..written]).unwrap();
        assert_eq!(back, state);
    });
    assert_eq!(n, 0);
}

#[cfg(all(feature = "serde", not(feature = "alloc")))]
#[test]
fn wire_bodies_decode_and_encode_without_allocating() {
    use confirmation_flow::cognito::{Body, Exception, Operation, OperationName, Reply};
    let confirm = br#"{"ClientId": "client123", "Username": "alice", "ConfirmationCode": "000000", "ClientMetadata": {"k": "v"}}"#;
    let sign_up = br#"{"ClientId": "client123", "Username": "bob", "Password": "p", "UserAttributes": [{"Name": "email", "Value": "bob@example.com"}]}"#;
    let mut buffer = [0_u8; 256];
    let n = allocations_during(|| {
        let mut json = serde_json::Deserializer::from_slice(confirm);
        let mut decoded = Body::new(OperationName::ConfirmSignUp);
        decoded.decode(&mut json).unwrap();
        let Ok(Operation::ConfirmSignUp(request)) = decoded.operation() else {
            panic!("a ConfirmSignUp");
        };
        assert_eq!(request.username, "alice");
        let mut json = serde_json::Deserializer::from_slice(sign_up);
        let mut decoded = Body::new(OperationName::SignUp);
        decoded.decode(&mut json).unwrap();
        assert!(decoded.operation().is_ok());
        let mut cursor = &mut buffer[..];
        let reply = Reply::Exception(Exception::CodeMismatch);
        serde_json::to_writer(&mut cursor, &reply.body()).unwrap();
    });
    assert_eq!(n, 0);
}
