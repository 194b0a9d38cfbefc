//! `StoredState`: the persisted form of a [`Confirmation`], and the checks that make it
//! safe to load from storage nobody should trust blindly.

use core::{fmt, time::Duration};

use heapless::{String, Vec};

use crate::{
    ct::ct_eq,
    grant::{MAX_GRANT, SignInGrant, StoredGrant},
    key::{KeyId, ReplacedTag, Tag},
    machine::{Confirmation, Parts, RESEND_LOG, SUBMISSION_LOG},
    policy::{MAX_ATTEMPTS_PER_CODE, MAX_CODE_TTL, MAX_WINDOW},
    status::Status,
    time::Timestamp,
    window::RateLog,
};

/// The persisted form of a [`Confirmation`]: plain fields a database or a serializer can
/// hold. With feature `serde`, `Confirmation` itself serializes through this shape.
///
/// Converting back with [`TryFrom`] re-checks every invariant, because stored state is
/// untrusted input: a row edited by hand, restored from an old backup, or corrupted is
/// rejected with a [`StateError`] instead of being acted on. (Validation cannot tell an old
/// but genuine state from the current one: that is what compare-and-swap on `version` is for.)
#[derive(Clone)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
#[expect(
    clippy::exhaustive_structs,
    reason = "the stored format is versioned by its fields; a new field is a breaking change"
)]
pub struct StoredState {
    /// [`Status::as_str`] of the status.
    pub status: String<17>,
    /// The key the tag was made with.
    pub key_id: u32,
    /// The code's tag, 64 lower-case hex digits.
    pub tag: String<64>,
    /// The first 8 bytes of the tag of the code the last reissue replaced, 16 lower-case hex
    /// digits (all zeros if none).
    pub replaced_tag: String<16>,
    /// When the current code was issued (Unix seconds).
    pub issued_at: u64,
    /// The current code's deadline (Unix seconds).
    pub expires_at: u64,
    /// The time of the last change (Unix seconds).
    pub last_changed_at: u64,
    /// The compare-and-swap version, at least 1.
    pub version: u64,
    /// Attempts spent on the current code.
    pub attempts: u8,
    /// Recent code submissions, oldest first, each as its age in seconds at
    /// `last_changed_at` (ages keep the form small: they are below the rate window).
    pub submission_ages: Vec<u32, SUBMISSION_LOG>,
    /// Recent resends, oldest first, as ages in seconds at `last_changed_at`.
    pub resend_ages: Vec<u32, RESEND_LOG>,
    /// The sign-in grant a confirmation recorded and no sign-in has spent yet (absent from
    /// the serialized form when there is none, so states without one read and write as
    /// before it existed).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub sign_in_grant: Option<StoredGrant>,
}

/// Equality compares the tags in constant time, so no comparison of stored states can
/// leak a tag prefix.
impl PartialEq for StoredState {
    fn eq(&self, other: &Self) -> bool {
        let tags = |state: &Self| {
            let mut bytes = [0_u8; 80];
            bytes
                .iter_mut()
                .zip(state.tag.bytes().chain(state.replaced_tag.bytes()))
                .for_each(|(slot, byte)| *slot = byte);
            bytes
        };
        let same_tags = bool::from(ct_eq(&tags(self), &tags(other)));
        let lengths = |state: &Self| (state.tag.len(), state.replaced_tag.len());
        same_tags
            && lengths(self) == lengths(other)
            && (&self.status, self.key_id, self.issued_at, self.expires_at)
                == (
                    &other.status,
                    other.key_id,
                    other.issued_at,
                    other.expires_at,
                )
            && (self.last_changed_at, self.version, self.attempts)
                == (other.last_changed_at, other.version, other.attempts)
            && (&self.submission_ages, &self.resend_ages)
                == (&other.submission_ages, &other.resend_ages)
            && self.sign_in_grant == other.sign_in_grant
    }
}

impl Eq for StoredState {}

/// Everything but the tags, which are redacted.
impl fmt::Debug for StoredState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredState")
            .field("status", &self.status)
            .field("key_id", &self.key_id)
            .field("tag", &"<redacted>")
            .field("replaced_tag", &"<redacted>")
            .field("issued_at", &self.issued_at)
            .field("expires_at", &self.expires_at)
            .field("last_changed_at", &self.last_changed_at)
            .field("version", &self.version)
            .field("attempts", &self.attempts)
            .field("submission_ages", &self.submission_ages)
            .field("resend_ages", &self.resend_ages)
            .field("sign_in_grant", &self.sign_in_grant)
            .finish()
    }
}

impl From<Confirmation> for StoredState {
    fn from(state: Confirmation) -> Self {
        let state = state.parts();
        let mut status = String::new();
        let _ = status.push_str(state.status.as_str());
        Self {
            status,
            key_id: state.key_id.0,
            tag: hex(&state.tag.0),
            replaced_tag: hex(&state.replaced.0),
            issued_at: state.issued_at.as_unix_seconds(),
            expires_at: state.expires_at.as_unix_seconds(),
            last_changed_at: state.seen_at.as_unix_seconds(),
            version: state.version,
            attempts: state.attempts,
            submission_ages: state.submissions.ages().iter().copied().collect(),
            resend_ages: state.resends.ages().iter().copied().collect(),
            sign_in_grant: (state.grant != SignInGrant::NONE).then(|| StoredGrant {
                nonce: hex(&state.grant.nonce()),
                until: state.grant.until().as_unix_seconds(),
            }),
        }
    }
}

impl TryFrom<StoredState> for Confirmation {
    type Error = StateError;

