//! The machine's own calls a caller may want outside the loop: issuing a code, and reading
//! a stored state.

use alloc::{borrow::ToOwned, string::String};

use confirmation_flow::{Confirmation, ENTROPY_LEN, Timestamp};
use serde::Serialize;

use crate::{error::Error, lookup::load_state, pool::PoolData};

/// A new code and the state that holds its tag (`Issued` in the TypeScript declarations).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Issued {
    /// The state's JSON, to store.
    pub state: String,
    /// The code, to deliver and forget.
    pub code: String,
}

impl core::fmt::Debug for Issued {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Issued").finish_non_exhaustive()
    }
}

/// Issues the first code for `subject` under the pool's current key and policy.
///
/// # Errors
/// [`Error::Type`] for an empty subject; [`Error::Unsupported`] should the entropy not fill
/// a code (for six digits from 32 random bytes, a chance below 10⁻³⁶).
pub fn issue(
    pool: &PoolData,
    subject: &str,
    now: Timestamp,
    entropy: &[u8; ENTROPY_LEN],
) -> Result<Issued, Error> {
    if subject.is_empty() {
        return Err(Error::type_error(
            "subject",
            "a user's stable id, not empty",
        ));
    }
    let (state, code) = Confirmation::issue(
        pool.policy(),
        pool.current_key(),
        subject.as_bytes(),
        now,
        entropy,
    )
    .map_err(|_| Error::Unsupported("a code from entropy that cannot fill one"))?;
    let state = serde_json::to_string(&state)
        .map_err(|_| Error::Unsupported("a state that does not serialize"))?;
    Ok(Issued {
        state,
        code: code.as_str().to_owned(),
    })
}

/// What a stored state says, tags left out (`StateInfo` in the TypeScript declarations).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StateInfo {
    /// The stored status: `pending`, `code_mismatch`, `confirmed`, `expired` or
    /// `too_many_attempts`.
    pub status: &'static str,
    /// The status at the time asked about (a pending code past its deadline is expired).
    pub status_at: &'static str,
    /// The compare-and-swap version.
    pub version: u64,
    /// The key the code's tag was made with.
    pub key_id: u32,
    /// When the code was issued, in Unix seconds.
    pub issued_at_unix_seconds: u64,
    /// The code's deadline, in Unix seconds.
    pub expires_at_unix_seconds: u64,
    /// The last change, in Unix seconds.
    pub last_changed_at_unix_seconds: u64,
    /// Attempts spent on the current code.
    pub attempts_used: u8,
}

/// Loads `json` through the crate's validation and says what it holds at `now`.
///
/// # Errors
/// [`Error::State`] for a state that does not load.
pub fn read(json: &str, now: Timestamp) -> Result<StateInfo, Error> {
    let state = load_state(json, "state")?;
    Ok(StateInfo {
        status: state.status().as_str(),
        status_at: state.status_at(now).as_str(),
        version: state.version(),
        key_id: state.key_id().0,
        issued_at_unix_seconds: state.issued_at().as_unix_seconds(),
        expires_at_unix_seconds: state.expires_at().as_unix_seconds(),
        last_changed_at_unix_seconds: state.last_changed_at().as_unix_seconds(),
        attempts_used: state.attempts_used(),
    })
}
