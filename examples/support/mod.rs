//! Set-up shared by the measuring harnesses (`ct_harness`, `icount`): a pool and a user whose
//! shapes match what a server passes, so the counts are those of a real request.

use confirmation_flow::{
    Confirmation, KeyRing, Policy, ServerKey, Timestamp,
    cognito::{AttributeSet, Fresh, Pool, UserRecord, UserStatus},
};

/// A user's stable id, a UUID as Cognito's `sub` is.
pub(crate) const SUB: &str = "8f4c2e1a-0b3d-4c5e-9f6a-7b8c9d0e1f2a";

/// The pool: Cognito's policy, the given key, email auto-verified and an alias.
pub(crate) fn pool<'a>(policy: &'a Policy, key: &'a ServerKey) -> Pool<'a> {
    Pool {
        region: "us-east-1",
        user_pool_id: "us-east-1_EXAMPLE",
        policy,
        keys: KeyRing::single(key),
        auto_verified: AttributeSet::EMAIL,
        aliases: AttributeSet::EMAIL,
    }
}

/// Alice, unconfirmed, her code sent to her email.
pub(crate) fn alice(confirmation: Confirmation) -> UserRecord<'static> {
    UserRecord {
        username: "alice",
        subject: SUB,
        status: UserStatus::Unconfirmed,
        confirmation,
        email: Some("alice@example.com"),
        phone_number: None,
        attributes: &[],
    }
}

/// A minute after the code was issued, with fixed "random" bytes.
pub(crate) fn fresh() -> Fresh<'static> {
    Fresh {
        now: Timestamp::from_unix_seconds(1_700_000_060),
        entropy: [5; 32],
        nonce: [0; 16],
        new_subject: "0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b",
    }
}
