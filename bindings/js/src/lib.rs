//! `confirmation-flow` for JavaScript runtimes: the crate's embedding loop through
//! wasm-bindgen, for Node, Deno and Cloudflare Workers.
//!
//! ```text
//! decode(pool, operation, body) ─► operation.needs ─► your store ─► operation.decide(lookup)
//!   ─► { write, reply, after } ─► write with compare-and-swap (lost: look up, decide again)
//!   ─► reply ─► after (deliver a code, or the PostConfirmation event)
//! ```
//!
//! The core (everything but [`js`]) is plain Rust on JSON text, so the native benchmark and
//! the unit tests run exactly the code the WebAssembly module runs; [`js`] only moves values
//! across the boundary, draws randomness from `crypto.getRandomValues` and turns errors into
//! JavaScript errors. `bindings/js/README.md` describes the package.

pub mod error;
pub mod js;
pub mod lookup;
pub mod outcome;
pub mod pool;
pub mod request;
pub mod state;
