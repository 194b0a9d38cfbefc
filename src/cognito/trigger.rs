//! The `PostConfirmation` trigger: the event the crate builds, and how the caller's report of
//! the invocation maps to an exception.

use super::{AliasAttribute, ClientMetadata, Exception};

/// `callerContext.clientId` for admin operations.
pub const CLIENT_ID_NOT_APPLICABLE: &str = "CLIENT_ID_NOT_APPLICABLE";

/// The event a `PostConfirmation` Lambda receives, in the service's shape (with feature
/// `serde` it serializes to the exact JSON; see [`PostConfirmationEvent::VERSION`] and
/// friends for the constant members).
///
/// The crate builds it; the caller invokes the trigger *after* persisting the confirmation,
/// because the user stays confirmed whatever the trigger does. `Debug` shows attribute
/// names, not their values.
#[derive(Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct PostConfirmationEvent<'a> {
    /// `region`.
    pub region: &'a str,
    /// `userPoolId`.
    pub user_pool_id: &'a str,
    /// `userName`: the user's username.
    pub user_name: &'a str,
    /// `callerContext.clientId`: the app client, or [`CLIENT_ID_NOT_APPLICABLE`].
    pub client_id: &'a str,
    /// The user's stored attributes; see [`Self::user_attributes`] for what is sent.
    pub stored_attributes: &'a [(&'a str, &'a str)],
    /// The attribute this confirmation verified, if any.
    pub verified: Option<AliasAttribute>,
    /// `request.clientMetadata`, present only when the request carried it.
    pub client_metadata: Option<ClientMetadata<'a>>,
    /// `triggerSource`: what confirmed the user.
    pub source: TriggerSource,
}

/// What confirmed the user, as the event's `triggerSource` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TriggerSource {
    /// `ConfirmSignUp` or `AdminConfirmSignUp`: `PostConfirmation_ConfirmSignUp`.
    ConfirmSignUp,
    /// `ConfirmForgotPassword` (the service invokes the trigger for every reset, a confirmed
    /// user's too): `PostConfirmation_ConfirmForgotPassword`.
    ConfirmForgotPassword,
}

impl TriggerSource {
    /// The name the event carries.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ConfirmSignUp => "PostConfirmation_ConfirmSignUp",
            Self::ConfirmForgotPassword => "PostConfirmation_ConfirmForgotPassword",
        }
    }
}

impl<'a> PostConfirmationEvent<'a> {
    /// `version`.
    pub const VERSION: &'static str = "1";
    /// `callerContext.awsSdkVersion` for API callers.
    pub const AWS_SDK_VERSION: &'static str = "aws-sdk-unknown-unknown";

    /// The event for a password reset (`ConfirmForgotPassword`) of the user `user_name`,
    /// whose stored attributes are `stored_attributes`, through the app client `client_id`:
    /// for an embedder that serves resets itself (the crate decides sign-up confirmations
    /// only). It verifies nothing.
    #[must_use]
    pub const fn forgot_password(
        (region, user_pool_id): (&'a str, &'a str),
        user_name: &'a str,
        client_id: &'a str,
        stored_attributes: &'a [(&'a str, &'a str)],
        client_metadata: Option<ClientMetadata<'a>>,
    ) -> Self {
        Self {
            region,
            user_pool_id,
            user_name,
            client_id,
            stored_attributes,
            verified: None,
            client_metadata,
            source: TriggerSource::ConfirmForgotPassword,
        }
    }

    /// `request.userAttributes`: the stored attributes, with `cognito:user_status` set to
    /// `CONFIRMED` and, if an attribute was verified, its `*_verified` flag set to `"true"`.
    /// All values are strings, as in real events.
    pub fn user_attributes(&self) -> impl Iterator<Item = (&'a str, &'a str)> + Clone + 'a {
        let flag = self.verified.map(AliasAttribute::verified_flag);
        let overridden = move |name: &str| name == "cognito:user_status" || Some(name) == flag;
        self.stored_attributes
            .iter()
            .copied()
            .filter(move |&(name, _)| !overridden(name))
            .chain(core::iter::once(("cognito:user_status", "CONFIRMED")))
            .chain(flag.map(|flag| (flag, "true")))
    }
}

/// What the caller saw when it invoked the trigger.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TriggerOutcome<'a> {
    /// The function returned the event.
    Succeeded,
    /// The function threw or returned an error with this message.
    FunctionError {
        /// The function's error message.
        error: &'a str,
    },
    /// The invocation failed (timeout, throttling, permissions) for this reason.
    InvocationFailed {
        /// Why, e.g. `Socket timeout while invoking Lambda function`.
        reason: &'a str,
    },
    /// The function's output was not valid JSON.
    InvalidOutput,
}

impl<'a> TriggerOutcome<'a> {
    /// The exception to answer with, if any. The confirmation itself stands either way.
    #[must_use]
    pub const fn exception(self) -> Option<Exception<'a>> {
        match self {
            Self::Succeeded => None,
            Self::FunctionError { error } => Some(Exception::UserLambdaValidation { error }),
            Self::InvocationFailed { reason } => Some(Exception::UnexpectedLambda { reason }),
            Self::InvalidOutput => Some(Exception::InvalidLambdaResponse),
        }
    }
}

impl core::fmt::Debug for PostConfirmationEvent<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let names = crate::cognito::Pairs::new(self.stored_attributes);
        f.debug_struct("PostConfirmationEvent")
            .field("region", &self.region)
            .field("user_pool_id", &self.user_pool_id)
            .field("user_name", &self.user_name)
            .field("client_id", &self.client_id)
            .field("stored_attributes", &names)
            .field("verified", &self.verified)
            .field("client_metadata", &self.client_metadata)
            .field("source", &self.source)
            .finish()
    }
}
