//! Each [`Exception`]'s `message`, in the service's words where they are known (the sources
//! are named beside the ones that are ours).

use core::fmt;

use super::{domain::AliasAttribute, exception::Exception};

impl fmt::Display for Exception<'_> {
    /// The `message` of the error body.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Validation(errors) => errors.fmt(f),
            Self::AlreadyConfirmedResend => f.write_str("User is already confirmed."),
            // The email wording is the service's (amplify-js#8800); the phone wording follows
            // the same template with the attribute name, as AliasExists does (unverified).
            Self::UsernameFormat { attribute } => write!(
                f,
                "Username cannot be of {attribute} format, since user pool is configured for \
                 {attribute} alias."
            ),
            Self::UsernameExists => f.write_str("User already exists"),
            // The service's schema messages have this shape ("Attributes did not conform to
            // the schema: <name>: <reason>"); the reason's wording is ours.
            Self::AttributeRepeated { attribute } => write!(
                f,
                "Attributes did not conform to the schema: {attribute}: The attribute is given \
                 more than once."
            ),
            Self::AttributeFormat {
                attribute: AliasAttribute::Email,
            } => f.write_str("Invalid email address format."),
            Self::AttributeFormat {
                attribute: AliasAttribute::PhoneNumber,
            } => f.write_str("Invalid phone number format."),
            Self::ClientNotFound { client_id } => {
                write!(f, "User pool client {client_id} does not exist.")
            }
            Self::UserPoolNotFound { user_pool_id } => {
                write!(f, "User pool {user_pool_id} does not exist.")
            }
            Self::SecretHashMissing { client_id } => write!(
                f,
                "Client {client_id} is configured with secret but SECRET_HASH was not received"
            ),
            Self::SecretHashWrong { client_id } => {
                write!(f, "Unable to verify secret hash for client {client_id}")
            }
            Self::CannotConfirm { status } => {
                write!(f, "User cannot be confirmed. Current status is {status}")
            }
            Self::FlowNotEnabled { flow } => write!(f, "{flow} flow not enabled for this client"),
            Self::InvalidSession => f.write_str("Invalid session for the user."),
            Self::UserNotFound => f.write_str("Username/client id combination not found."),
            Self::AdminUserNotFound => f.write_str("User does not exist."),
            Self::CodeMismatch => {
                f.write_str("Invalid verification code provided, please try again.")
            }
            Self::ExpiredCode => f.write_str("Invalid code provided, please request a code again."),
            Self::TooManyFailedAttempts => {
                f.write_str("Too many failed attempts for this code, please request a new code.")
            }
            Self::LimitExceeded => {
                f.write_str("Attempt limit exceeded, please try after some time.")
            }
            Self::AliasExists { attribute } => {
                write!(f, "An account with the {attribute} already exists.")
            }
            Self::UserLambdaValidation { error } => {
                write!(f, "PostConfirmation failed with error {error}.")
            }
            Self::UnexpectedLambda { reason } => {
                write!(
                    f,
                    "PostConfirmation invocation failed due to error {reason}."
                )
            }
            Self::InvalidLambdaResponse => {
                f.write_str("Invalid lambda function output : Invalid JSON")
            }
            Self::TooManyRequests => f.write_str("Rate exceeded"),
            Self::OperationNotEnabled => {
                f.write_str("This operation is not enabled for the user pool.")
            }
            Self::Forbidden => f.write_str("Request blocked by the web ACL."),
            Self::CodeDeliveryFailure => f.write_str("Unable to deliver the confirmation code."),
            Self::InvalidSmsRoleAccessPolicy => {
                f.write_str("The SMS role does not have permission to publish using Amazon SNS.")
            }
            Self::InvalidSmsRoleTrustRelationship => {
                f.write_str("The SMS role trust relationship is not valid.")
            }
            Self::InvalidEmailRoleAccessPolicy => {
                f.write_str("The email role does not have permission to send email.")
            }
            Self::InternalError => f.write_str("Internal error."),
            Self::Serialization {
                operation,
                fault,
                line,
                column,
            } => write!(
                f,
                "The body is not a valid {operation} request: {} (line {line}, column {column})",
                fault.as_str()
            ),
            Self::UnknownOperation { target } => {
                let end = target
                    .char_indices()
                    .nth(Self::MAX_ECHOED_TARGET_CHARS)
                    .map_or(target.len(), |(at, _)| at);
                f.write_str("Unknown operation ")?;
                f.write_str(target.get(..end).unwrap_or(target))
            }
        }
    }
}
