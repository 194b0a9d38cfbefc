//! The whole Cognito flow against a reference model, with `proptest-state-machine`: random
//! transitions are generated from the model's state, run against the real crate, and shrunk
//! to a minimal sequence on failure.
//!
//! After every transition: the answer (`__type`) agrees with the model; the user is never
//! confirmed except by the right code or `AdminConfirmSignUp`; an alias moves only with
//! `ForceAliasCreation`; with `PreventUserExistenceErrors` an unknown user gets exactly a
//! wrong code's answer; attempts on a code never exceed the budget; the rolling window never
//! holds more than its limit; `Confirmed` absorbs; `version` rises by one on every change and
//! never otherwise; the stored form round-trips. `PROPTEST_CASES` sets the number of
//! sequences (default 1,000).

use confirmation_flow::{
    Code, Confirmation, Refusal, Status, StoredState, Timestamp,
    cognito::{
        AdminConfirmSignUp, ConfirmLookup, ConfirmSignUp, Exception, ResendConfirmationCode,
        UserRecord, UserStatus, admin_confirm_sign_up, confirm_sign_up, resend_confirmation_code,
    },
};
use proptest::prelude::*;
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest, prop_state_machine};

use crate::{
    cognito_fixtures::{CLIENT_ID, Fixture, POOL_ID, USERNAME},
    common::{T0, entropy, wrong},
    model::Model,
};

#[derive(Clone, Debug)]
enum Transition {
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

/// What the model expects the last transition to answer.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Expected {
    Nothing,
    Confirmed { alias_moved: bool },
    Resent,
    Refused(&'static str),
}

#[derive(Clone, Debug)]
struct Reference {
    model: Model,
    clock: u64,
    alias_owner: bool,
    hide: bool,
    last: Expected,
}

/// The `__type` a core outcome maps to, written out here rather than borrowed from the crate.
fn name_of(refusal: Refusal) -> &'static str {
    match refusal {
        Refusal::AlreadyConfirmed => "NotAuthorizedException",
        Refusal::RateLimited { .. } => "LimitExceededException",
        Refusal::TooManyAttempts => "TooManyFailedAttemptsException",
        Refusal::Expired => "ExpiredCodeException",
        Refusal::CodeMismatch { .. } => "CodeMismatchException",
        _ => "InternalErrorException",
    }
}

struct Flow;

impl ReferenceStateMachine for Flow {
    type State = Reference;
    type Transition = Transition;

    fn init_state() -> BoxedStrategy<Reference> {
        let t0 = T0.as_unix_seconds();
        Just(Reference {
            model: Model::issued(t0),
            clock: t0,
            alias_owner: false,
            hide: false,
            last: Expected::Nothing,
        })
        .boxed()
    }

    fn transitions(_: &Reference) -> BoxedStrategy<Transition> {
        prop_oneof![
            10 => (prop::bool::weighted(0.15), any::<bool>())
                .prop_map(|(right, force)| Transition::Confirm { right, force }),
            2 => Just(Transition::ConfirmUnknownUser),
            2 => any::<u32>().prop_map(Transition::Resend),
            1 => Just(Transition::AdminConfirm),
            2 => any::<bool>().prop_map(Transition::AliasOwner),
            1 => any::<bool>().prop_map(Transition::HideUsers),
            4 => (0..900_u64).prop_map(Transition::Advance),
            1 => (0..2 * 86_400_u64).prop_map(Transition::Advance),
        ]
        .boxed()
    }

    fn apply(mut state: Reference, transition: &Transition) -> Reference {
        let confirmed = state.model.status == Status::Confirmed;
        state.last = match *transition {
            Transition::Confirm { right, force } => {
                let held = state.alias_owner && !force;
                match state.model.submit(right, false, !held, state.clock) {
                    Ok(()) if held => Expected::Refused("AliasExistsException"),
                    Ok(()) => Expected::Confirmed {
                        alias_moved: state.alias_owner,
                    },
                    Err(refusal) => Expected::Refused(name_of(refusal)),
                }
            }
            Transition::ConfirmUnknownUser if state.hide => {
                Expected::Refused("CodeMismatchException")
            }
            Transition::ConfirmUnknownUser => Expected::Refused("UserNotFoundException"),
            Transition::Resend(_) if confirmed => Expected::Refused("InvalidParameterException"),
            Transition::Resend(_) => match state.model.reissue(state.clock) {
                Ok(()) => Expected::Resent,
                Err(refusal) => Expected::Refused(name_of(refusal)),
            },
            Transition::AdminConfirm => match state.model.admin_confirm(state.clock) {
                Ok(()) => Expected::Confirmed { alias_moved: false },
                Err(_) => Expected::Refused("NotAuthorizedException"),
            },
            Transition::AliasOwner(held) => {
                state.alias_owner = held;
                Expected::Nothing
            }
            Transition::HideUsers(on) => {
                state.hide = on;
                Expected::Nothing
            }
            Transition::Advance(seconds) => {
                state.clock += seconds;
                Expected::Nothing
            }
        };
        state
    }
}

