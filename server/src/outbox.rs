//! The outbox codes are "delivered" to: one JSON line per code, appended in one write under
//! an exclusive file lock, so lines from several processes never interleave. The file is
//! made readable by this user only, and one that is not this user's private file is refused
//! (`confirmation_flow_store::files`): it holds codes.

use std::{io::Write as _, path::PathBuf};

use confirmation_flow::cognito::AliasAttribute;

/// What a delivery carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeliveryKind {
    /// A confirmation code (`"code"` in the outbox).
    Code,
    /// An invitation's temporary password (`"temporary_password"` in the outbox).
    TemporaryPassword,
    /// A password reset code (`"password_reset_code"` in the outbox).
    PasswordResetCode,
}

/// A code (or temporary password) to send once the answer is on its way.
#[derive(Clone)]
pub struct Delivery {
    /// The pool whose user it is.
    pub pool_id: String,
    pub username: String,
    pub attribute: AliasAttribute,
    pub destination: String,
    /// The code, or the temporary password.
    pub code: String,
    pub kind: DeliveryKind,
}

impl std::fmt::Debug for Delivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Delivery")
            .field("pool_id", &self.pool_id)
            .field("username", &self.username)
            .field("attribute", &self.attribute)
            .field("destination", &self.destination)
            .field("code", crate::redact::REDACTED)
            .field("kind", &self.kind)
            .finish()
    }
}

/// The outbox file.
#[derive(Clone, Debug)]
pub struct Outbox {
    path: PathBuf,
    max_bytes: u64,
}

impl Outbox {
    /// The outbox at `path`, moved to `<path>.1` (replacing an older one) once it holds
    /// `max_bytes` or more, so that it never grows without end.
    #[must_use]
    pub const fn new(path: PathBuf, max_bytes: u64) -> Self {
        Self { path, max_bytes }
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
        confirmation_flow_store::files::open_append(&self.path)
            .map(drop)
            .map_err(|error| format!("outbox {}: {error}", self.path.display()))
    }

    /// Appends `delivery` as one line: `{"username", "pool_id", "attribute", "destination",
    /// <kind>: <secret>}`; or, when it was `not_sent`, the same with `"not_sent": <why>` and
    /// `"kind": <kind>` in place of the secret. Blocking: call it off the async workers.
    ///
    /// # Errors
    /// The file cannot be opened, locked or written.
    pub fn deliver(&self, delivery: &Delivery, not_sent: Option<&str>) -> std::io::Result<()> {
        let kind = match delivery.kind {
            DeliveryKind::Code => "code",
            DeliveryKind::TemporaryPassword => "temporary_password",
            DeliveryKind::PasswordResetCode => "password_reset_code",
        };
        let mut line = serde_json::json!({
            "username": delivery.username,
            "pool_id": delivery.pool_id,
            "attribute": delivery.attribute.as_str(),
            "destination": delivery.destination,
        });
        match not_sent {
            None => line[kind] = delivery.code.as_str().into(),
            Some(why) => {
                line["not_sent"] = why.into();
                line["kind"] = kind.into();
            }
        }
        let mut line = line.to_string();
        line.push('\n');
        // Another process may rotate the file between the open and the lock: then the file
        // this one holds is the rotated one, and it opens the new one (a few times at most).
        for _ in 0..8 {
            let mut file = confirmation_flow_store::files::open_append(&self.path)?;
            // Closing the file releases the lock (flock(2), as `File::lock` is, before 1.89).
            rustix::fs::flock(&file, rustix::fs::FlockOperation::LockExclusive)?;
            let held = file.metadata()?;
            if !is_the_file_at(&held, &self.path) {
                continue;
            }
            if held.len() >= self.max_bytes {
                std::fs::rename(&self.path, self.rotated())?;
                continue;
            }
            return file.write_all(line.as_bytes());
        }
        Err(std::io::Error::other("the outbox kept being rotated"))
    }

    /// Where the outbox goes when it is full: `<path>.1`.
    #[must_use]
    pub fn rotated(&self) -> PathBuf {
        let mut name = self.path.as_os_str().to_owned();
        name.push(".1");
        name.into()
    }
}

/// Whether `held` (an open file's metadata) is the file `path` names now.
fn is_the_file_at(held: &std::fs::Metadata, path: &std::path::Path) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    std::fs::symlink_metadata(path)
        .is_ok_and(|now| now.dev() == held.dev() && now.ino() == held.ino())
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    use super::{AliasAttribute, Delivery, Outbox};

    #[test]
    fn a_full_outbox_is_rotated_once_and_no_line_is_lost() {
        let dir =
            std::env::temp_dir().join(format!("outbox-test-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let outbox = Outbox::new(dir.join("outbox.jsonl"), 1000);
        let delivery = |n: usize| Delivery {
            pool_id: "us-east-1_TEST".into(),
            username: format!("user-{n}"),
            attribute: AliasAttribute::Email,
            destination: "someone@example.com".into(),
            code: "123456".into(),
            kind: super::DeliveryKind::Code,
        };
        let lines = |path: &std::path::Path| -> Vec<String> {
            std::fs::read_to_string(path)
                .unwrap_or_default()
                .lines()
                .map(str::to_owned)
                .collect()
        };
        for n in 0..40 {
            outbox.deliver(&delivery(n), None).unwrap();
        }
        let (current, rotated) = (lines(outbox.path()), lines(&outbox.rotated()));
        assert!(std::fs::metadata(outbox.path()).unwrap().len() < 1000 + 200);
        assert!(!rotated.is_empty() && !current.is_empty());
        assert!(
            current.last().unwrap().contains("user-39"),
            "the newest line is in the outbox"
        );
        // Older rotations are dropped: the two files hold the newest lines, in order.
        let kept: Vec<String> = rotated.into_iter().chain(current).collect();
        let first: usize = 40 - kept.len();
        for (offset, line) in kept.iter().enumerate() {
            assert!(
                line.contains(&format!("\"user-{}\"", first + offset)),
                "{line}"
            );
        }
        let mode = std::fs::metadata(outbox.rotated())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o777,
            0o600,
            "the rotated file keeps its mode: it holds codes"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
