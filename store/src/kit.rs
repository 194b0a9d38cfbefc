//! The conformance kit: the races every [`Store`] must settle, as functions a store's own
//! tests call. Each scenario makes a pool of its own (through [`Fixture`]), so one store
//! runs them all, and states the promise it checks; a store that breaks one panics with
//! the scenario's name and what it saw.
//!
//! The deterministic scenarios stage a race by hand: both requests read before either
//! writes, so both decide on one snapshot and the store alone must refuse the second
//! write. The concurrent ones run many requests at once through the [`Driver`] on the
//! caller's tokio runtime (use a multi-thread runtime, so the races are real).
//!
//! ```
//! # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
//! # async fn main() {
//! let store = std::sync::Arc::new(confirmation_flow_store::Memory::new());
//! confirmation_flow_store::kit::run_all(store).await;
//! # }
//! ```

#![allow(
    clippy::panic,
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a test kit: a broken promise is a panic that names it, as in any test"
)]

mod scenarios;
mod unique;

use std::{
    future::Future,
    sync::{
        Arc,
        atomic::{AtomicU32, Ordering},
    },
};

use confirmation_flow::{
    KeyId, Policy, ServerKey, Timestamp,
    cognito::{
        After, AliasAttribute, AppClient, AttributeSet, ConfirmSignUp, Fresh, Operation, Pool,
        SignUp, UserAttributes,
    },
};
pub use scenarios::*;
pub use unique::*;

use crate::{
    Change, Decided, Driver, Failed, NewUser, OwnedKeyRing, OwnedPool, Read, Result, Store, UserRow,
};

/// What the kit needs besides [`Store`]: pools to run in, and their deletion.
pub trait Fixture: Store {
    /// Makes the pool `pool_id` with the app client `client_id` (no secret).
    ///
    /// # Errors
    /// The store fails.
    fn add_pool(&self, pool_id: &str, client_id: &str) -> impl Future<Output = Result<()>> + Send;

    /// Deletes the pool `pool_id` with its clients, users and phantoms, as the embedder's
    /// `DeleteUserPool` does.
    ///
    /// # Errors
    /// The store fails.
    fn delete_pool(&self, pool_id: &str) -> impl Future<Output = Result<()>> + Send;

    /// Deletes the user `username` of the pool `pool_id`, as the embedder's
    /// `AdminDeleteUser` does.
    ///
    /// # Errors
    /// The store fails.
    fn delete_user(&self, pool_id: &str, username: &str)
    -> impl Future<Output = Result<()>> + Send;
}

impl Fixture for crate::Memory {
    async fn add_pool(&self, pool_id: &str, client_id: &str) -> Result<()> {
        Self::add_pool(self, pool_id, &[client_id]);
        Ok(())
    }

    async fn delete_pool(&self, pool_id: &str) -> Result<()> {
        Self::delete_pool(self, pool_id);
        Ok(())
    }

    async fn delete_user(&self, pool_id: &str, username: &str) -> Result<()> {
        Self::delete_user(self, pool_id, username);
        Ok(())
    }
}

/// Runs `scenario(args)`, first naming it on standard error: the last name a failing run
/// printed is the promise the store broke.
macro_rules! scenario {
    ($scenario:ident($($arg:expr),*)) => {{
        eprintln!("kit: {} {}", stringify!($scenario), stringify!($($arg),*));
        $scenario($($arg),*).await;
    }};
}

/// Runs every scenario against `store`, one after another, each named on standard error
/// as it starts.
///
/// # Panics
/// A scenario fails: the store broke the promise it names.
pub async fn run_all<S: Fixture + 'static>(store: Arc<S>) {
    scenario!(a_second_verified_owner_of_one_email_is_a_lost_race(&*store));
    scenario!(taking_an_alias_from_an_owner_who_no_longer_holds_it_is_a_lost_race(&*store));
    scenario!(a_write_against_a_stale_version_is_a_lost_race(&*store));
    scenario!(a_write_for_a_user_deleted_and_signed_up_again_is_a_lost_race(&*store));
    scenario!(two_sign_ups_of_one_name_insert_one_user(&*store));
    scenario!(a_sign_up_with_a_taken_sub_is_a_lost_race(&*store));
    scenario!(a_phantom_is_inserted_once_then_written_by_version(&*store));
    scenario!(fifty_wrong_codes_at_once_are_compared_five_times(
        store.clone()
    ));
    for alias in [AliasAttribute::Email, AliasAttribute::PhoneNumber] {
        for force in [false, true] {
            scenario!(pairs_confirming_one_value_leave_one_verified_owner(
                store.clone(),
                alias,
                force
            ));
        }
    }
    scenario!(forty_spends_of_one_budget_take_exactly_fifteen(
        store.clone()
    ));
    scenario!(deleting_a_pool_during_sign_ups_leaves_nothing(store));
}

