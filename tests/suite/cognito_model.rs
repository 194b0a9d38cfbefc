//! The Cognito operations against the reference model of `model.rs`, over random sequences.
//!
//! After every request:
//! * the exception's `__type` is the one the model's outcome maps to;
//! * the user is never confirmed except by the right code or `AdminConfirmSignUp`;
//! * an alias never moves without `ForceAliasCreation`, and a held confirmation leaves the
//!   user unconfirmed;
//! * with `PreventUserExistenceErrors`, an unknown user gets exactly the answer a wrong code
//!   gets (`CodeMismatchException`, same message, nothing to store); without it,
//!   `UserNotFoundException`.

use confirmation_flow::{
    Confirmation, Refusal, Status,
    cognito::{
        AdminConfirmSignUp, ConfirmLookup, ConfirmSignUp, Exception, ResendConfirmationCode,
        UserStatus, admin_confirm_sign_up, confirm_sign_up, resend_confirmation_code,
    },
};
use proptest::prelude::*;

use crate::{
    cognito_fixtures::{CLIENT_ID, Fixture, POOL_ID, USERNAME},
    common::{T0, entropy, wrong},
    model::Model,
};

#[derive(Clone, Debug)]
enum Op {
    Confirm {
        right: bool,
        force: bool,
    },
    ConfirmUnknownUser,
    Resend(u32),
    AdminConfirm,
    /// Someone else now holds (or no longer holds) the user's email as a verified alias.
    AliasOwner(bool),
    HideUsers(bool),
    Advance(u64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        10 => (prop::bool::weighted(0.15), any::<bool>()).prop_map(|(right, force)| Op::Confirm { right, force }),
        2 => Just(Op::ConfirmUnknownUser),
        2 => any::<u32>().prop_map(Op::Resend),
        1 => Just(Op::AdminConfirm),
        2 => any::<bool>().prop_map(Op::AliasOwner),
        1 => any::<bool>().prop_map(Op::HideUsers),
        4 => (0..900_u64).prop_map(Op::Advance),
        1 => (0..2 * 86_400_u64).prop_map(Op::Advance),
    ]
}

/// The `__type` a core outcome maps to, written out here rather than borrowed from the crate.
fn expected_name(refusal: Refusal) -> &'static str {
    match refusal {
        Refusal::AlreadyConfirmed => "NotAuthorizedException",
        Refusal::RateLimited { .. } => "LimitExceededException",
        Refusal::TooManyAttempts => "TooManyFailedAttemptsException",
        Refusal::Expired => "ExpiredCodeException",
        Refusal::CodeMismatch { .. } => "CodeMismatchException",
        _ => "InternalErrorException",
    }
}

