//! The conformance kit: the races every [`Store`] must settle, as functions a store's own
//! tests call. Each scenario makes a pool of its own (through [`Fixture`]), so one store
//! runs them all, and states the promise it checks; a store that breaks one panics with
//! the scenario's name and what it saw.
//!
//! The deterministic scenarios stage a race by hand: both requests read before either
//! writes, so both decide on one snapshot and the store alone must refuse the second
//! write. The concurrent ones run many requests at once through the [`Driver`](crate::Driver) on the
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

mod concurrent;
mod pool;
mod scenarios;
mod unique;

use std::{future::Future, sync::Arc};

pub use concurrent::*;
use confirmation_flow::cognito::AliasAttribute;
pub use scenarios::*;
pub use unique::*;

use crate::{Result, Store};

/// What the kit needs besides [`Store`]: pools to run in, and their deletion.
/// [`Memory`](crate::Memory) implements it, and so do the SQL backends (`sqlite::Sqlite`,
/// `postgres::Postgres`), with one set of plain statements on their tables.
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
    scenario!(a_sign_up_with_a_taken_sign_in_alias_is_a_lost_race(&*store));
    scenario!(an_insert_claims_its_alias_as_a_confirmation_does(&*store));
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