/// The kit's clock: Unix seconds.
const NOW: u64 = 1_700_000_000;
/// Every pool's one app client.
const CLIENT: &str = "kitclient";
/// The answer when the read finds the pool or client gone (the embedder's
/// `ResourceNotFoundException` or `UserPoolNotFoundException`).
const GONE: &str = "(the pool or client is gone)";

/// One scenario's pool, its settings as the crate decides with them.
#[derive(Debug)]
struct Kit {
    /// The pool's settings, kept as a server keeps them.
    settings: OwnedPool,
    /// The one attribute the pool verifies and keeps as an alias.
    alias: AliasAttribute,
}

impl Kit {
    /// A new pool in `store` that verifies and aliases the email.
    async fn new<S: Fixture + ?Sized>(store: &S) -> Self {
        Self::on(store, AliasAttribute::Email).await
    }

    /// A new pool in `store` that verifies and aliases `alias`, named for this run so
    /// scenarios never meet.
    async fn on<S: Fixture + ?Sized>(store: &S, alias: AliasAttribute) -> Self {
        static POOLS: AtomicU32 = AtomicU32::new(0);
        let n = POOLS.fetch_add(1, Ordering::Relaxed);
        let pool_id = format!("us-east-1_kit{n}x{:08x}", rand::random::<u32>());
        store
            .add_pool(&pool_id, CLIENT)
            .await
            .expect("the fixture makes a pool");
        let attributes = match alias {
            AliasAttribute::Email => AttributeSet::EMAIL,
            AliasAttribute::PhoneNumber => AttributeSet::PHONE_NUMBER,
        };
        let settings = OwnedPool {
            region: "us-east-1".to_owned(),
            user_pool_id: pool_id,
            policy: Policy::COGNITO,
            keys: OwnedKeyRing::single(ServerKey::new(KeyId(1), &[1; 32])),
            auto_verified: attributes,
            aliases: attributes,
            session_ttl: std::time::Duration::from_secs(60),
        };
        Self { settings, alias }
    }

