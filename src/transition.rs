//! The transition table: what each request does to a confirmation, in one `match`.
//!
//! The table reads a [`View`] of the state (the facts its rules test) and names a
//! [`Change`]; `machine.rs` carries the change out. This module never sees the state
//! itself, so it cannot modify one.

use crate::{
    grant::SignInGrant,
    key::{KeyId, Tag},
    status::{Refusal, Status},
    time::Timestamp,
};

/// What a caller asks of a state, with the tag already computed (so every submission costs
/// exactly one HMAC, whatever the outcome).
#[derive(Clone, Copy)]
pub(crate) enum Request {
    /// `confirm`: whether a match confirms, or only proves the code (leaving it live);
    /// `matchable`: false when the submission's shape rules out a match (too long, or not
    /// the policy's number of symbols), so a match of the tags is not taken as one.
    Submit {
        key: KeyId,
        tag: Tag,
        confirm: bool,
        matchable: bool,
        grant: SignInGrant,
    },
    Reissue {
        key: KeyId,
        tag: Tag,
    },
    AdminConfirm,
    /// The user's password changed (set by an administrator, or chosen for an invitation).
    PasswordChanged,
    /// Sign in with the session whose nonce this is.
    Redeem {
        nonce: [u8; 16],
    },
}

/// The facts about a state, at the state's clock, that the rules test.
#[derive(Clone, Copy)]
pub(crate) struct View {
    pub(crate) status: Status,
    pub(crate) key_id: KeyId,
    /// The code's attempts are spent (or its status says so).
    pub(crate) code_dead: bool,
    /// The code's deadline has passed (or its status says so).
    pub(crate) expired: bool,
    /// When the request's rolling window (submissions for a submit, resends for a reissue)
    /// has room again; the epoch when it has room now.
    pub(crate) window_free_at: Timestamp,
    /// A redemption's session holds the state's live sign-in grant.
    pub(crate) granted: bool,
}

/// A change the table decided on. A request turned down before anything is counted is an
/// `Err(Refusal)` instead.
#[derive(Clone, Copy)]
pub(crate) enum Change {
    /// The submission is counted in the window, the state moves to `to`, then refused.
    Count { to: Status, refusal: Refusal },
    /// The submission is counted and one attempt spent, then the tag is compared; a match
    /// confirms if `confirm`, else leaves the code live (`Pending`, or `TooManyAttempts` if
    /// that was its last attempt). Never a match unless `matchable`.
    Compare {
        tag: Tag,
        confirm: bool,
        matchable: bool,
        grant: SignInGrant,
    },
    /// A new code replaces the old one; the resend is counted.
    Reissue { key: KeyId, tag: Tag },
    /// Confirmed without a code.
    Confirm,
    /// Confirmed if it was not, and the sign-in grant, if any, revoked.
    Settle,
    /// The sign-in grant is spent.
    Redeem,
}

/// The transition table: every rule, in the order it is checked.
pub(crate) fn decide(state: &View, now: Timestamp, request: Request) -> Result<Change, Refusal> {
    use Refusal::RateLimited;
    match (state.status, request) {
        (Status::Confirmed, Request::Redeem { .. }) if state.granted => Ok(Change::Redeem),
        (_, Request::Redeem { .. }) => Err(Refusal::NotGranted),
        (_, Request::PasswordChanged) => Ok(Change::Settle),
        (Status::Confirmed, _) => Err(Refusal::AlreadyConfirmed),
        (_, Request::Submit { key, .. }) if key != state.key_id => Err(Refusal::UnknownKey {
            stored: state.key_id,
        }),
        (_, Request::Submit { .. } | Request::Reissue { .. }) if state.window_free_at > now => {
            Err(RateLimited {
                retry_at: state.window_free_at,
            })
        }
        (_, Request::Submit { .. }) if state.code_dead => Ok(Change::Count {
            to: Status::TooManyAttempts,
            refusal: Refusal::TooManyAttempts,
        }),
        (_, Request::Submit { .. }) if state.expired => Ok(Change::Count {
            to: Status::Expired,
            refusal: Refusal::Expired,
        }),
        (
            _,
            Request::Submit {
                tag,
                confirm,
                matchable,
                grant,
                ..
            },
        ) => Ok(Change::Compare {
            tag,
            confirm,
            matchable,
            grant,
        }),
        (_, Request::Reissue { key, tag }) => Ok(Change::Reissue { key, tag }),
        (_, Request::AdminConfirm) => Ok(Change::Confirm),
    }
}
