//! What every request shares: the proof that it was validated, the optional context
//! members, and redaction of sensitive members in `Debug`.

use core::{fmt, ops::Deref};

/// A request that passed validation against the service model; only validation makes one,
/// so an [`Operation`](super::Operation) never validates twice.
#[derive(Clone, Copy)]
pub struct Valid<T>(T);

impl<T> Valid<T> {
    /// Wraps a request that has just been validated.
    pub(crate) const fn checked(request: T) -> Self {
        Self(request)
    }

    /// The request.
    #[must_use]
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Valid<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: fmt::Debug> fmt::Debug for Valid<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

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

/// `UserContextData` (sensitive in the model; the crate carries it and never shows it).
#[derive(Clone, Copy, Default)]
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

impl fmt::Debug for UserContextData<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("UserContextData(<redacted>)")
    }
}

/// A sensitive member as `Debug` shows it: whether it is there, never what it is.
pub(crate) struct Redacted(pub(crate) bool);

impl Redacted {
    /// An optional member.
    pub(crate) const fn of<T>(value: Option<&T>) -> Self {
        Self(value.is_some())
    }
}

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0 { "<redacted>" } else { "None" })
    }
}
