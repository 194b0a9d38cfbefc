//! `Body`: a request body decoded through its operation's member table, then validated by
//! the same table into an [`Operation`].

use core::fmt;

mod decode;

use super::{
    lists::{AnalyticsBody, AttributeList, ContextBody, MetadataBody},
    text::Text,
};
use crate::{
    MAX_SUBMITTED_CODE_LEN,
    cognito::{
        AdminConfirmSignUp, AnalyticsMetadata, ClientMetadata, ConfirmSignUp, Exception, Operation,
        OperationName, ResendConfirmationCode, SignUp, UserContextData, Valid,
        members::{self, Slot, Value},
    },
};

/// Four bytes per character the model allows: every valid value is kept whole.
type Id = Text<{ 4 * 128 }>;
/// A code longer than [`MAX_SUBMITTED_CODE_LEN`] never matches; keeping four bytes more
/// means a longer value is kept to more than that many bytes (at most one character, four
/// bytes, is cut), so no cut can turn it into a shorter code that could match.
type CodeText = Text<{ MAX_SUBMITTED_CODE_LEN + 4 }>;
/// Longer than any session this crate mints; a longer token fails to verify.
type SessionText = Text<128>;

/// A decoded request body of any operation (boto3's `", "` separators and the JavaScript
/// SDK's compact form alike; escapes decoded; members the operation does not have ignored,
/// as the service does).
///
/// Make one with [`Body::new`] for the operation `X-Amz-Target` names, [`decode`](Body::decode)
/// the JSON into it, then turn it into an [`Operation`] with [`Body::operation`]:
/// validation runs once, there. The body holds
/// every value in bounded storage (about 25 KiB without feature `alloc`, which lifts the
/// bounds on the lists and keeps them on the heap); box it if your stack is small.
#[derive(Clone)]
pub struct Body {
    operation: OperationName,
    client_id: Option<Id>,
    secret_hash: Option<Id>,
    username: Option<Id>,
    confirmation_code: Option<CodeText>,
    session: Option<SessionText>,
    user_pool_id: Option<Text<{ 4 * 55 }>>,
    password: Option<Text<{ 4 * 256 }>>,
    user_attributes: Option<AttributeList>,
    validation_data: Option<AttributeList>,
    force_alias_creation: Option<bool>,
    client_metadata: Option<MetadataBody>,
    analytics_metadata: Option<AnalyticsBody>,
    user_context_data: Option<ContextBody>,
}

impl Body {
    /// An empty body for `operation`, to [`decode`](Self::decode) into.
    #[must_use]
    pub const fn new(operation: OperationName) -> Self {
        Self {
            operation,
            client_id: None,
            secret_hash: None,
            username: None,
            confirmation_code: None,
            session: None,
            user_pool_id: None,
            password: None,
            user_attributes: None,
            validation_data: None,
            force_alias_creation: None,
            client_metadata: None,
            analytics_metadata: None,
            user_context_data: None,
        }
    }

    /// The validated request: every member checked against the service model, once.
    ///
    /// # Errors
    /// [`Exception::Validation`] listing every broken rule, missing required members
    /// included.
    pub fn operation(&self) -> Result<Operation<'_>, Exception<'static>> {
        let operation = self.operation;
        members::validate(operation.members(), |slot| self.value(slot))
            .map_err(Exception::Validation)?;
        Ok(match operation {
            OperationName::SignUp => Operation::SignUp(Valid::checked(self.sign_up())),
            OperationName::ConfirmSignUp => {
                Operation::ConfirmSignUp(Valid::checked(self.confirm_sign_up()))
            }
            OperationName::AdminConfirmSignUp => {
                Operation::AdminConfirmSignUp(Valid::checked(self.admin_confirm_sign_up()))
            }
            OperationName::ResendConfirmationCode => {
                Operation::ResendConfirmationCode(Valid::checked(self.resend_confirmation_code()))
            }
            // Its body's other flows are the embedder's: it builds a `SessionSignIn` itself.
            OperationName::InitiateAuth => {
                return Err(Exception::UnknownOperation {
                    target: OperationName::InitiateAuth.as_str(),
                });
            }
        })
    }

