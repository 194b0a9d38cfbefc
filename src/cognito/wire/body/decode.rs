//! Decoding a [`Body`]: its operation's member table read in whatever order the members
//! come, each into its bounded slot; members the operation does not have are skipped.

use core::fmt;

use serde::{
    Deserializer,
    de::{DeserializeSeed, IgnoredAny, MapAccess, Visitor},
};

use super::Body;
use crate::cognito::members::Slot;

impl Body {
    /// Decodes a JSON object into this (new) body, in place — the body is large and is
    /// never moved: members of the operation are kept, others ignored, as the service does.
    /// After an error the body holds part of the object: discard it.
    ///
    /// # Errors
    /// The deserializer's error for anything that is not a JSON object whose members have
    /// the model's types (a string where a string belongs, and so on), or a list beyond the
    /// allocation-free bounds.
    pub fn decode<'de, D: Deserializer<'de>>(&mut self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(BodyVisitor(self))
    }
}

/// Decodes the members of one operation's table, in whatever order they come, into a body.
struct BodyVisitor<'b>(&'b mut Body);

impl<'de> Visitor<'de> for BodyVisitor<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {} request object", self.0.operation.as_str())
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<(), M::Error> {
        let body = self.0;
        while let Some(slot) = map.next_key_seed(MemberName(body.operation.members()))? {
            let Some(slot) = slot else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            match slot {
                Slot::ClientId => body.client_id = map.next_value()?,
                Slot::SecretHash => body.secret_hash = map.next_value()?,
                Slot::Username => body.username = map.next_value()?,
                Slot::ConfirmationCode => body.confirmation_code = map.next_value()?,
                Slot::Session => body.session = map.next_value()?,
                Slot::UserPoolId => body.user_pool_id = map.next_value()?,
                Slot::Password => body.password = map.next_value()?,
                Slot::UserAttributes => body.user_attributes = map.next_value()?,
                Slot::ValidationData => body.validation_data = map.next_value()?,
                Slot::ForceAliasCreation => body.force_alias_creation = map.next_value()?,
                Slot::ClientMetadata => body.client_metadata = map.next_value()?,
                Slot::AnalyticsMetadata => body.analytics_metadata = map.next_value()?,
                Slot::UserContextData => body.user_context_data = map.next_value()?,
            }
        }
        Ok(())
    }
}

/// A member name, looked up in the operation's table; `None` for one it does not have.
struct MemberName(&'static [Slot]);

impl<'de> DeserializeSeed<'de> for MemberName {
    type Value = Option<Slot>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<Slot>, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for MemberName {
    type Value = Option<Slot>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<Option<Slot>, E> {
        Ok(self.0.iter().copied().find(|slot| slot.wire_name() == name))
    }
}
