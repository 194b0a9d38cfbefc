//! Set-up shared by the measuring harnesses (`ct_harness`, `icount`): a pool and a user whose
//! shapes match what a server passes, so the counts are those of a real request.

use core::time::Duration;

use confirmation_flow::{
    Confirmation, Policy, ServerKey,
    cognito::{AliasAttribute, Destination, Pool, UserRecord, UserStatus},
};

/// A user's stable id, as long as Cognito's `sub`.
pub(crate) const SUB: &[u8] = b"8f4c2e1a-0b3d-4c5e-9f6a-7b8c9d0e1f2a";

/// The pool: Cognito's policy, the given key, a decoy subject as long as [`SUB`].
pub(crate) fn pool<'a>(policy: &'a Policy, key: &'a ServerKey) -> Pool<'a> {
    Pool {
        region: "us-east-1",
        user_pool_id: "us-east-1_EXAMPLE",
        policy,
        key,
        decoy_subject: b"00000000-0000-0000-0000-000000000000",
        session_ttl: Duration::from_secs(180),
    }
}

/// Alice, unconfirmed, her code sent to her email.
pub(crate) fn alice(confirmation: Confirmation) -> UserRecord<'static> {
    UserRecord {
        username: "alice",
        subject: SUB,
        status: UserStatus::Unconfirmed,
        confirmation,
        destination: Some(Destination {
            attribute: AliasAttribute::Email,
            value: "alice@example.com",
        }),
        attributes: &[],
    }
}
