//! `Debug` for what holds a secret (a code, a client secret, a password hash, a database
//! password): whether it is there shows, never what it is.

use std::fmt;

/// `Some(<redacted>)` or `None`, in place of an optional secret.
#[must_use]
pub const fn optional<T>(secret: Option<&T>) -> &'static dyn fmt::Debug {
    if secret.is_some() {
        &Shown("Some(<redacted>)")
    } else {
        &Shown("None")
    }
}

/// `<redacted>`, in place of a secret.
pub const REDACTED: &dyn fmt::Debug = &Shown("<redacted>");

struct Shown(&'static str);

impl fmt::Debug for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}
