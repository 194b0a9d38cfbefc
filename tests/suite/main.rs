//! The integration suite: one test binary, one module per concern. (The allocation test is
//! its own binary, `tests/no_alloc.rs`, because it installs a global allocator.)
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::panic,
    clippy::unreachable,
    reason = "tests fail loudly; the no-panic rules guard the library, not its tests"
)]
#![allow(
    clippy::large_types_passed_by_value,
    reason = "fixtures pass states and records by value, as a caller's code does"
)]

mod codes;
mod cognito_admin_resend;
mod cognito_attribute_names;
mod cognito_confirm;
mod cognito_draws;
mod cognito_fixtures;
mod cognito_messages;
mod cognito_sessions;
mod cognito_sign_up;
#[cfg(feature = "serde")]
mod cognito_wire;
mod common;
#[cfg(not(target_family = "wasm"))]
mod flow_state_machine;
mod hygiene;
mod memory_store;
mod model;
mod phantoms;
mod policy;
mod secret_hash;
#[cfg(feature = "serde")]
mod serde;
mod stored;
mod transitions;
mod username_chars;
mod vectors;
