//! The three request bodies as the SDKs send them, and their validation into the borrowed
//! request types (feature `serde`).

use serde::Deserialize;

use super::{
    AdminConfirmSignUp, AnalyticsMetadata, ConfirmSignUp, Exception, ResendConfirmationCode,
    UserContextData,
    validation::{
        CLIENT_ID, CONFIRMATION_CODE, SECRET_HASH, SESSION, USER_POOL_ID, USERNAME,
        ValidationErrors,
    },
    wire::{MetadataBody, Text},
};

/// Four bytes per character the model allows: every valid value is kept whole.
type Id = Text<{ 4 * 128 }>;
/// Longer than any code this crate issues.
type CodeText = Text<64>;
/// Longer than any session this crate mints.
type SessionText = Text<128>;

/// `AnalyticsMetadata` as decoded; an endpoint id over 256 bytes is dropped.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AnalyticsBody {
    analytics_endpoint_id: Option<Text<256>>,
}

/// `UserContextData` as decoded; an address over 64 bytes or data over 4 KiB is dropped.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ContextBody {
    ip_address: Option<Text<64>>,
    encoded_data: Option<Text<4096>>,
}

/// A value that was kept whole, if any: the opaque members are carried only when complete.
fn whole<const N: usize>(text: Option<&Text<N>>) -> Option<&str> {
    text.filter(|text| text.is_complete()).map(Text::as_str)
}

/// A member that passed validation (required ones are then present).
fn member<const N: usize>(text: Option<&Text<N>>) -> &str {
    text.map_or("", Text::as_str)
}

impl AnalyticsBody {
    fn metadata(&self) -> AnalyticsMetadata<'_> {
        AnalyticsMetadata {
            analytics_endpoint_id: whole(self.analytics_endpoint_id.as_ref()),
        }
    }
}

impl ContextBody {
    fn data(&self) -> UserContextData<'_> {
        UserContextData {
            ip_address: whole(self.ip_address.as_ref()),
            encoded_data: whole(self.encoded_data.as_ref()),
        }
    }
}

/// A decoded `ConfirmSignUp` body (boto3's `", "` separators and the JavaScript SDK's
/// compact form alike; escapes decoded; unknown members ignored, as the service does).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfirmSignUpBody {
    client_id: Option<Id>,
    secret_hash: Option<Id>,
    username: Option<Id>,
    confirmation_code: Option<CodeText>,
    force_alias_creation: Option<bool>,
    analytics_metadata: Option<AnalyticsBody>,
    user_context_data: Option<ContextBody>,
    client_metadata: Option<MetadataBody>,
    session: Option<SessionText>,
}

impl ConfirmSignUpBody {
    /// The request, once every member passes the service model's constraints.
    ///
    /// # Errors
    /// [`Exception::Validation`] with every broken rule, missing required members included.
    pub fn request(&self) -> Result<ConfirmSignUp<'_>, Exception<'static>> {
        let mut errors = ValidationErrors::default();
        errors.check_known(CLIENT_ID, self.client_id.as_ref().map(Text::known));
        errors.check_known(SECRET_HASH, self.secret_hash.as_ref().map(Text::known));
        errors.check_known(USERNAME, self.username.as_ref().map(Text::known));
        errors.check_known(
            CONFIRMATION_CODE,
            self.confirmation_code.as_ref().map(Text::known),
        );
        errors.check_known(SESSION, self.session.as_ref().map(Text::known));
        errors.into_result().map_err(Exception::Validation)?;
        Ok(ConfirmSignUp {
            client_id: member(self.client_id.as_ref()),
            secret_hash: self.secret_hash.as_ref().map(Text::as_str),
            username: member(self.username.as_ref()),
            confirmation_code: member(self.confirmation_code.as_ref()),
            force_alias_creation: self.force_alias_creation.unwrap_or(false),
            analytics_metadata: self
                .analytics_metadata
                .as_ref()
                .map(AnalyticsBody::metadata),
            user_context_data: self.user_context_data.as_ref().map(ContextBody::data),
            client_metadata: self.client_metadata.as_ref().map(MetadataBody::metadata),
            session: self.session.as_ref().map(Text::as_str),
        })
    }
}

/// A decoded `AdminConfirmSignUp` body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminConfirmSignUpBody {
    user_pool_id: Option<Text<{ 4 * 55 }>>,
    username: Option<Id>,
    client_metadata: Option<MetadataBody>,
}

impl AdminConfirmSignUpBody {
    /// The request, once every member passes the service model's constraints.
    ///
    /// # Errors
    /// [`Exception::Validation`] with every broken rule, missing required members included.
    pub fn request(&self) -> Result<AdminConfirmSignUp<'_>, Exception<'static>> {
        let mut errors = ValidationErrors::default();
        errors.check_known(USER_POOL_ID, self.user_pool_id.as_ref().map(Text::known));
        errors.check_known(USERNAME, self.username.as_ref().map(Text::known));
        errors.into_result().map_err(Exception::Validation)?;
        Ok(AdminConfirmSignUp {
            user_pool_id: member(self.user_pool_id.as_ref()),
            username: member(self.username.as_ref()),
            client_metadata: self.client_metadata.as_ref().map(MetadataBody::metadata),
        })
    }
}

/// A decoded `ResendConfirmationCode` body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResendConfirmationCodeBody {
    client_id: Option<Id>,
    secret_hash: Option<Id>,
    username: Option<Id>,
    user_context_data: Option<ContextBody>,
    analytics_metadata: Option<AnalyticsBody>,
    client_metadata: Option<MetadataBody>,
}

impl ResendConfirmationCodeBody {
    /// The request, once every member passes the service model's constraints.
    ///
    /// # Errors
    /// [`Exception::Validation`] with every broken rule, missing required members included.
    pub fn request(&self) -> Result<ResendConfirmationCode<'_>, Exception<'static>> {
        let mut errors = ValidationErrors::default();
        errors.check_known(CLIENT_ID, self.client_id.as_ref().map(Text::known));
        errors.check_known(SECRET_HASH, self.secret_hash.as_ref().map(Text::known));
        errors.check_known(USERNAME, self.username.as_ref().map(Text::known));
        errors.into_result().map_err(Exception::Validation)?;
        Ok(ResendConfirmationCode {
            client_id: member(self.client_id.as_ref()),
            secret_hash: self.secret_hash.as_ref().map(Text::as_str),
            username: member(self.username.as_ref()),
            user_context_data: self.user_context_data.as_ref().map(ContextBody::data),
            analytics_metadata: self
                .analytics_metadata
                .as_ref()
                .map(AnalyticsBody::metadata),
            client_metadata: self.client_metadata.as_ref().map(MetadataBody::metadata),
        })
    }
}
