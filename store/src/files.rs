//! Files and directories only this user may read: the database, its key file, the outbox
//! (codes) and the default directory that holds them.
//!
//! What another local user may have put in the way is refused, not used: a path that is a
//! symbolic link, or owned by someone else, or (for what already exists) readable by others.
//! The checks and the open are one step where it matters (`O_NOFOLLOW`, `O_CREAT|O_EXCL`).

use std::{
    fs::{File, OpenOptions},
    os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt},
    path::{Path, PathBuf},
};

use rustix::{fs::OFlags, process::geteuid};

/// The per-user directory under the system's temp directory that the default
/// configuration keeps its files in: made 0700, or refused if someone else's.
///
/// # Errors
/// It cannot be made, or it exists and is not this user's private directory.
pub fn default_dir() -> Result<PathBuf, String> {
    let dir = std::env::temp_dir().join(format!("confirmation-flow-server-{}", geteuid().as_raw()));
    let named = |problem: String| format!("{}: {problem}", dir.display());
    match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(error) => return Err(named(error.to_string())),
    }
    let metadata = std::fs::symlink_metadata(&dir).map_err(|error| named(error.to_string()))?;
    if !metadata.is_dir() {
        return Err(named(
            "not a directory (a symbolic link?): remove it".into(),
        ));
    }
    check_owner_and_mode(&metadata).map_err(named)?;
    Ok(dir)
}

/// Opens `path` to append, creating it 0600 if it does not exist; never through a
/// symbolic link, never a file of another user's or one others can read.
///
/// # Errors
/// It cannot be opened, or it is not this user's private file.
pub fn open_append(path: &Path) -> std::io::Result<File> {
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .custom_flags(nofollow())
        .open(path)?;
    check_owner_and_mode(&file.metadata()?)
        .map_err(|problem| std::io::Error::new(std::io::ErrorKind::PermissionDenied, problem))?;
    Ok(file)
}

/// Checks a file that must already exist: a regular file (not a symbolic link) owned by
/// this user. Whether others can read it is for the caller to weigh ([`open_to_others`]).
///
/// # Errors
/// A message saying what is wrong with it.
pub fn owned_file(path: &Path) -> Result<std::fs::Metadata, String> {
    let metadata = std::fs::symlink_metadata(path).map_err(|error| error.to_string())?;
    if !metadata.is_file() {
        return Err("not a regular file (a symbolic link?): refused".into());
    }
    check_owner(&metadata)?;
    Ok(metadata)
}

/// Whether users other than the owner may read or write what `metadata` describes.
#[must_use]
pub fn open_to_others(metadata: &std::fs::Metadata) -> bool {
    metadata.permissions().mode() & 0o077 != 0
}

fn check_owner(metadata: &std::fs::Metadata) -> Result<(), String> {
    let me = geteuid().as_raw();
    if metadata.uid() == me {
        Ok(())
    } else {
        Err(format!(
            "owned by user {}, not by this user ({me}): refused",
            metadata.uid()
        ))
    }
}

fn check_owner_and_mode(metadata: &std::fs::Metadata) -> Result<(), String> {
    check_owner(metadata)?;
    if open_to_others(metadata) {
        let mode = metadata.permissions().mode() & 0o777;
        let private = if metadata.is_dir() { 700 } else { 600 };
        return Err(format!(
            "mode {mode:o} lets other users in: chmod {private} it"
        ));
    }
    Ok(())
}

fn nofollow() -> i32 {
    OFlags::NOFOLLOW.bits().cast_signed()
}