#[expect(
    clippy::too_many_lines,
    reason = "one match over the operations reads best whole"
)]
fn run(ops: &[Op]) {
    let fixture = Fixture::new();
    let pool = fixture.pool();
    let (mut user, mut code) = fixture.alice();
    let mut model = Model::issued(T0.as_unix_seconds());
    let (mut clock, mut alias_owner, mut hide) = (T0.as_unix_seconds(), None, false);
    for (step, op) in ops.iter().enumerate() {
        let now = confirmation_flow::Timestamp::from_unix_seconds(clock);
        let client = Fixture::public_client(hide);
        let before: Confirmation = user.confirmation;
        let context = format!("step {step}: {op:?}");
        match *op {
            Op::Confirm { right, force } => {
                let guess = if right {
                    code.as_str().to_owned()
                } else {
                    wrong(&code)
                };
                let request = ConfirmSignUp {
                    client_id: CLIENT_ID,
                    username: USERNAME,
                    confirmation_code: &guess,
                    force_alias_creation: force,
                    ..ConfirmSignUp::default()
                };
                let lookup = ConfirmLookup {
                    client: Some(client),
                    user: Some(user),
                    alias_owner,
                };
                let held = alias_owner.is_some() && !force;
                let expected = model.submit(right, false, !held, clock);
                match confirm_sign_up(&pool, &request, &lookup, now, &[0; 16]) {
                    Ok(done) => {
                        assert!(right && expected.is_ok() && !held, "{context}: confirmed");
                        assert_eq!(
                            done.alias_taken_from.is_some(),
                            alias_owner.is_some() && force,
                            "{context}"
                        );
                        (user.confirmation, user.status) = (done.state, UserStatus::Confirmed);
                    }
                    Err(rejection) => {
                        let name = match expected {
                            Ok(()) => "AliasExistsException",
                            Err(refusal) => expected_name(refusal),
                        };
                        assert_eq!(rejection.exception.name(), name, "{context}");
                        if let Some(state) = rejection.state {
                            assert_ne!(state.status(), Status::Confirmed, "{context}");
                            user.confirmation = state;
                        }
                    }
                }
            }
            Op::ConfirmUnknownUser => {
                let request = ConfirmSignUp {
                    client_id: CLIENT_ID,
                    username: "nobody",
                    confirmation_code: "123456",
                    ..ConfirmSignUp::default()
                };
                let lookup = ConfirmLookup {
                    client: Some(client),
                    user: None,
                    alias_owner: None,
                };
                let rejection =
                    confirm_sign_up(&pool, &request, &lookup, now, &[0; 16]).unwrap_err();
                let expected = if hide {
                    Exception::CodeMismatch
                } else {
                    Exception::UserNotFound
                };
                assert_eq!(rejection.exception, expected, "{context}");
                assert_eq!(rejection.state, None, "{context}");
            }
            Op::Resend(seed) => {
                let request = ResendConfirmationCode {
                    client_id: CLIENT_ID,
                    username: USERNAME,
                    ..ResendConfirmationCode::default()
                };
                let result = resend_confirmation_code(
                    &pool,
                    &request,
                    Some(&client),
                    Some(&user),
                    now,
                    &entropy(seed),
                );
                let expected = if user.status == UserStatus::Confirmed {
                    Err(Refusal::AlreadyConfirmed)
                } else {
                    model.reissue(clock)
                };
                match (result, expected) {
                    (Ok(sent), Ok(())) => {
                        (user.confirmation, code) = (sent.state.unwrap(), sent.code.unwrap());
                    }
                    (Err(rejection), Err(Refusal::AlreadyConfirmed)) => {
                        assert_eq!(
                            rejection.exception,
                            Exception::AlreadyConfirmedResend,
                            "{context}"
                        );
                    }
                    (Err(rejection), Err(refusal)) => {
                        assert_eq!(
                            rejection.exception.name(),
                            expected_name(refusal),
                            "{context}"
                        );
                    }
                    (result, expected) => {
                        panic!("{context}: {result:?} but the model says {expected:?}")
                    }
                }
            }
            Op::AdminConfirm => {
                let request = AdminConfirmSignUp {
                    user_pool_id: POOL_ID,
                    username: USERNAME,
                    client_metadata: None,
                };
                let result = admin_confirm_sign_up(&pool, &request, Some(&user), now);
                let expected = if user.status == UserStatus::Confirmed {
                    Err(Refusal::AlreadyConfirmed)
                } else {
                    model.admin_confirm(clock)
                };
                match (result, expected) {
                    (Ok(done), Ok(())) => {
                        assert_eq!(
                            done.event.verified, None,
                            "{context}: no attribute is verified"
                        );
                        (user.confirmation, user.status) = (done.state, UserStatus::Confirmed);
                    }
                    (Err(rejection), Err(_)) => assert_eq!(
                        rejection.exception.name(),
                        "NotAuthorizedException",
                        "{context}"
                    ),
                    (result, expected) => {
                        panic!("{context}: {result:?} but the model says {expected:?}")
                    }
                }
            }
            Op::AliasOwner(held) => alias_owner = held.then_some("bob"),
            Op::HideUsers(on) => hide = on,
            Op::Advance(seconds) => clock += seconds,
        }
        assert_eq!(user.confirmation.status(), model.status, "{context}");
        if before.status() == Status::Confirmed {
            assert_eq!(user.confirmation, before, "{context}: Confirmed absorbs");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn cognito_operations_agree_with_the_model(ops in prop::collection::vec(op(), 1..100)) {
        run(&ops);
    }
}
