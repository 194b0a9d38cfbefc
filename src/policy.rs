//! `Policy`: the limits a confirmation runs under, validated once.

use core::{fmt, time::Duration};

use crate::alphabet::{Alphabet, MAX_CODE_LEN};

/// The fewest distinct codes a policy may produce: 10⁶, six decimal digits (19.93 bits).
///
/// Cognito's six digits sit exactly here, so "at least 20 bits" is read as "at least the
/// entropy of six digits"; four base32 symbols (2²⁰) also pass, three (2¹⁵) do not.
pub const MIN_CODE_SPACE: u64 = 1_000_000;

/// The most submissions per window a state can remember (Cognito's documented quota).
pub const MAX_SUBMISSIONS_PER_WINDOW: u8 = 15;

/// The most resends per window a state can remember (Cognito's documented quota).
pub const MAX_RESENDS_PER_WINDOW: u8 = 5;

/// The most attempts a policy may allow against one code.
pub const MAX_ATTEMPTS_PER_CODE: u8 = 20;

/// The longest a code may live.
pub const MAX_CODE_TTL: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// The longest a rate window may be.
pub const MAX_WINDOW: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// A policy may let a guesser hit a code within 24 hours with a chance of at most one in
/// this many (see [`GuessBound`]). Cognito's numbers give 360 in 10⁶, one in 2,778.
pub const MIN_DAILY_GUESS_ODDS: u64 = 1_000;

const DAY: u64 = 24 * 60 * 60;

/// The settings a [`Policy`] is built from; every field is checked by [`Policy::new`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[expect(
    clippy::exhaustive_structs,
    reason = "a plain settings record meant to be built with struct-update syntax from COGNITO"
)]
pub struct PolicyConfig {
    /// How long a code stays usable after it is issued (whole seconds; at least 1 s).
    pub code_ttl: Duration,
    /// Symbols per code (at most [`MAX_CODE_LEN`]).
    pub code_length: u8,
    /// What the symbols are.
    pub alphabet: Alphabet,
    /// Submissions one code may receive; the last wrong one kills it (1 to [`MAX_ATTEMPTS_PER_CODE`]).
    pub attempts_per_code: u8,
    /// Code submissions per user in any rolling window (1 to [`MAX_SUBMISSIONS_PER_WINDOW`]).
    pub submissions_per_window: u8,
    /// Resends per user in any rolling window (1 to [`MAX_RESENDS_PER_WINDOW`]).
    pub resends_per_window: u8,
    /// The length of the rolling window (1 s to [`MAX_WINDOW`]).
    pub window: Duration,
}

impl PolicyConfig {
    /// Cognito's numbers: codes live 24 h, six digits, five attempts per code, at most
    /// 15 submissions and 5 resends per user in any rolling hour.
    pub const COGNITO: Self = Self {
        code_ttl: Duration::from_secs(24 * 60 * 60),
        code_length: 6,
        alphabet: Alphabet::Digits,
        attempts_per_code: 5,
        submissions_per_window: MAX_SUBMISSIONS_PER_WINDOW,
        resends_per_window: MAX_RESENDS_PER_WINDOW,
        window: Duration::from_secs(60 * 60),
    };
}

impl Default for PolicyConfig {
    fn default() -> Self {
        Self::COGNITO
    }
}

/// Validated limits for codes, attempts and rate windows. Not stored in a state: pass the
/// same policy to every call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Policy(PolicyConfig);

impl Policy {
    /// [`PolicyConfig::COGNITO`], already validated.
    pub const COGNITO: Self = Self(PolicyConfig::COGNITO);

    /// Checks `config` and wraps it.
    ///
    /// # Errors
    /// The first [`PolicyError`] found, in field order; then
    /// [`PolicyError::GuessingTooLikely`] if the worst-case chance of guessing a code within
    /// 24 hours ([`GuessBound`]) exceeds one in [`MIN_DAILY_GUESS_ODDS`].
    pub const fn new(config: PolicyConfig) -> Result<Self, PolicyError> {
        let ttl = config.code_ttl.as_secs();
        if ttl == 0 || ttl > MAX_CODE_TTL.as_secs() {
            return Err(PolicyError::CodeTtlOutOfRange);
        }
        // The cast is lossless: MAX_CODE_LEN is 16.
        if config.code_length == 0 || config.code_length as usize > MAX_CODE_LEN {
            return Err(PolicyError::CodeLengthOutOfRange);
        }
        let bound = GuessBound::of(&config);
        if bound.code_space < MIN_CODE_SPACE {
            return Err(PolicyError::CodeSpaceTooSmall);
        }
        if config.attempts_per_code == 0 || config.attempts_per_code > MAX_ATTEMPTS_PER_CODE {
            return Err(PolicyError::AttemptsOutOfRange);
        }
        if config.submissions_per_window == 0
            || config.submissions_per_window > MAX_SUBMISSIONS_PER_WINDOW
        {
            return Err(PolicyError::SubmissionsOutOfRange);
        }
        if config.resends_per_window == 0 || config.resends_per_window > MAX_RESENDS_PER_WINDOW {
            return Err(PolicyError::ResendsOutOfRange);
        }
        let window = config.window.as_secs();
        if window == 0 || window > MAX_WINDOW.as_secs() {
            return Err(PolicyError::WindowOutOfRange);
        }
        if bound.guesses_per_day.saturating_mul(MIN_DAILY_GUESS_ODDS) > bound.code_space {
            return Err(PolicyError::GuessingTooLikely);
        }
        Ok(Self(config))
    }