    fn try_from(stored: StoredState) -> Result<Self, StateError> {
        let status = Status::from_name(&stored.status).ok_or(StateError::UnknownStatus)?;
        let tag = Tag(parse_hex(&stored.tag).ok_or(StateError::MalformedTag)?);
        let replaced =
            ReplacedTag(parse_hex(&stored.replaced_tag).ok_or(StateError::MalformedTag)?);
        let [issued_at, expires_at, seen_at] =
            [stored.issued_at, stored.expires_at, stored.last_changed_at]
                .map(Timestamp::from_unix_seconds);
        if expires_at < issued_at {
            return Err(StateError::DeadlineBeforeIssue);
        }
        if expires_at.saturating_since(issued_at) > MAX_CODE_TTL {
            return Err(StateError::LifetimeTooLong);
        }
        let submissions = log(&stored.submission_ages)?;
        let resends = log(&stored.resend_ages)?;
        if seen_at < issued_at {
            return Err(StateError::ClockOutOfOrder);
        }
        if stored.version == 0 {
            return Err(StateError::ZeroVersion);
        }
        if stored.attempts > MAX_ATTEMPTS_PER_CODE {
            return Err(StateError::AttemptsOverBudget);
        }
        let consistent = match status {
            Status::CodeMismatch | Status::TooManyAttempts => stored.attempts > 0,
            Status::Pending | Status::Confirmed => true,
            Status::Expired => expires_at <= seen_at,
        };
        if !consistent {
            return Err(StateError::StatusInconsistent);
        }
        let grant = match stored.sign_in_grant {
            None => SignInGrant::NONE,
            // Only a confirmation records a grant.
            Some(_) if status != Status::Confirmed => return Err(StateError::StatusInconsistent),
            Some(grant) => {
                let until = Timestamp::from_unix_seconds(grant.until);
                if until.saturating_since(seen_at) > MAX_GRANT {
                    return Err(StateError::GrantTooLong);
                }
                SignInGrant::new(
                    parse_hex(&grant.nonce).ok_or(StateError::MalformedTag)?,
                    until,
                )
            }
        };
        Ok(Self::from_parts(Parts {
            status,
            attempts: stored.attempts,
            key_id: KeyId(stored.key_id),
            tag,
            replaced,
            issued_at,
            expires_at,
            seen_at,
            version: stored.version,
            submissions,
            resends,
            grant,
        }))
    }
}

/// A rate log from stored ages (at `last_changed_at`): each younger than any window,
/// oldest first.
fn log<const N: usize>(ages: &[u32]) -> Result<RateLog<N>, StateError> {
    if ages
        .iter()
        .any(|&age| Duration::from_secs(u64::from(age)) >= MAX_WINDOW)
    {
        return Err(StateError::WindowEntryTooOld);
    }
    RateLog::from_ages(ages).ok_or(StateError::ClockOutOfOrder)
}

/// Lower-case hex of `bytes`, in constant time (`base16ct`: a tag is secret); the
/// capacity `M` is exactly twice `N`.
fn hex<const N: usize, const M: usize>(bytes: &[u8; N]) -> String<M> {
    let mut digits = [0_u8; M];
    let mut text = String::new();
    // `M` is `2 * N` at every call, so encoding and the push cannot fail.
    if let Ok(encoded) = base16ct::lower::encode_str(bytes, &mut digits) {
        let _ = text.push_str(encoded);
    }
    text
}

/// Exactly `2 * N` lower-case hex digits to bytes, in constant time in their values.
fn parse_hex<const N: usize>(text: &str) -> Option<[u8; N]> {
    let mut bytes = [0_u8; N];
    if text.len() != N.checked_mul(2)? {
        return None;
    }
    let decoded = base16ct::lower::decode(text, &mut bytes).ok()?.len();
    (decoded == N).then_some(bytes)
}

/// Why a [`StoredState`] was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StateError {
    /// `status` is not one of the names of [`Status::as_str`].
    UnknownStatus,
    /// `tag` is not 64, `replaced_tag` not 16, or a sign-in grant's nonce not 32
    /// lower-case hex digits.
    MalformedTag,
    /// `expires_at` is before `issued_at`.
    DeadlineBeforeIssue,
    /// The code's lifetime exceeds what any policy allows.
    LifetimeTooLong,
    /// Recorded times are out of order: window entries not oldest first, more entries
    /// than a window holds, or the last change before the issue.
    ClockOutOfOrder,
    /// A window entry is older than any rate window (genuine logs are pruned on change).
    WindowEntryTooOld,
    /// `version` is 0; issued states start at 1.
    ZeroVersion,
    /// `attempts` exceeds what any policy allows.
    AttemptsOverBudget,
    /// The status contradicts the counters (say `code_mismatch` with no attempt spent, or
    /// `expired` before the deadline), or a state that is not confirmed holds a sign-in grant.
    StatusInconsistent,
    /// A sign-in grant outlives its confirmation by more than any session lives (15 minutes).
    GrantTooLong,
}

impl fmt::Display for StateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::UnknownStatus => "stored state has an unknown status",
            Self::MalformedTag => "stored state's tags are not lower-case hex of the right length",
            Self::DeadlineBeforeIssue => "stored state's deadline is before its issue time",
            Self::LifetimeTooLong => "stored state's code lifetime exceeds 30 days",
            Self::ClockOutOfOrder => "stored state's times are out of order",
            Self::WindowEntryTooOld => {
                "stored state's rate window holds an entry older than 7 days"
            }
            Self::ZeroVersion => "stored state's version is 0",
            Self::AttemptsOverBudget => "stored state's attempt counter exceeds any budget",
            Self::StatusInconsistent => "stored state's status contradicts its counters",
            Self::GrantTooLong => "stored state's sign-in grant outlives any session",
        })
    }
}

impl core::error::Error for StateError {}
