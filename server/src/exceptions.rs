//! The exceptions this server answers with on its own — around the crate's decision: the
//! transport, signatures, quotas, passwords, usernames — each named once, with the status the
//! service gives it. The crate's own are `confirmation_flow::cognito::Exception`.

use axum::http::StatusCode;

/// An exception of this server's own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerException {
    AccessDenied,
    IncompleteSignature,
    InvalidParameter,
    InvalidPassword,
    InvalidSignature,
    LimitExceeded,
    MissingAuthenticationToken,
    NotAuthorized,
    PasswordResetRequired,
    RequestEntityTooLarge,
    RequestTimeout,
    Serialization,
    TooManyRequests,
    Unauthorized,
    UnrecognizedClient,
    UnsupportedUserState,
    UsernameExists,
    UserNotConfirmed,
}

impl ServerException {
    /// The name on the wire (`__type`, `x-amzn-ErrorType`).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::AccessDenied => "AccessDeniedException",
            Self::IncompleteSignature => "IncompleteSignatureException",
            Self::InvalidParameter => "InvalidParameterException",
            Self::InvalidPassword => "InvalidPasswordException",
            Self::InvalidSignature => "InvalidSignatureException",
            Self::LimitExceeded => "LimitExceededException",
            Self::MissingAuthenticationToken => "MissingAuthenticationTokenException",
            Self::NotAuthorized => "NotAuthorizedException",
            Self::PasswordResetRequired => "PasswordResetRequiredException",
            Self::RequestEntityTooLarge => "RequestEntityTooLargeException",
            Self::RequestTimeout => "RequestTimeoutException",
            Self::Serialization => "SerializationException",
            Self::TooManyRequests => "TooManyRequestsException",
            Self::Unauthorized => "UnauthorizedException",
            Self::UnrecognizedClient => "UnrecognizedClientException",
            Self::UnsupportedUserState => "UnsupportedUserStateException",
            Self::UsernameExists => "UsernameExistsException",
            Self::UserNotConfirmed => "UserNotConfirmedException",
        }
    }

    /// The status the service answers it with.
    #[must_use]
    pub const fn status(self) -> StatusCode {
        match self {
            Self::AccessDenied => StatusCode::FORBIDDEN,
            Self::RequestEntityTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::IncompleteSignature
            | Self::MissingAuthenticationToken
            | Self::NotAuthorized
            | Self::PasswordResetRequired
            | Self::InvalidParameter
            | Self::InvalidPassword
            | Self::InvalidSignature
            | Self::LimitExceeded
            | Self::Serialization
            | Self::TooManyRequests
            | Self::UnrecognizedClient
            | Self::UnsupportedUserState
            | Self::UsernameExists
            | Self::UserNotConfirmed => StatusCode::BAD_REQUEST,
        }
    }
}