    /// The most codes a guesser can try against one user in any 24 hours under this policy,
    /// and how many codes there are: their ratio bounds the chance of a hit.
    #[must_use]
    pub const fn guess_bound(&self) -> GuessBound {
        GuessBound::of(&self.0)
    }

    /// The settings this policy was built from.
    #[must_use]
    pub const fn config(&self) -> &PolicyConfig {
        &self.0
    }

    /// How long a code lives.
    #[must_use]
    pub const fn code_ttl(&self) -> Duration {
        self.0.code_ttl
    }

    /// Symbols per code.
    #[must_use]
    pub const fn code_length(&self) -> u8 {
        self.0.code_length
    }

    /// The code alphabet.
    #[must_use]
    pub const fn alphabet(&self) -> Alphabet {
        self.0.alphabet
    }

    /// Submissions one code may receive.
    #[must_use]
    pub const fn attempts_per_code(&self) -> u8 {
        self.0.attempts_per_code
    }

    /// Code submissions per user per rolling window.
    #[must_use]
    pub const fn submissions_per_window(&self) -> u8 {
        self.0.submissions_per_window
    }

    /// Resends per user per rolling window.
    #[must_use]
    pub const fn resends_per_window(&self) -> u8 {
        self.0.resends_per_window
    }

    /// The rolling window's length.
    #[must_use]
    pub const fn window(&self) -> Duration {
        self.0.window
    }
}

impl Default for Policy {
    fn default() -> Self {
        Self::COGNITO
    }
}

/// The worst case a policy allows against one user in any 24 hours: at most
/// `guesses_per_day` comparisons against codes drawn uniformly from `code_space`, so the
/// chance that any of them hits is at most `guesses_per_day / code_space` (a union bound,
/// whatever the guesser does and however many codes are resent).
///
/// With `n = ⌈24 h / window⌉` windows touching a day, `guesses_per_day` is the smaller of
/// `submissions_per_window × n` (every comparison is a counted submission) and
/// `(resends_per_window × n + 1) × attempts_per_code` (every comparison spends an attempt of
/// a code that was live that day). For [`Policy::COGNITO`]: `min(15 × 24, 121 × 5)` = 360
/// in 10⁶.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct GuessBound {
    /// The most comparisons any 24 hours can hold.
    pub guesses_per_day: u64,
    /// How many distinct codes the policy draws from (`alphabet size ^ code length`,
    /// saturating at `u64::MAX`).
    pub code_space: u64,
}

impl GuessBound {
    const fn of(config: &PolicyConfig) -> Self {
        // A zero window is refused before this runs; `max(1)` keeps the division total.
        let window = if config.window.as_secs() == 0 {
            1
        } else {
            config.window.as_secs()
        };
        let windows = DAY.div_ceil(window);
        let by_submissions = (config.submissions_per_window as u64).saturating_mul(windows);
        let codes = (config.resends_per_window as u64)
            .saturating_mul(windows)
            .saturating_add(1);
        let by_attempts = codes.saturating_mul(config.attempts_per_code as u64);
        let guesses_per_day = if by_submissions < by_attempts {
            by_submissions
        } else {
            by_attempts
        };
        let code_space = (config.alphabet.size() as u64).saturating_pow(config.code_length as u32);
        Self {
            guesses_per_day,
            code_space,
        }
    }
}

impl fmt::Display for GuessBound {
    /// `360 in 1000000`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} in {}", self.guesses_per_day, self.code_space)
    }
}

/// Why [`Policy::new`] refused a [`PolicyConfig`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PolicyError {
    /// `code_ttl` is under one second or over [`MAX_CODE_TTL`].
    CodeTtlOutOfRange,
    /// `code_length` is zero or over [`MAX_CODE_LEN`].
    CodeLengthOutOfRange,
    /// The alphabet and length give fewer than [`MIN_CODE_SPACE`] codes.
    CodeSpaceTooSmall,
    /// `attempts_per_code` is zero or over [`MAX_ATTEMPTS_PER_CODE`].
    AttemptsOutOfRange,
    /// `submissions_per_window` is zero or over [`MAX_SUBMISSIONS_PER_WINDOW`].
    SubmissionsOutOfRange,
    /// `resends_per_window` is zero or over [`MAX_RESENDS_PER_WINDOW`].
    ResendsOutOfRange,
    /// `window` is under one second or over [`MAX_WINDOW`].
    WindowOutOfRange,
    /// The limits let a guesser hit a code within 24 hours with a chance above one in
    /// [`MIN_DAILY_GUESS_ODDS`] (see [`GuessBound`]).
    GuessingTooLikely,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::CodeTtlOutOfRange => "code lifetime must be between 1 second and 30 days",
            Self::CodeLengthOutOfRange => "code length must be between 1 and 16 symbols",
            Self::CodeSpaceTooSmall => "codes must have at least 10^6 possible values",
            Self::AttemptsOutOfRange => "attempts per code must be between 1 and 20",
            Self::SubmissionsOutOfRange => "submissions per window must be between 1 and 15",
            Self::ResendsOutOfRange => "resends per window must be between 1 and 5",
            Self::WindowOutOfRange => "the rate window must be between 1 second and 7 days",
            Self::GuessingTooLikely => {
                "the limits allow more than a 1 in 1000 chance of guessing a code within 24 hours"
            }
        })
    }
}

impl core::error::Error for PolicyError {}
