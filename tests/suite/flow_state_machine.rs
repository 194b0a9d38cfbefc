//! The whole Cognito flow against a reference model, with `proptest-state-machine`: random
//! transitions are generated from the model's state, run through the loop against the
//! in-memory store, and shrunk to a minimal sequence on failure.
//!
//! After every transition: the answer (`__type`) agrees with the model; the user is never
//! confirmed except by the right code or `AdminConfirmSignUp`; an alias moves only with
//! `ForceAliasCreation`, and never leaves two verified owners; with
//! `PreventUserExistenceErrors` an unknown user's phantom is counted, limited and expired by
//! the same model as a user; attempts on a code never exceed the budget; the rolling window
//! never holds more than its limit; `Confirmed` absorbs; `version` rises by one on every
//! change and never otherwise; the stored form round-trips. `PROPTEST_CASES` sets the
//! number of sequences (default 1,000).

use confirmation_flow::{
    Confirmation, Refusal, Status, StoredState, Timestamp,
    cognito::{AdminConfirmSignUp, ConfirmSignUp, Operation, ResendConfirmationCode, UserStatus},
};
use proptest::prelude::*;
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest, prop_state_machine};

use crate::{
    cognito_fixtures::{CLIENT_ID, EMAIL, Fixture, POOL_ID, SUB, USERNAME, fresh},
    common::T0,
    memory_store::{MemoryStore, Row},
    model::Model,
};

#[derive(Clone, Debug)]
enum Transition {
    Confirm {
        right: bool,
        force: bool,
    },
    ConfirmUnknownUser,
    Resend,
    ResendUnknownUser,
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
    Refused(String),
}

#[derive(Clone, Debug)]
struct Reference {
    model: Model,
    /// The unknown user's phantom, once it has been seen under hiding.
    phantom: Option<Model>,
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
            phantom: None,
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
            3 => Just(Transition::ConfirmUnknownUser),
            2 => Just(Transition::Resend),
            1 => Just(Transition::ResendUnknownUser),
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
        let clock = state.clock;
        state.last = match *transition {
            Transition::Confirm { right, force } => {
                let held = state.alias_owner && !force;
                match state.model.submit(right, false, !held, clock) {
                    Ok(()) if held => Expected::Refused("AliasExistsException".to_owned()),
                    Ok(()) => Expected::Confirmed {
                        alias_moved: state.alias_owner,
                    },
                    Err(refusal) => Expected::Refused(name_of(refusal).to_owned()),
                }
            }
            Transition::ConfirmUnknownUser if state.hide => {
                let phantom = state.phantom.get_or_insert_with(|| Model::issued(clock));
                let refusal = phantom.submit(false, false, true, clock).unwrap_err();
                Expected::Refused(name_of(refusal).to_owned())
            }
            Transition::ResendUnknownUser if state.hide => {
                let phantom = state.phantom.get_or_insert_with(|| Model::issued(clock));
                match phantom.reissue(clock) {
                    Ok(()) => Expected::Resent,
                    Err(refusal) => Expected::Refused(name_of(refusal).to_owned()),
                }
            }
            Transition::ConfirmUnknownUser | Transition::ResendUnknownUser => {
                Expected::Refused("UserNotFoundException".to_owned())
            }
            Transition::Resend if confirmed => {
                Expected::Refused("InvalidParameterException".to_owned())
            }
            Transition::Resend => match state.model.reissue(clock) {
                Ok(()) => Expected::Resent,
                Err(refusal) => Expected::Refused(name_of(refusal).to_owned()),
            },
            Transition::AdminConfirm => match state.model.admin_confirm(clock) {
                Ok(()) => Expected::Confirmed { alias_moved: false },
                Err(_) => Expected::Refused("NotAuthorizedException".to_owned()),
            },
            Transition::AliasOwner(held) => {
                // A confirmed alice holds the alias herself: bob can no longer verify it.
                state.alias_owner = held && !confirmed;
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
        if matches!(state.last, Expected::Confirmed { alias_moved: true }) {
            state.alias_owner = false;
        }
        state
    }
}

/// The real crate behind the in-memory store, as a server holds it.
struct Server {
    fixture: Fixture,
    store: MemoryStore,
    code: String,
    /// Alice's state before the last transition.
    before: Confirmation,
}

impl Server {
    fn alice(&self) -> &Row {
        &self.store.users[USERNAME]
    }
}

impl StateMachineTest for Server {
    type SystemUnderTest = Self;
    type Reference = Flow;

    fn init_test(_: &Reference) -> Self {
        let fixture = Fixture::new();
        let (user, code) = fixture.alice();
        let mut store = MemoryStore::default();
        store.users.insert(
            USERNAME.to_owned(),
            Row {
                sub: SUB.to_owned(),
                status: UserStatus::Unconfirmed,
                state: user.confirmation,
                email: Some(EMAIL.to_owned()),
                phone_number: None,
                email_verified: false,
                phone_number_verified: false,
            },
        );
        Self {
            before: user.confirmation,
            fixture,
            store,
            code: code.as_str().to_owned(),
        }
    }

