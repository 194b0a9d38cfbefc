//! Every error the binding raises, with the name a JavaScript `Error` carries, the HTTP
//! status to answer with, and the AWS JSON body a client may see.

use alloc::{
    boxed::Box,
    format,
    string::{String, ToString},
};
use core::fmt;

use confirmation_flow::{KeyRingError, PolicyError, StateError, cognito::Exception};

/// Why a call failed. Faults of the request (a body that is not JSON, a member that breaks
/// the service model, an operation the crate does not serve) answer 400 with their own
/// `__type`; faults of the caller or its store (a malformed look-up, a stored state that
/// does not load, a bad pool configuration) answer 500 `InternalErrorException`, and their
/// details go only to the error's message, for the log.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The request broke the service model: `InvalidParameterException` and friends
    /// (boxed: a validation error lists every broken rule, a few hundred bytes).
    Exception(Box<Exception<'static>>),
    /// The operation is not one the crate decides, or not one the caller serves (the same
    /// answer either way: it tells a client nothing about how the endpoint is configured):
    /// the crate's [`Exception::UnknownOperation`], over a target this error owns. (A body
    /// that is not a JSON object of its operation's shape is an [`Exception`] too:
    /// [`Exception::Serialization`].)
    UnknownOperation {
        /// The operation or `X-Amz-Target` as given (cut to what the message echoes).
        target: String,
    },
    /// A stored state did not load: the row is corrupt or was tampered with.
    State {
        /// Whose state: `user` or `phantom`, or `state` when it was passed alone.
        whose: &'static str,
        /// Why it was refused.
        reason: StateReason,
    },
    /// An argument from JavaScript did not have the documented shape (a missing member,
    /// a string where a number belongs, an unknown status name).
    Type(String),
    /// A moment from JavaScript outside the range the binding takes (an invalid `Date`, one
    /// before 2000 or after 9999): a JavaScript `RangeError`.
    Range(String),
    /// The pool configuration was refused.
    Config(String),
    /// The runtime's CSPRNG (`crypto.getRandomValues`) failed or is missing.
    Random(String),
    /// The decision asked for something this binding cannot carry out (a version beyond
    /// what JavaScript counts exactly, a value that does not serialize).
    Unsupported(&'static str),
}

/// Why a stored state was refused: the crate's validation, or the binding's own limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StateReason {
    /// Not JSON, or not the stored state's shape.
    Malformed,
    /// The crate's check of the state's invariants failed.
    Invalid(StateError),
    /// The version is too large for a JavaScript number to hold the next one exactly.
    VersionBeyondSafeInteger,
}

/// The crate's `UnknownOperationException`, for its name and status (they do not depend on
/// the target).
const UNKNOWN: Exception<'static> = Exception::UnknownOperation { target: "" };

/// The largest integer a JavaScript number holds exactly, 2⁵³ − 1.
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

impl Error {
    /// The `name` of the JavaScript `Error`: the AWS `__type` for request faults, else
    /// `StateError`, `TypeError`, `RangeError`, `ConfigError`, `RandomnessError` or
    /// `UnsupportedError`.
    #[must_use]
    pub const fn name(&self) -> &'static str {
        match self {
            Self::Exception(exception) => exception.name(),
            Self::UnknownOperation { .. } => UNKNOWN.name(),
            Self::State { .. } => "StateError",
            Self::Type(_) => "TypeError",
            Self::Range(_) => "RangeError",
            Self::Config(_) => "ConfigError",
            Self::Random(_) => "RandomnessError",
            Self::Unsupported(_) => "UnsupportedError",
        }
    }

    /// The HTTP status to answer with: the exception's for request faults (400), else 500.
    #[must_use]
    pub const fn http_status(&self) -> u16 {
        match self {
            Self::Exception(exception) => exception.http_status(),
            Self::UnknownOperation { .. } => UNKNOWN.http_status(),
            _ => 500,
        }
    }

    /// The `__type` of the body a client may see: the name for request faults, else
    /// `InternalErrorException`.
    #[must_use]
    pub const fn body_type(&self) -> &'static str {
        if self.is_request_fault() {
            self.name()
        } else {
            "InternalErrorException"
        }
    }

    /// The `message` of the body a client may see: this error's message for request
    /// faults, else the service's `Internal error.` (the details are for the log only).
    #[must_use]
    pub fn body_message(&self) -> String {
        if self.is_request_fault() {
            self.to_string()
        } else {
            Exception::InternalError.to_string()
        }
    }

    /// Whether the request itself is at fault (the client may see why).
    const fn is_request_fault(&self) -> bool {
        matches!(self, Self::Exception(_) | Self::UnknownOperation { .. })
    }

    /// A [`Type`](Self::Type) error about the member `path`.
    pub(crate) fn type_error(path: &str, expected: &str) -> Self {
        Self::Type(format!("{path}: expected {expected}"))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Exception(exception) => exception.fmt(f),
            Self::UnknownOperation { target } => Exception::UnknownOperation { target }.fmt(f),
            Self::State { whose, reason } => match reason {
                StateReason::Malformed => {
                    write!(f, "the {whose}'s stored state is not a stored state's JSON")
                }
                StateReason::Invalid(error) => write!(f, "the {whose}'s {error}"),
                StateReason::VersionBeyondSafeInteger => write!(
                    f,
                    "the {whose}'s stored state has a version above {}, which JavaScript \
                     numbers cannot count past exactly",
                    MAX_SAFE_INTEGER.saturating_sub(1)
                ),
            },
            Self::Type(message)
            | Self::Range(message)
            | Self::Config(message)
            | Self::Random(message) => f.write_str(message),
            Self::Unsupported(what) => write!(f, "this binding cannot carry out {what}"),
        }
    }
}

impl core::error::Error for Error {}

impl From<Exception<'static>> for Error {
    fn from(exception: Exception<'static>) -> Self {
        Self::Exception(Box::new(exception))
    }
}

impl From<PolicyError> for Error {
    fn from(error: PolicyError) -> Self {
        Self::Config(format!("policy: {error}"))
    }
}

impl From<KeyRingError> for Error {
    fn from(error: KeyRingError) -> Self {
        Self::Config(format!("keys: {error}"))
    }
}

#[cfg(test)]
mod tests {
    use confirmation_flow::{StateError, cognito::Exception};

    use super::{Error, StateReason};

    #[test]
    fn request_faults_answer_400_with_their_own_type() {
        let error = Error::from(Exception::CodeMismatch);
        assert_eq!(error.name(), "CodeMismatchException");
        assert_eq!(error.http_status(), 400);
        assert_eq!(error.body_type(), "CodeMismatchException");
        assert_eq!(
            error.body_message(),
            "Invalid verification code provided, please try again."
        );
    }

    #[test]
    fn server_faults_answer_500_and_keep_their_details_out_of_the_body() {
        let error = Error::State {
            whose: "user",
            reason: StateReason::Invalid(StateError::ZeroVersion),
        };
        assert_eq!(error.name(), "StateError");
        assert_eq!(error.http_status(), 500);
        assert_eq!(error.body_type(), "InternalErrorException");
        assert_eq!(error.body_message(), "Internal error.");
        assert_eq!(error.to_string(), "the user's stored state's version is 0");
    }
}
