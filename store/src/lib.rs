// The README's examples run the kit and answer over `http`: they are its doctests when
// both are built.
#![cfg_attr(all(feature = "kit", feature = "http"), doc = include_str!("../README.md"))]
#![cfg_attr(
    not(all(feature = "kit", feature = "http")),
    doc = "The store for `confirmation-flow`: a `Store` trait, the `Driver` that runs the \
           loop on it, backends, and (feature `kit`) a conformance kit. See the README."
)]
#![allow(
    clippy::std_instead_of_core,
    clippy::alloc_instead_of_core,
    reason = "a std crate for servers: the core's no_std hygiene buys nothing here"
)]
#![allow(
    clippy::exhaustive_enums,
    clippy::exhaustive_structs,
    reason = "not published yet: its rows and changes follow the core's, no semver promise"
)]
#![allow(
    missing_docs,
    clippy::missing_errors_doc,
    reason = "the moved SQL backends' fields and statements are documented as a whole in \
              their module docs; the trait, the driver and the kit document every item"
)]
#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "the SQL backends' row and batch arithmetic on counts a database returns; the \
              core, which embedders run anywhere, keeps these lints"
)]

pub mod budget;
pub mod change;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod columns;
pub mod driver;
#[cfg(feature = "http")]
pub mod http;
#[cfg(feature = "kit")]
pub mod kit;
pub mod memory;
pub mod owned;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod plan;
pub mod types;

#[cfg(all(feature = "sqlite", feature = "postgres"))]
pub mod database;
#[cfg(feature = "sqlite")]
pub mod files;
#[cfg(all(feature = "kit", any(feature = "sqlite", feature = "postgres")))]
mod fixture;
#[cfg(feature = "postgres")]
pub mod postgres;
#[cfg(feature = "postgres")]
mod postgres_sql;
#[cfg(feature = "postgres")]
mod postgres_tls;
#[cfg(all(feature = "sqlite", feature = "postgres"))]
pub mod sql;
#[cfg(feature = "sqlite")]
pub mod sqlite;
#[cfg(feature = "sqlite")]
mod sqlite_sql;

use core::future::Future;

pub use budget::{Budget, Spend};
pub use change::{Applied, Change, Claim, NewUser, Row, SeedUser};
pub use driver::{Decide, Decided, Driver, Failed};
pub use memory::Memory;
pub use owned::{OwnedKeyRing, OwnedPool};
#[cfg(all(feature = "sqlite", feature = "postgres"))]
pub use sql::SqlStore;
pub use types::{Error, Guarded, Param, Read, Result, Snapshot, UserRow, Value, describe};

/// Where users and phantoms live: one consistent read of what a request needs, and one
/// write carried out with all its conditions or not at all.
///
/// Implement it for your database and run the conformance kit (`kit`, a feature) from its
/// tests; the crate's own backends ([`Memory`], and `SqlStore` over SQLite or PostgreSQL)
/// pass the same kit.
pub trait Store: Send + Sync {
    /// Everything `read` asks for, in one snapshot: the user (or none), the phantom's state
    /// when `read.phantom` names one, the verified owners of the user's alias values when
    /// asked, and whether the client (or, for an admin read, the pool) exists.
    ///
    /// # Errors
    /// The database fails, or a stored row does not load.
    fn read(&self, read: Read) -> impl Future<Output = Result<Snapshot>> + Send;

    /// Carries out `change` if every condition it states holds: the version it expects (or
    /// that the row is absent), the alias value free or still held by the owner it names,
    /// and the pool still there. Otherwise it changes nothing and answers
    /// [`Applied::LostRace`].
    ///
    /// # Errors
    /// The database fails for another reason than a condition (then nothing was changed).
    fn apply(&self, change: Change) -> impl Future<Output = Result<Applied>> + Send;
}
