//! The server's tests, one binary (one link, one set of lint rules), a module per concern:
//! the process over HTTP as operators and attackers meet it (`http`, `limits`, `addresses`),
//! the store's promises on every backend (`store`), TLS to PostgreSQL (`postgres_tls`), what
//! `Debug` shows (`redaction`), and the tokens and their keys (`signing`, `tokens`,
//! `well_known`, `refresh`), failed sign-ins (`lockout`). `support` starts the binary and signs requests.
#![allow(
    clippy::std_instead_of_core,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    unreachable_pub,
    reason = "a std test of a std server: a wrong index or sum fails the test, which is its job"
)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test that cannot set up or check says so and stops"
)]

mod access_tokens;
mod addresses;
mod http;
mod limits;
mod lockout;
mod postgres_tls;
mod redaction;
mod refresh;
mod signing;
mod store;
mod support;
mod tokens;
mod well_known;
