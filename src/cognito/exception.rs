//! `Exception`: every error of `SignUp`'s code part, `ConfirmSignUp`,
//! `AdminConfirmSignUp` and `ResendConfirmationCode`, with the service's `__type`, message
//! and HTTP status.

use super::{AliasAttribute, UserStatus, validation::ValidationErrors};
use crate::Refusal;

/// An answer in Cognito's error vocabulary.
///
/// [`name`](Self::name) is the `__type` of the error body, `Display` writes the `message`
/// exactly as the service words it (interpolations included), and
/// [`http_status`](Self::http_status) is what the live service answers: 400 for every client
/// fault (even where the service model says 403/404/429), 500 for internal errors.
///
/// Non-exhaustive: an embedder forwards an exception (its name, message, status and body)
/// without acting on its kind, so a new one needs no new code there.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Exception<'a> {
    /// Request members broke the service model's constraints.
    Validation(ValidationErrors),
    /// `ResendConfirmationCode` for a user who is already confirmed.
    AlreadyConfirmedResend,
    /// `SignUp` with a username in the format of an alias attribute of the pool:
    /// `Username cannot be of email format, since user pool is configured for email alias.`
    UsernameFormat {
        /// The alias attribute whose format the username has.
        attribute: AliasAttribute,
    },
    /// `SignUp` with a username that is taken: `User already exists`.
    UsernameExists,
    /// `SignUp` naming `email` or `phone_number` more than once in `UserAttributes`:
    /// `Attributes did not conform to the schema: email: The attribute is given more than once.`
    AttributeRepeated {
        /// Which attribute.
        attribute: AliasAttribute,
    },
    /// `SignUp` with a malformed `email` or `phone_number` value (see
    /// [`AliasAttribute::accepts`]): `Invalid email address format.` or `Invalid phone
    /// number format.`, the service's words (aws-amplify/amplify-js#5313;
    /// dabit3/gatsby-auth-starter-aws-amplify#31, amazon-archives/amazon-cognito-identity-js#316).
    AttributeFormat {
        /// Which attribute.
        attribute: AliasAttribute,
    },
    /// The app client id is unknown: `User pool client <id> does not exist.`
    ClientNotFound {
        /// The client id as sent (it passed validation, so it is plain ASCII).
        client_id: &'a str,
    },
    /// The user pool id is unknown: `User pool <id> does not exist.`
    UserPoolNotFound {
        /// The pool id as sent.
        user_pool_id: &'a str,
    },
    /// The client has a secret but the request carried no `SecretHash`.
    SecretHashMissing {
        /// The client id as sent.
        client_id: &'a str,
    },
    /// The `SecretHash` did not verify.
    SecretHashWrong {
        /// The client id as sent.
        client_id: &'a str,
    },
    /// The user is not `UNCONFIRMED`: `User cannot be confirmed. Current status is <S>`.
    CannotConfirm {
        /// The user's current status.
        status: UserStatus,
    },
    /// The app client does not allow this sign-in flow (`InvalidParameterException`):
    /// `<flow> flow not enabled for this client`.
    FlowNotEnabled {
        /// The flow, e.g. `USER_AUTH`.
        flow: &'static str,
    },
    /// A sign-in `Session` that does not let the user in — forged, expired, spent, another
    /// user's or client's, or the user not confirmed (`NotAuthorizedException`):
    /// `Invalid session for the user.`, as the service answers for its challenge sessions.
    InvalidSession,
    /// Unknown user on the public operations (`PreventUserExistenceErrors` = `LEGACY`).
    UserNotFound,
    /// Unknown user on `AdminConfirmSignUp`.
    AdminUserNotFound,
    /// The code did not match.
    CodeMismatch,
    /// The code expired, was replaced by a resend, or was never issued.
    ExpiredCode,
    /// The code's attempts are spent; a new code is needed.
    TooManyFailedAttempts,
    /// The user's rolling window for this operation is full.
    LimitExceeded,
    /// The attribute being verified is already a verified alias of another user.
    AliasExists {
        /// Which attribute.
        attribute: AliasAttribute,
    },
    /// The `PostConfirmation` trigger returned an error.
    UserLambdaValidation {
        /// The function's error message.
        error: &'a str,
    },
    /// The `PostConfirmation` trigger could not be invoked (timeout, permission, …).
    UnexpectedLambda {
        /// Why the invocation failed.
        reason: &'a str,
    },
    /// The `PostConfirmation` trigger's output was not valid.
    InvalidLambdaResponse,
    /// Request-rate throttling.
    TooManyRequests,
    /// The operation is disabled for this pool.
    OperationNotEnabled,
    /// A web ACL blocked the request.
    Forbidden,
    /// The code could not be delivered.
    CodeDeliveryFailure,
    /// The pool's SMS role policy is wrong.
    InvalidSmsRoleAccessPolicy,
    /// The pool's SMS role trust is wrong.
    InvalidSmsRoleTrustRelationship,
    /// The pool's email role policy is wrong.
    InvalidEmailRoleAccessPolicy,
    /// Something failed on the server side.
    InternalError,
    /// The body is not a JSON object of its operation's shape (`SerializationException`):
    /// `The body is not a valid ConfirmSignUp request: the body ends early (line 1, column
    /// 13)`. Saying where and how, never what the body held (a value may be a code or a
    /// secret hash). The embedder's answer before any decision, never a decision's.
    Serialization {
        /// The operation the body was read as, e.g. `ConfirmSignUp`: one of the crate's
        /// ([`OperationName::as_str`](super::OperationName::as_str)) or another the
        /// endpoint serves.
        operation: &'a str,
        /// What is wrong with it.
        fault: BodyFault,
        /// Where the body broke: its line (from 1, as JSON parsers count).
        line: usize,
        /// Where the body broke: its column.
        column: usize,
    },
    /// An `X-Amz-Target` (or operation name) the endpoint does not serve
    /// (`UnknownOperationException`): `Unknown operation <target>`. The same answer for an
    /// operation the crate does not decide and one the endpoint chooses not to serve, so it
    /// tells nothing of the configuration. The embedder's answer before any decision.
    UnknownOperation {
        /// The target as sent; the message shows its first
        /// [`MAX_ECHOED_TARGET_CHARS`](Self::MAX_ECHOED_TARGET_CHARS) characters.
        target: &'a str,
    },
}

