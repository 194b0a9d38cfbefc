//! `confirmation-flow` for JavaScript runtimes: the crate's embedding loop through
//! wasm-bindgen, for Node, Deno and Cloudflare Workers.
//!
//! ```text
//! decode(pool, operation, body) ─► operation.needs ─► your store ─► operation.decide(lookup)
//!   ─► outcome.write with compare-and-swap (lost: look up, decide again)
//!   ─► outcome.applied(): { reply, after } ─► reply ─► after (deliver a code, or the
//!   PostConfirmation event)
//! ```
//!
//! The core (everything but [`js`]) is plain Rust on JSON text, so the native benchmark and
//! the unit tests run exactly the code the WebAssembly module runs; [`js`] only moves values
//! across the boundary, draws randomness from `crypto.getRandomValues` and turns errors into
//! JavaScript errors. `bindings/js/README.md` describes the package.
//!
//! In WebAssembly the crate is `no_std` (with `alloc`): the standard library's panic and I/O
//! machinery is 10 KB of a module that never uses it. A panic there traps at once, as
//! `panic = "abort"` did (the lints forbid the ways to write one here and in the crate;
//! bounds checks inside dependencies remain). Natively (tests, the benchmark) the same code
//! builds with `std`.
#![cfg_attr(target_arch = "wasm32", no_std)]
#![allow(
    clippy::exhaustive_structs,
    reason = "published as an npm package, not as a crate: its Rust structs are the module's \
              and its tests' own, with no semver promise to keep"
)]

extern crate alloc;

/// The allocator the standard library would have used: dlmalloc, declared without `unsafe`.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: dlmalloc::GlobalDlmalloc = dlmalloc::GlobalDlmalloc;

/// A panic traps: nothing is formatted, nothing is printed (a Worker has nowhere to print).
#[cfg(target_arch = "wasm32")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

pub mod clock;
pub mod declarations;
pub mod error;
pub mod fresh;
pub mod js;
pub mod lookup;
pub mod outcome;
pub mod pool;
pub mod request;
pub mod served;
pub mod sign_in;
pub mod state;