    fn apply(mut server: Self, after: &Reference, transition: Transition) -> Self {
        server.before = server.alice().state;
        let answer = server.run(after, &transition);
        assert_eq!(answer, after.last, "{transition:?}");
        server
    }

    fn check_invariants(server: &Self, after: &Reference) {
        let alice = server.alice();
        let (state, before) = (alice.state, server.before);
        assert_eq!(state.status(), after.model.status);
        assert_eq!(
            alice.status == UserStatus::Confirmed,
            state.status() == Status::Confirmed
        );
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
        let owners = server
            .store
            .users
            .values()
            .filter(|row| row.email.as_deref() == Some(EMAIL) && row.email_verified)
            .count();
        assert!(owners <= 1, "{owners} verified owners of one alias");
        for state in server.store.phantoms.values().chain([&state]) {
            let stored = StoredState::from(*state);
            let live = stored
                .submission_ages
                .iter()
                .filter(|&&age| age < 3600)
                .count();
            assert!(live <= 15, "the window holds {live} submissions");
            assert_eq!(Confirmation::try_from(stored), Ok(*state));
        }
        for phantom in server.store.phantoms.values() {
            assert_ne!(
                phantom.status(),
                Status::Confirmed,
                "a phantom is never confirmed"
            );
        }
        let phantom = server
            .store
            .phantoms
            .values()
            .next()
            .map(Confirmation::status);
        assert_eq!(phantom, after.phantom.as_ref().map(|model| model.status));
    }
}

impl Server {
    /// Runs one transition through the store and says what it answered.
    fn run(&mut self, after: &Reference, transition: &Transition) -> Expected {
        let pool = self.fixture.pool();
        let fresh = fresh(Timestamp::from_unix_seconds(after.clock));
        let client = Some(Fixture::public_client(after.hide));
        let confirm = |username, code| ConfirmSignUp {
            client_id: CLIENT_ID,
            username,
            confirmation_code: code,
            ..ConfirmSignUp::default()
        };
        let resend = |username| ResendConfirmationCode {
            client_id: CLIENT_ID,
            username,
            ..ResendConfirmationCode::default()
        };
        let operation: Operation<'_> = match *transition {
            Transition::Confirm { right, force } => {
                let guess = if right {
                    self.code.clone()
                } else {
                    wrong_code(&self.code)
                };
                let request = ConfirmSignUp {
                    force_alias_creation: force,
                    ..confirm(USERNAME, &guess)
                };
                let bob_verified = self.bob_verified();
                let served =
                    self.store
                        .serve(&pool, client, &request.validate().unwrap().into(), &fresh);
                if served.answer != "Ok" {
                    return Expected::Refused(served.answer);
                }
                assert!(right, "confirmed by a wrong code");
                let alias_moved = bob_verified && !self.bob_verified();
                assert!(!alias_moved || force, "alias moved without the flag");
                return Expected::Confirmed { alias_moved };
            }
            Transition::ConfirmUnknownUser => {
                confirm("nobody", "123456").validate().unwrap().into()
            }
            Transition::Resend | Transition::ResendUnknownUser => {
                let username = if matches!(transition, Transition::Resend) {
                    USERNAME
                } else {
                    "nobody"
                };
                let served = self.store.serve(
                    &pool,
                    client,
                    &resend(username).validate().unwrap().into(),
                    &fresh,
                );
                if served.answer != "Ok" {
                    return Expected::Refused(served.answer);
                }
                if let Some(code) = served.code {
                    self.code = code;
                }
                return Expected::Resent;
            }
            Transition::AdminConfirm => AdminConfirmSignUp {
                user_pool_id: POOL_ID,
                username: USERNAME,
                client_metadata: None,
            }
            .validate()
            .unwrap()
            .into(),
            Transition::AliasOwner(held) => {
                let email_verified = held && self.alice().status != UserStatus::Confirmed;
                self.store.users.insert(
                    "bob".to_owned(),
                    Row {
                        sub: "b0b".to_owned(),
                        status: UserStatus::Confirmed,
                        state: self.before,
                        email: Some(EMAIL.to_owned()),
                        phone_number: None,
                        email_verified,
                        phone_number_verified: false,
                    },
                );
                return Expected::Nothing;
            }
            Transition::HideUsers(_) | Transition::Advance(_) => return Expected::Nothing,
        };
        let served = self.store.serve(&pool, client, &operation, &fresh);
        match served.answer.as_str() {
            "Ok" => Expected::Confirmed { alias_moved: false },
            _ => Expected::Refused(served.answer),
        }
    }

    fn bob_verified(&self) -> bool {
        self.store
            .users
            .get("bob")
            .is_some_and(|bob| bob.email_verified)
    }
}

/// A wrong code of the same shape.
fn wrong_code(code: &str) -> String {
    code.chars()
        .map(|c| if c == '0' { '1' } else { '0' })
        .collect()
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
