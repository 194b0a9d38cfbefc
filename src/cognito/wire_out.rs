//! AWS JSON 1.1 response and error bodies (feature `serde`), serialized without allocating.

use core::fmt::Display;

use serde::ser::{Serialize, SerializeMap, Serializer};

use super::{AdminConfirmed, CodeDeliveryDetails, CodeResent, Exception, Session, SignUpConfirmed};

/// A `Display` value serialized as a JSON string, streamed (no buffer).
struct Streamed<'d, D: ?Sized>(&'d D);

impl<D: Display + ?Sized> Serialize for Streamed<'_, D> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self.0)
    }
}

/// An error body: `{"__type":"CodeMismatchException","message":"…"}`.
#[derive(Clone, Copy, Debug)]
pub struct ErrorBody<'e, 'a>(&'e Exception<'a>);

impl<'a> Exception<'a> {
    /// The body to answer with, alongside [`http_status`](Self::http_status) and an
    /// `x-amzn-ErrorType: <name>` header.
    #[must_use]
    pub const fn body(&self) -> ErrorBody<'_, 'a> {
        ErrorBody(self)
    }
}

impl Serialize for ErrorBody<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("__type", self.0.name())?;
        map.serialize_entry("message", &Streamed(self.0))?;
        map.end()
    }
}

/// A `ConfirmSignUp` response: `{}`, or `{"Session":"…"}` when a sign-in session was minted.
#[derive(Clone, Copy, Debug)]
pub struct ConfirmSignUpResponse<'s> {
    session: Option<&'s Session>,
}

impl SignUpConfirmed<'_> {
    /// The response body.
    #[must_use]
    pub fn response(&self) -> ConfirmSignUpResponse<'_> {
        ConfirmSignUpResponse {
            session: self
                .session
                .as_ref()
                .and_then(|minted| minted.as_ref().ok()),
        }
    }
}

impl Serialize for ConfirmSignUpResponse<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        if let Some(session) = self.session {
            map.serialize_entry("Session", session.as_str())?;
        }
        map.end()
    }
}

/// An `AdminConfirmSignUp` response: `{}`.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct EmptyResponse;

impl AdminConfirmed<'_> {
    /// The response body.
    #[must_use]
    pub const fn response(&self) -> EmptyResponse {
        EmptyResponse
    }
}

impl Serialize for EmptyResponse {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_map(Some(0))?.end()
    }
}

/// A `ResendConfirmationCode` response:
/// `{"CodeDeliveryDetails":{"Destination":"a***@e***","DeliveryMedium":"EMAIL","AttributeName":"email"}}`.
#[derive(Clone, Copy, Debug)]
pub struct ResendResponse<'d, 'a> {
    delivery: Option<&'d CodeDeliveryDetails<'a>>,
}

impl<'a> CodeResent<'a> {
    /// The response body (`{}` when the user has no destination).
    #[must_use]
    pub fn response(&self) -> ResendResponse<'_, 'a> {
        ResendResponse {
            delivery: self.delivery.as_ref(),
        }
    }
}

impl Serialize for ResendResponse<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        if let Some(delivery) = self.delivery {
            map.serialize_entry("CodeDeliveryDetails", &Details(delivery))?;
        }
        map.end()
    }
}

struct Details<'d, 'a>(&'d CodeDeliveryDetails<'a>);

impl Serialize for Details<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(3))?;
        map.serialize_entry("Destination", &Streamed(&self.0.masked_destination()))?;
        map.serialize_entry("DeliveryMedium", self.0.delivery_medium())?;
        map.serialize_entry("AttributeName", self.0.attribute.as_str())?;
        map.end()
    }
}
