//! The outbox codes are "delivered" to: one JSON line per code, appended in one write under
//! an exclusive file lock, so lines from several processes never interleave. The file is
//! made readable by this user only, and one that is not this user's private file is refused
//! (`private.rs`): it holds codes.

use std::{io::Write as _, path::PathBuf};

/// A code to send once the answer is on its way.
#[derive(Clone)]
pub struct Delivery {
    pub username: String,
    pub attribute: &'static str,
    pub destination: String,
    pub code: String,
}

impl std::fmt::Debug for Delivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Delivery")
            .field("username", &self.username)
            .field("attribute", &self.attribute)
            .field("destination", &self.destination)
            .field("code", crate::redact::REDACTED)
            .finish()
    }
}

/// The outbox file.
#[derive(Clone, Debug)]
pub struct Outbox {
    path: PathBuf,
}

impl Outbox {
    #[must_use]
    pub const fn new(path: PathBuf) -> Self {
        Self { path }
    }

    #[must_use]
    pub const fn path(&self) -> &PathBuf {
        &self.path
    }

    /// Opens the file once (creating it), so that a path that would be refused is refused
    /// at start-up rather than at the first code.
    ///
    /// # Errors
    /// A message naming the file and what is wrong with it.
    pub fn check(&self) -> Result<(), String> {
        crate::private::open_append(&self.path)
            .map(drop)
            .map_err(|error| format!("outbox {}: {error}", self.path.display()))
    }

    /// Appends `delivery` as one line. Blocking: call it off the async workers.
    ///
    /// # Errors
    /// The file cannot be opened, locked or written.
    pub fn deliver(&self, delivery: &Delivery) -> std::io::Result<()> {
        let mut line = serde_json::json!({
            "username": delivery.username,
            "attribute": delivery.attribute,
            "destination": delivery.destination,
            "code": delivery.code,
        })
        .to_string();
        line.push('\n');
        let mut file = crate::private::open_append(&self.path)?;
        // Closing the file releases the lock.
        file.lock()?;
        file.write_all(line.as_bytes())
    }
}
