//! The `PostConfirmation` event's JSON, in the service's shape.

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::cognito::PostConfirmationEvent;

/// A JSON object from string pairs.
struct Pairs<I>(I);

impl<'a, I: Iterator<Item = (&'a str, &'a str)> + Clone> Serialize for Pairs<I> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for (name, value) in self.0.clone() {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

struct CallerContext<'a>(&'a str);

impl Serialize for CallerContext<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("awsSdkVersion", PostConfirmationEvent::AWS_SDK_VERSION)?;
        map.serialize_entry("clientId", self.0)?;
        map.end()
    }
}

struct Request<'e, 'a>(&'e PostConfirmationEvent<'a>);

impl Serialize for Request<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("userAttributes", &Pairs(self.0.user_attributes()))?;
        if let Some(metadata) = self.0.client_metadata {
            map.serialize_entry("clientMetadata", &Pairs(metadata.iter()))?;
        }
        map.end()
    }
}

impl Serialize for PostConfirmationEvent<'_> {
    /// The service's event JSON.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(8))?;
        map.serialize_entry("version", Self::VERSION)?;
        map.serialize_entry("triggerSource", self.source.as_str())?;
        map.serialize_entry("region", self.region)?;
        map.serialize_entry("userPoolId", self.user_pool_id)?;
        map.serialize_entry("userName", self.user_name)?;
        map.serialize_entry("callerContext", &CallerContext(self.client_id))?;
        map.serialize_entry("request", &Request(self))?;
        map.serialize_entry("response", &Pairs(core::iter::empty()))?;
        map.end()
    }
}
