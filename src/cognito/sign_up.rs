//! `SignUp`'s code part: the first code, where it goes, the masked `CodeDeliveryDetails`,
//! and the user row to insert. (Passwords and their policy are the caller's: the crate
//! validates the member's shape and never sees a hash.)

use core::fmt;

use super::{
    AliasAttribute, AnalyticsMetadata, ClientMetadata, Exception, Fresh, Lookup, NewAttributes,
    Outcome, Pool, Reply, Session, SessionPurpose, Target, UserAttributes, UserContextData,
    UserStatus, Valid, Write,
    members::{self, Slot, Value},
    outcome::{After, Delivery},
    request::Redacted,
    write::Expected,
};
use crate::Confirmation;

/// A `SignUp` request. `Debug` shows no hash, password, attribute value or context data.
#[derive(Clone, Copy, Default)]
#[expect(
    clippy::exhaustive_structs,
    reason = "mirrors the service model's members"
)]
pub struct SignUp<'a> {
    /// `ClientId` (required).
    pub client_id: &'a str,
    /// `SecretHash`, required in practice when the client has a secret.
    pub secret_hash: Option<&'a str>,
    /// `Username` (required).
    pub username: &'a str,
    /// `Password` (absent in passwordless pools). Hash it yourself; the crate never keeps it.
    pub password: Option<&'a str>,
    /// `UserAttributes`: `email` and `phone_number` decide where the code goes.
    pub user_attributes: Option<UserAttributes<'a>>,
    /// `ValidationData`, for a pre-sign-up trigger.
    pub validation_data: Option<UserAttributes<'a>>,
    /// `AnalyticsMetadata`.
    pub analytics_metadata: Option<AnalyticsMetadata<'a>>,
    /// `UserContextData`.
    pub user_context_data: Option<UserContextData<'a>>,
    /// `ClientMetadata`, for triggers.
    pub client_metadata: Option<ClientMetadata<'a>>,
}

/// The members, in the model's order.
pub(crate) const MEMBERS: &[Slot] = &[
    Slot::ClientId,
    Slot::SecretHash,
    Slot::Username,
    Slot::Password,
    Slot::UserAttributes,
    Slot::ValidationData,
    Slot::AnalyticsMetadata,
    Slot::UserContextData,
    Slot::ClientMetadata,
];

impl<'a> SignUp<'a> {
    /// Checks every member against the service model, every attribute entry included.
    ///
    /// # Errors
    /// [`Exception::Validation`] listing every broken rule, in member order.
    pub fn validate(self) -> Result<Valid<Self>, Exception<'static>> {
        members::validated(self, MEMBERS, Self::value)
    }

    fn value(&self, slot: Slot) -> Value<'a> {
        match slot {
            Slot::ClientId => Value::text(Some(self.client_id)),
            Slot::SecretHash => Value::text(self.secret_hash),
            Slot::Username => Value::text(Some(self.username)),
            Slot::Password => Value::text(self.password),
            Slot::UserAttributes => Value::Entries(self.user_attributes),
            Slot::ValidationData => Value::Entries(self.validation_data),
            _ => Value::Free,
        }
    }

    /// The value of the `name` attribute in `UserAttributes`, if any.
    #[must_use]
    pub fn attribute(&self, name: &str) -> Option<&'a str> {
        self.user_attributes?.get(name)
    }
}

impl fmt::Debug for SignUp<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignUp")
            .field("client_id", &self.client_id)
            .field("secret_hash", &Redacted::of(self.secret_hash.as_ref()))
            .field("username", &self.username)
            .field("password", &Redacted::of(self.password.as_ref()))
            .field("user_attributes", &self.user_attributes)
            .field("validation_data", &self.validation_data)
            .field("analytics_metadata", &self.analytics_metadata)
            .field(
                "user_context_data",
                &Redacted::of(self.user_context_data.as_ref()),
            )
            .field("client_metadata", &self.client_metadata)
            .finish()
    }
}

