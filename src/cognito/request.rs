//! The three operations' requests, with every member the service model has, borrowed from
//! wherever the caller decoded them; and their validation.

use super::{
    ClientMetadata, Exception,
    validation::{
        CLIENT_ID, CONFIRMATION_CODE, SECRET_HASH, SESSION, USER_POOL_ID, USERNAME,
        ValidationErrors,
    },
};

/// `AnalyticsMetadata`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[expect(
    clippy::exhaustive_structs,
    reason = "mirrors the service model's members"
)]
pub struct AnalyticsMetadata<'a> {
    /// `AnalyticsEndpointId`.
    pub analytics_endpoint_id: Option<&'a str>,
}

/// `UserContextData` (sensitive in the model; the crate carries it and never logs it).
#[derive(Clone, Copy, Default, PartialEq, Eq)]
#[expect(
    clippy::exhaustive_structs,
    reason = "mirrors the service model's members"
)]
pub struct UserContextData<'a> {
    /// `IpAddress`.
    pub ip_address: Option<&'a str>,
    /// `EncodedData`.
    pub encoded_data: Option<&'a str>,
}

impl core::fmt::Debug for UserContextData<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("UserContextData(<redacted>)")
    }
}

/// A `ConfirmSignUp` request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[expect(
    clippy::exhaustive_structs,
    reason = "mirrors the service model's members; a new member is a breaking change, as in the SDKs"
)]
pub struct ConfirmSignUp<'a> {
    /// `ClientId` (required).
    pub client_id: &'a str,
    /// `SecretHash`, required in practice when the client has a secret.
    pub secret_hash: Option<&'a str>,
    /// `Username` (required): the user's username as the client knows it.
    pub username: &'a str,
    /// `ConfirmationCode` (required).
    pub confirmation_code: &'a str,
    /// `ForceAliasCreation`: take a verified alias from another user. Defaults to false.
    pub force_alias_creation: bool,
    /// `AnalyticsMetadata`.
    pub analytics_metadata: Option<AnalyticsMetadata<'a>>,
    /// `UserContextData`.
    pub user_context_data: Option<UserContextData<'a>>,
    /// `ClientMetadata`, for the `PostConfirmation` trigger.
    pub client_metadata: Option<ClientMetadata<'a>>,
    /// `Session`, from `SignUp`.
    pub session: Option<&'a str>,
}

impl ConfirmSignUp<'_> {
    /// Checks every member against the service model.
    ///
    /// # Errors
    /// [`Exception::Validation`] listing every broken rule, in member order.
    pub fn validate(&self) -> Result<(), Exception<'static>> {
        let mut errors = ValidationErrors::default();
        errors.check(CLIENT_ID, Some(self.client_id));
        errors.check(SECRET_HASH, self.secret_hash);
        errors.check(USERNAME, Some(self.username));
        errors.check(CONFIRMATION_CODE, Some(self.confirmation_code));
        errors.check(SESSION, self.session);
        errors.into_result().map_err(Exception::Validation)
    }
}

/// An `AdminConfirmSignUp` request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[expect(
    clippy::exhaustive_structs,
    reason = "mirrors the service model's members"
)]
pub struct AdminConfirmSignUp<'a> {
    /// `UserPoolId` (required).
    pub user_pool_id: &'a str,
    /// `Username` (required).
    pub username: &'a str,
    /// `ClientMetadata`, for the `PostConfirmation` trigger.
    pub client_metadata: Option<ClientMetadata<'a>>,
}

impl AdminConfirmSignUp<'_> {
    /// Checks every member against the service model.
    ///
    /// # Errors
    /// [`Exception::Validation`] listing every broken rule, in member order.
    pub fn validate(&self) -> Result<(), Exception<'static>> {
        let mut errors = ValidationErrors::default();
        errors.check(USER_POOL_ID, Some(self.user_pool_id));
        errors.check(USERNAME, Some(self.username));
        errors.into_result().map_err(Exception::Validation)
    }
}

/// A `ResendConfirmationCode` request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[expect(
    clippy::exhaustive_structs,
    reason = "mirrors the service model's members"
)]
pub struct ResendConfirmationCode<'a> {
    /// `ClientId` (required).
    pub client_id: &'a str,
    /// `SecretHash`.
    pub secret_hash: Option<&'a str>,
    /// `Username` (required).
    pub username: &'a str,
    /// `UserContextData`.
    pub user_context_data: Option<UserContextData<'a>>,
    /// `AnalyticsMetadata`.
    pub analytics_metadata: Option<AnalyticsMetadata<'a>>,
    /// `ClientMetadata`, for a custom-message trigger.
    pub client_metadata: Option<ClientMetadata<'a>>,
}

impl ResendConfirmationCode<'_> {
    /// Checks every member against the service model.
    ///
    /// # Errors
    /// [`Exception::Validation`] listing every broken rule, in member order.
    pub fn validate(&self) -> Result<(), Exception<'static>> {
        let mut errors = ValidationErrors::default();
        errors.check(CLIENT_ID, Some(self.client_id));
        errors.check(SECRET_HASH, self.secret_hash);
        errors.check(USERNAME, Some(self.username));
        errors.into_result().map_err(Exception::Validation)
    }
}