    fn pool(&self) -> Pool<'_> {
        self.settings.pool()
    }

    fn pool_id(&self) -> &str {
        &self.settings.user_pool_id
    }

    /// Whether `row` holds the pool's alias attribute verified.
    const fn verified(&self, row: &UserRow) -> bool {
        match self.alias {
            AliasAttribute::Email => row.email_verified,
            AliasAttribute::PhoneNumber => row.phone_number_verified,
        }
    }

    /// Decides `operation` on `snapshot` at `now`: its answer (`"Ok"` or the exception's
    /// name), the code it delivers, and its change.
    fn decide_on(
        &self,
        snapshot: &crate::Snapshot,
        operation: &Operation<'_>,
        hide: bool,
        now: u64,
    ) -> Decision {
        // A new `sub` for every decision: a user deleted and signed up again gets another.
        static SUBS: AtomicU32 = AtomicU32::new(0);
        if !snapshot.live {
            return Decision {
                answer: GONE,
                code: None,
                change: None,
            };
        }
        let n = SUBS.fetch_add(1, Ordering::Relaxed);
        let pool = self.pool();
        let needs = operation.needs(&pool);
        let sub = format!("{}:{}:{n}", self.pool_id(), needs.username());
        let fresh = Fresh {
            now: Timestamp::from_unix_seconds(now),
            entropy: [9; 32],
            nonce: [0; 16],
            new_subject: &sub,
        };
        let attributes = snapshot.attributes();
        let client = AppClient {
            client_id: CLIENT,
            secret: None,
            prevent_user_existence_errors: hide,
        };
        let outcome = needs.decide(&snapshot.lookup(Some(client), &attributes), &fresh);
        let seconds = i64::try_from(now).expect("the kit's clock fits");
        let change = outcome.write().map(|write| {
            Change::of(
                self.pool_id(),
                write,
                &self.settings.policy,
                NewUser::default(),
                seconds,
            )
            .expect("a decided write converts")
        });
        // Owned now: `drive` gets it back from the `Driver` only once `change` is stored;
        // `decide` (a read and a decision, no write) looks at it without storing anything.
        let (reply, after) = outcome.applied();
        Decision {
            answer: reply.exception().map_or("Ok", |exception| exception.name()),
            code: match &after {
                After::Deliver(delivery) => Some(delivery.code.as_str().to_owned()),
                After::Nothing | After::PostConfirmation(_) => None,
            },
            change,
        }
    }

    /// Reads what `operation` needs and decides on it, without writing.
    async fn decide<S: Store + ?Sized>(
        &self,
        store: &S,
        operation: &Operation<'_>,
        hide: bool,
        now: u64,
    ) -> Decision {
        let pool = self.pool();
        let read = Read::of(&operation.needs(&pool));
        let snapshot = store.read(read).await.expect("the store reads");
        self.decide_on(&snapshot, operation, hide, now)
    }

    /// Runs `operation` through the [`Driver`]: its answer, once its write was stored.
    async fn drive<S: Store + ?Sized>(
        &self,
        store: &S,
        operation: &Operation<'_>,
        now: u64,
    ) -> Decision {
        let pool = self.pool();
        let read = Read::of(&operation.needs(&pool));
        let run = Driver::default().run(store, read, |snapshot| {
            let mut decision = self.decide_on(&snapshot, operation, false, now);
            Ok::<_, ()>(match decision.change.take() {
                Some(change) => Decided::Write(change, decision),
                None => Decided::Nothing(decision),
            })
        });
        match run.await {
            Ok(decision) => decision,
            Err(Failed::Gone) => Decision {
                answer: GONE,
                code: None,
                change: None,
            },
            Err(failed) => panic!("the loop failed: {failed:?}"),
        }
    }

    /// Signs `username` up with `value` as the pool's alias attribute, alone: the code.
    async fn sign_up<S: Store + ?Sized>(&self, store: &S, username: &str, value: &str) -> String {
        let attributes = [(self.alias.as_str(), value)];
        let decision = self
            .drive(store, &sign_up(username, &attributes), NOW)
            .await;
        assert_eq!(decision.answer, "Ok", "signing {username} up");
        decision.code.expect("a sign-up delivers a code")
    }

    /// The user `username` as stored, through a read.
    async fn user<S: Store + ?Sized>(&self, store: &S, username: &str) -> Option<UserRow> {
        let read = Read {
            pool_id: self.pool_id().to_owned(),
            client_id: CLIENT.to_owned(),
            username: username.to_owned(),
            phantom: String::new(),
            email_owner: false,
            phone_number_owner: false,
        };
        store.read(read).await.expect("the store reads").user
    }
}

/// What one decision says, owned.
#[derive(Debug)]
struct Decision {
    answer: &'static str,
    code: Option<String>,
    change: Option<Change>,
}

/// `SignUp` of `username` with `attributes` (`[("email", …)]`).
fn sign_up<'a>(username: &'a str, attributes: &'a [(&'a str, &'a str)]) -> Operation<'a> {
    let request = SignUp {
        client_id: CLIENT,
        username,
        user_attributes: Some(UserAttributes::new(attributes)),
        ..SignUp::default()
    };
    Operation::from(request.validate().expect("a valid sign-up"))
}

fn confirm<'a>(username: &'a str, code: &'a str, force: bool) -> Operation<'a> {
    let request = ConfirmSignUp {
        client_id: CLIENT,
        username,
        confirmation_code: code,
        force_alias_creation: force,
        ..ConfirmSignUp::default()
    };
    Operation::from(request.validate().expect("a valid confirmation"))
}