/// The real crate, as a server would hold it.
struct Server {
    fixture: Fixture,
    user: UserRecord<'static>,
    code: Code,
    /// The state before the last transition.
    before: Confirmation,
}

impl StateMachineTest for Server {
    type SystemUnderTest = Self;
    type Reference = Flow;

    fn init_test(_: &Reference) -> Self {
        let fixture = Fixture::new();
        let (user, code) = fixture.alice();
        Self {
            before: user.confirmation,
            fixture,
            user,
            code,
        }
    }

    fn apply(mut server: Self, after: &Reference, transition: Transition) -> Self {
        server.before = server.user.confirmation;
        let answer = server.run(after, &transition);
        assert_eq!(answer, after.last, "{transition:?}");
        server
    }

    fn check_invariants(server: &Self, after: &Reference) {
        let (state, before) = (server.user.confirmation, server.before);
        assert_eq!(state.status(), after.model.status);
        assert!(state.attempts_used() <= server.fixture.policy.attempts_per_code());
        if before.status() == Status::Confirmed {
            assert_eq!(state, before, "Confirmed absorbs");
        }
        let expected = if state == before {
            before.version()
        } else {
            before.version() + 1
        };
        assert_eq!(state.version(), expected);
        let stored = StoredState::from(state);
        let live = stored
            .submission_ages
            .iter()
            .filter(|&&age| age < 3600)
            .count();
        assert!(live <= 15, "the window holds {live} submissions");
        assert_eq!(Confirmation::try_from(stored), Ok(state));
    }
}

impl Server {
    /// Runs one transition against the crate and says what it answered.
    fn run(&mut self, after: &Reference, transition: &Transition) -> Expected {
        let pool = self.fixture.pool();
        let now = Timestamp::from_unix_seconds(after.clock);
        let client = Fixture::public_client(after.hide);
        match *transition {
            Transition::Confirm { right, force } => self.confirm(after, right, force),
            Transition::ConfirmUnknownUser => {
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
                assert_eq!(rejection.state, None);
                if after.hide {
                    assert_eq!(
                        rejection.exception,
                        Exception::CodeMismatch,
                        "a wrong code's exact answer"
                    );
                }
                Expected::Refused(rejection.exception.name())
            }
            Transition::Resend(seed) => {
                let request = ResendConfirmationCode {
                    client_id: CLIENT_ID,
                    username: USERNAME,
                    ..ResendConfirmationCode::default()
                };
                match resend_confirmation_code(
                    &pool,
                    &request,
                    Some(&client),
                    Some(&self.user),
                    now,
                    &entropy(seed),
                ) {
                    Ok(sent) => {
                        (self.user.confirmation, self.code) =
                            (sent.state.unwrap(), sent.code.unwrap());
                        Expected::Resent
                    }
                    Err(rejection) => Expected::Refused(rejection.exception.name()),
                }
            }
            Transition::AdminConfirm => {
                let request = AdminConfirmSignUp {
                    user_pool_id: POOL_ID,
                    username: USERNAME,
                    client_metadata: None,
                };
                match admin_confirm_sign_up(&pool, &request, Some(&self.user), now) {
                    Ok(done) => {
                        (self.user.confirmation, self.user.status) =
                            (done.state, UserStatus::Confirmed);
                        Expected::Confirmed { alias_moved: false }
                    }
                    Err(rejection) => Expected::Refused(rejection.exception.name()),
                }
            }
            Transition::AliasOwner(_) | Transition::HideUsers(_) | Transition::Advance(_) => {
                Expected::Nothing
            }
        }
    }

    /// `ConfirmSignUp` with the right or a wrong code.
    fn confirm(&mut self, after: &Reference, right: bool, force: bool) -> Expected {
        let pool = self.fixture.pool();
        let now = Timestamp::from_unix_seconds(after.clock);
        let client = Fixture::public_client(after.hide);
        let guess = if right {
            self.code.as_str().to_owned()
        } else {
            wrong(&self.code)
        };
        let request = ConfirmSignUp {
            client_id: CLIENT_ID,
            username: USERNAME,
            confirmation_code: &guess,
            force_alias_creation: force,
            ..ConfirmSignUp::default()
        };
        let alias_owner = after.alias_owner.then_some("bob");
        let lookup = ConfirmLookup {
            client: Some(client),
            user: Some(self.user),
            alias_owner,
        };
        match confirm_sign_up(&pool, &request, &lookup, now, &[0; 16]) {
            Ok(done) => {
                assert!(right, "confirmed by a wrong code");
                assert!(
                    done.alias_taken_from.is_none() || force,
                    "alias moved without the flag"
                );
                (self.user.confirmation, self.user.status) = (done.state, UserStatus::Confirmed);
                Expected::Confirmed {
                    alias_moved: done.alias_taken_from.is_some(),
                }
            }
            Err(rejection) => {
                if let Some(state) = rejection.state {
                    self.user.confirmation = state;
                }
                Expected::Refused(rejection.exception.name())
            }
        }
    }
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1000)
}

prop_state_machine! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn the_cognito_flow_agrees_with_the_model(sequential 1..80 => Server);
}
