#![no_std]
#![forbid(unsafe_code)]
#![doc = include_str!("../README.md")]

#[cfg(feature = "alloc")]
extern crate alloc;

// The examples in docs/ beside the README, run as doctests too.
#[cfg(doctest)]
#[doc = include_str!("../docs/COGNITO.md")]
struct CognitoDoc;

mod alphabet;
mod code;
pub mod cognito;
mod ct;
mod grant;
mod key;
mod machine;
mod policy;
mod ring;
mod status;
mod stored;
mod time;
mod transition;
mod window;

pub use alphabet::{Alphabet, MAX_CODE_LEN, MAX_SUBMITTED_CODE_LEN};
pub use code::{Code, ENTROPY_LEN, EntropyExhausted};
pub use grant::{SignInGrant, StoredGrant};
pub use key::{KeyId, ServerKey};
pub use machine::{Confirmation, Submission};
pub use policy::{
    GuessBound, MAX_ATTEMPTS_PER_CODE, MAX_CODE_TTL, MAX_RESENDS_PER_WINDOW,
    MAX_SUBMISSIONS_PER_WINDOW, MAX_WINDOW, MIN_CODE_SPACE, MIN_DAILY_GUESS_ODDS, Policy,
    PolicyConfig, PolicyError,
};
pub use ring::{KeyRing, KeyRingError};
pub use status::{Refusal, Status};
pub use stored::{StateError, StoredState};
pub use time::Timestamp;

// The state is meant to be copied into and out of a store: keep it small (168 bytes for
// the confirmation, 24 for the sign-in grant it may carry).
const _: () = assert!(size_of::<Confirmation>() <= 192);
