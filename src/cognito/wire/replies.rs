//! Reply and error bodies, serialized without allocating.

use core::fmt::Display;

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::cognito::{CodeDeliveryDetails, Exception, Reply};

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
    /// `x-amzn-ErrorType: <name>:` header.
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

/// A reply's body, as the service answers it:
///
/// * `SignUp`: `{"UserConfirmed":false,"UserSub":"…","CodeDeliveryDetails":{…}}`;
/// * `ConfirmSignUp`: `{}`, or `{"Session":"…"}` when a sign-in session was minted;
/// * `AdminConfirmSignUp`: `{}`;
/// * `ResendConfirmationCode`: `{"CodeDeliveryDetails":{"Destination":"a***@e***",
///   "DeliveryMedium":"EMAIL","AttributeName":"email"}}` (`{}` with nowhere to send);
/// * an exception: its [`ErrorBody`].
#[derive(Clone, Copy, Debug)]
pub struct ReplyBody<'r, 'a>(&'r Reply<'a>);

impl<'a> Reply<'a> {
    /// The body to answer with, alongside [`http_status`](Self::http_status).
    #[must_use]
    pub const fn body(&self) -> ReplyBody<'_, 'a> {
        ReplyBody(self)
    }
}

impl Serialize for ReplyBody<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let delivery = |map: &mut S::SerializeMap, details: &Option<CodeDeliveryDetails<'_>>| {
            details.as_ref().map_or(Ok(()), |details| {
                map.serialize_entry("CodeDeliveryDetails", &Details(details))
            })
        };
        match self.0 {
            Reply::Exception(exception) => exception.body().serialize(serializer),
            Reply::SignUp {
                user_sub,
                delivery: details,
                session,
            } => {
                let mut map = serializer.serialize_map(None)?;
                map.serialize_entry("UserConfirmed", &false)?;
                map.serialize_entry("UserSub", user_sub)?;
                delivery(&mut map, details)?;
                if let Some(session) = session {
                    map.serialize_entry("Session", session.as_str())?;
                }
                map.end()
            }
            Reply::ConfirmSignUp { session } => {
                let mut map = serializer.serialize_map(None)?;
                if let Some(session) = session {
                    map.serialize_entry("Session", session.as_str())?;
                }
                map.end()
            }
            Reply::ResendConfirmationCode { delivery: details } => {
                let mut map = serializer.serialize_map(None)?;
                delivery(&mut map, details)?;
                map.end()
            }
            Reply::AdminConfirmSignUp => serializer.serialize_map(Some(0))?.end(),
            Reply::SignedIn => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry("ChallengeParameters", &Empty)?;
                map.end()
            }
        }
    }
}

/// `CodeDeliveryDetails` with the destination masked.
struct Details<'d, 'a>(&'d CodeDeliveryDetails<'a>);

impl Serialize for Details<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(3))?;
        map.serialize_entry("Destination", &Streamed(&self.0.masked_destination()))?;
        map.serialize_entry("DeliveryMedium", self.0.delivery_medium())?;
        map.serialize_entry("AttributeName", self.0.attribute().as_str())?;
        map.end()
    }
}

/// An empty JSON object.
struct Empty;

impl Serialize for Empty {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_map(Some(0))?.end()
    }
}