/// What is wrong with a body that is not a request ([`Exception::Serialization`]), in
/// words that never echo it. Map your JSON parser's error onto it (`serde_json`: `Data`,
/// `Eof`, and `Syntax` or `Io`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BodyFault {
    /// A member has the wrong type or size (or the body is not an object).
    Member,
    /// The body ends early.
    Truncated,
    /// The body is not JSON.
    NotJson,
}

impl BodyFault {
    /// The words the message uses, e.g. `the body ends early`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Member => "a member has the wrong type or size",
            Self::Truncated => "the body ends early",
            Self::NotJson => "not JSON",
        }
    }
}

impl Exception<'_> {
    /// How much of an unknown target [`UnknownOperation`](Self::UnknownOperation)'s message
    /// echoes, in characters.
    pub const MAX_ECHOED_TARGET_CHARS: usize = 128;

    /// A refusal of the state machine in Cognito's words. A key the caller could not
    /// supply, an exhausted version counter and exhausted entropy are server faults.
    pub(crate) const fn for_refusal(refusal: Refusal) -> Exception<'static> {
        match refusal {
            Refusal::AlreadyConfirmed => Exception::CannotConfirm {
                status: UserStatus::Confirmed,
            },
            Refusal::RateLimited { .. } => Exception::LimitExceeded,
            Refusal::TooManyAttempts => Exception::TooManyFailedAttempts,
            Refusal::Expired => Exception::ExpiredCode,
            Refusal::CodeMismatch { .. } => Exception::CodeMismatch,
            _ => Exception::InternalError,
        }
    }

    /// The `__type` of the error body, e.g. `CodeMismatchException`.
    #[must_use]
    pub const fn name(&self) -> &'static str {
        match self {
            Self::Validation(_)
            | Self::FlowNotEnabled { .. }
            | Self::AlreadyConfirmedResend
            | Self::UsernameFormat { .. }
            | Self::AttributeRepeated { .. }
            | Self::AttributeFormat { .. } => "InvalidParameterException",
            Self::UsernameExists => "UsernameExistsException",
            Self::ClientNotFound { .. } | Self::UserPoolNotFound { .. } => {
                "ResourceNotFoundException"
            }
            Self::SecretHashMissing { .. }
            | Self::SecretHashWrong { .. }
            | Self::CannotConfirm { .. }
            | Self::InvalidSession => "NotAuthorizedException",
            Self::UserNotFound | Self::AdminUserNotFound => "UserNotFoundException",
            Self::CodeMismatch => "CodeMismatchException",
            Self::ExpiredCode => "ExpiredCodeException",
            Self::TooManyFailedAttempts => "TooManyFailedAttemptsException",
            Self::LimitExceeded => "LimitExceededException",
            Self::AliasExists { .. } => "AliasExistsException",
            Self::UserLambdaValidation { .. } => "UserLambdaValidationException",
            Self::UnexpectedLambda { .. } => "UnexpectedLambdaException",
            Self::InvalidLambdaResponse => "InvalidLambdaResponseException",
            Self::TooManyRequests => "TooManyRequestsException",
            Self::OperationNotEnabled => "OperationNotEnabledException",
            Self::Forbidden => "ForbiddenException",
            Self::CodeDeliveryFailure => "CodeDeliveryFailureException",
            Self::InvalidSmsRoleAccessPolicy => "InvalidSmsRoleAccessPolicyException",
            Self::InvalidSmsRoleTrustRelationship => "InvalidSmsRoleTrustRelationshipException",
            Self::InvalidEmailRoleAccessPolicy => "InvalidEmailRoleAccessPolicyException",
            Self::InternalError => "InternalErrorException",
            Self::Serialization { .. } => "SerializationException",
            Self::UnknownOperation { .. } => "UnknownOperationException",
        }
    }

    /// The HTTP status the live service answers with: 500 for
    /// [`InternalError`](Self::InternalError), 400 for everything else.
    #[must_use]
    pub const fn http_status(&self) -> u16 {
        match self {
            Self::InternalError => 500,
            _ => 400,
        }
    }
}

impl core::error::Error for Exception<'_> {}