/// Runs `SignUp`'s code part: client, secret hash, the `email` and `phone_number` formats,
/// the username's format in an alias pool, the username free, then the first code under the
/// current key and where it goes.
pub(crate) fn decide<'a>(
    request: &SignUp<'a>,
    pool: &Pool<'a>,
    lookup: &Lookup<'a>,
    fresh: &Fresh<'a>,
) -> Outcome<'a> {
    let (client_id, username) = (request.client_id, request.username);
    if let Err(exception) = lookup.authorized_client(client_id, username, request.secret_hash) {
        return Outcome::refuse(exception);
    }
    // Malformed addresses next, before anything about the username or the pool's users: the
    // request's own fault, answered alike whether the username is taken or shadows an alias
    // (so the answer tells nothing of them), and before any row, code or delivery exists for
    // a value whose budget key could be respelled. Every entry is checked, a repeated one
    // included.
    let malformed = request.user_attributes.and_then(|attributes| {
        attributes.iter().find_map(|(name, value)| {
            let attribute = [AliasAttribute::Email, AliasAttribute::PhoneNumber]
                .into_iter()
                .find(|attribute| attribute.as_str() == name)?;
            (!attribute.accepts(value)).then_some(attribute)
        })
    });
    if let Some(attribute) = malformed {
        return Outcome::refuse(Exception::AttributeFormat { attribute });
    }
    // In a pool where email (or phone) is an alias, a username of that format would shadow
    // another user's alias.
    let shadowing = [AliasAttribute::Email, AliasAttribute::PhoneNumber]
        .into_iter()
        .find(|&attribute| pool.aliases.contains(attribute) && attribute.is_format_of(username));
    if let Some(attribute) = shadowing {
        return Outcome::refuse(Exception::UsernameFormat { attribute });
    }
    // The code goes to, and confirming verifies, one email and one phone number: a request
    // naming either twice is refused rather than read one way here and another in a store.
    let repeated = [AliasAttribute::Email, AliasAttribute::PhoneNumber]
        .into_iter()
        .find(|attribute| {
            let named = |&(name, _): &(&str, &str)| name == attribute.as_str();
            request
                .user_attributes
                .is_some_and(|attributes| attributes.iter().filter(named).nth(1).is_some())
        });
    if let Some(attribute) = repeated {
        return Outcome::refuse(Exception::AttributeRepeated { attribute });
    }
    if lookup.user.is_some() {
        return Outcome::refuse(Exception::UsernameExists);
    }
    let subject = fresh.new_subject;
    let key = pool.keys.current();
    let issued = Confirmation::issue(
        pool.policy,
        key,
        subject.as_bytes(),
        fresh.now,
        &fresh.entropy,
    );
    let (state, code) = match issued {
        Ok(issued) if !subject.is_empty() => issued,
        _ => return Outcome::refuse(Exception::InternalError),
    };
    let attributes = NewAttributes {
        email: request.attribute("email"),
        phone_number: request.attribute("phone_number"),
    };
    let destination = pool
        .auto_verified
        .destination(attributes.email, attributes.phone_number);
    // The session `ConfirmSignUp` turns into a sign-in session, from a client that hands
    // them out.
    let session = lookup
        .client
        .and_then(|client| client.auth_sessions)
        .map(|ttl| {
            let purpose = SessionPurpose::ConfirmSignUp;
            let key = pool.keys.current();
            Session::mint(
                key,
                purpose,
                username,
                client_id,
                fresh.now,
                ttl,
                &fresh.nonce,
            )
        });
    Outcome::new(
        Some(Write {
            target: Target::User {
                username,
                subject,
                attributes: Some(attributes),
            },
            expected: Expected::Absent,
            state,
            status: Some(UserStatus::Unconfirmed),
            verify: None,
            alias: None,
        }),
        Reply::SignUp {
            user_sub: subject,
            delivery: destination.map(|destination| destination.details()),
            session,
        },
        destination.map_or(After::Nothing, |destination| {
            After::Deliver(Delivery {
                username,
                destination,
                code,
            })
        }),
    )
}