    /// A member as validation sees it: what was kept, and the facts of the whole value.
    fn value(&self, slot: Slot) -> Value<'_> {
        fn known<const N: usize>(text: Option<&Text<N>>) -> Value<'_> {
            Value::Text(text.map(Text::known))
        }
        match slot {
            Slot::ClientId => known(self.client_id.as_ref()),
            Slot::SecretHash => known(self.secret_hash.as_ref()),
            Slot::Username => known(self.username.as_ref()),
            Slot::ConfirmationCode => known(self.confirmation_code.as_ref()),
            Slot::Session => known(self.session.as_ref()),
            Slot::UserPoolId => known(self.user_pool_id.as_ref()),
            Slot::Password => known(self.password.as_ref()),
            Slot::UserAttributes => {
                Value::Entries(self.user_attributes.as_ref().map(AttributeList::pairs))
            }
            Slot::ValidationData => {
                Value::Entries(self.validation_data.as_ref().map(AttributeList::pairs))
            }
            Slot::ForceAliasCreation
            | Slot::ClientMetadata
            | Slot::AnalyticsMetadata
            | Slot::UserContextData => Value::Free,
        }
    }

    /// A required member that passed validation (so it is present).
    fn required<const N: usize>(text: Option<&Text<N>>) -> &str {
        text.map_or("", Text::as_str)
    }

    fn secret_hash(&self) -> Option<&str> {
        self.secret_hash.as_ref().map(Text::as_str)
    }

    fn analytics_metadata(&self) -> Option<AnalyticsMetadata<'_>> {
        self.analytics_metadata
            .as_ref()
            .map(AnalyticsBody::metadata)
    }

    fn user_context_data(&self) -> Option<UserContextData<'_>> {
        self.user_context_data.as_ref().map(ContextBody::data)
    }

    fn client_metadata(&self) -> Option<ClientMetadata<'_>> {
        self.client_metadata.as_ref().map(MetadataBody::pairs)
    }

    fn sign_up(&self) -> SignUp<'_> {
        SignUp {
            client_id: Self::required(self.client_id.as_ref()),
            secret_hash: self.secret_hash(),
            username: Self::required(self.username.as_ref()),
            password: self.password.as_ref().map(Text::as_str),
            user_attributes: self.user_attributes.as_ref().map(AttributeList::pairs),
            validation_data: self.validation_data.as_ref().map(AttributeList::pairs),
            analytics_metadata: self.analytics_metadata(),
            user_context_data: self.user_context_data(),
            client_metadata: self.client_metadata(),
        }
    }

    fn confirm_sign_up(&self) -> ConfirmSignUp<'_> {
        ConfirmSignUp {
            client_id: Self::required(self.client_id.as_ref()),
            secret_hash: self.secret_hash(),
            username: Self::required(self.username.as_ref()),
            confirmation_code: Self::required(self.confirmation_code.as_ref()),
            force_alias_creation: self.force_alias_creation.unwrap_or(false),
            analytics_metadata: self.analytics_metadata(),
            user_context_data: self.user_context_data(),
            client_metadata: self.client_metadata(),
            session: self.session.as_ref().map(Text::as_str),
        }
    }

    fn admin_confirm_sign_up(&self) -> AdminConfirmSignUp<'_> {
        AdminConfirmSignUp {
            user_pool_id: Self::required(self.user_pool_id.as_ref()),
            username: Self::required(self.username.as_ref()),
            client_metadata: self.client_metadata(),
        }
    }

    fn resend_confirmation_code(&self) -> ResendConfirmationCode<'_> {
        ResendConfirmationCode {
            client_id: Self::required(self.client_id.as_ref()),
            secret_hash: self.secret_hash(),
            username: Self::required(self.username.as_ref()),
            user_context_data: self.user_context_data(),
            analytics_metadata: self.analytics_metadata(),
            client_metadata: self.client_metadata(),
        }
    }
}

impl fmt::Debug for Body {
    /// The operation and the members present, never a value: `ConfirmSignUp ClientId …`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.operation.as_str())?;
        for slot in self.operation.members() {
            let present = match self.value(*slot) {
                Value::Text(text) => text.is_some(),
                Value::Entries(entries) => entries.is_some(),
                Value::Free => match slot {
                    Slot::ForceAliasCreation => self.force_alias_creation.is_some(),
                    Slot::ClientMetadata => self.client_metadata.is_some(),
                    Slot::AnalyticsMetadata => self.analytics_metadata.is_some(),
                    _ => self.user_context_data.is_some(),
                },
            };
            if present {
                write!(f, " {}", slot.wire_name())?;
            }
        }
        Ok(())
    }
}
