//! Every field of a [`Confirmation`], for the stored form.

use super::{Confirmation, RESEND_LOG, SUBMISSION_LOG};
use crate::{
    grant::SignInGrant,
    key::{KeyId, ReplacedTag, Tag},
    status::Status,
    time::Timestamp,
    window::RateLog,
};

/// Every field of a [`Confirmation`], for the stored form to read and to check before it
/// builds one.
#[derive(Clone, Copy)]
pub(crate) struct Parts {
    pub(crate) status: Status,
    pub(crate) attempts: u8,
    pub(crate) key_id: KeyId,
    pub(crate) tag: Tag,
    pub(crate) replaced: ReplacedTag,
    pub(crate) issued_at: Timestamp,
    pub(crate) expires_at: Timestamp,
    pub(crate) seen_at: Timestamp,
    pub(crate) version: u64,
    pub(crate) submissions: RateLog<SUBMISSION_LOG>,
    pub(crate) resends: RateLog<RESEND_LOG>,
    pub(crate) grant: SignInGrant,
}

impl Confirmation {
    /// Every field, for the stored form.
    pub(crate) const fn parts(&self) -> Parts {
        Parts {
            status: self.status,
            attempts: self.attempts,
            key_id: self.key_id,
            tag: self.tag,
            replaced: self.replaced,
            issued_at: self.issued_at,
            expires_at: self.expires_at,
            seen_at: self.seen_at,
            version: self.version,
            submissions: self.submissions,
            resends: self.resends,
            grant: self.grant,
        }
    }

    /// A state from fields the stored form has already checked.
    pub(crate) const fn from_parts(parts: Parts) -> Self {
        Self {
            status: parts.status,
            attempts: parts.attempts,
            key_id: parts.key_id,
            tag: parts.tag,
            replaced: parts.replaced,
            issued_at: parts.issued_at,
            expires_at: parts.expires_at,
            seen_at: parts.seen_at,
            version: parts.version,
            submissions: parts.submissions,
            resends: parts.resends,
            grant: parts.grant,
        }
    }
}
