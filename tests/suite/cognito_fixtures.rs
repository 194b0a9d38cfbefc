//! A user pool, clients and users for the Cognito-surface tests.

use confirmation_flow::{
    Code, Confirmation, Policy,
    cognito::{AliasAttribute, AppClient, ClientSecret, Destination, Pool, UserRecord, UserStatus},
};

use crate::common::{T0, entropy, key};

pub(crate) const REGION: &str = "us-east-1";
pub(crate) const POOL_ID: &str = "us-east-1_EXAMPLE";
pub(crate) const CLIENT_ID: &str = "7ql4example";
pub(crate) const SECRET: &str = "s3cr3t";
pub(crate) const USERNAME: &str = "alice";
pub(crate) const SUB: &[u8] = b"8f4c2e1a-0b3d-4c5e-9f6a-7b8c9d0e1f2a";
pub(crate) const EMAIL: &str = "alice@example.com";
pub(crate) const ATTRIBUTES: &[(&str, &str)] = &[
    ("sub", "8f4c2e1a-0b3d-4c5e-9f6a-7b8c9d0e1f2a"),
    ("email", EMAIL),
    ("email_verified", "false"),
    ("cognito:user_status", "UNCONFIRMED"),
];

/// The pool, owning the key and policy it borrows.
pub(crate) struct Fixture {
    pub(crate) key: confirmation_flow::ServerKey,
    pub(crate) policy: Policy,
    pub(crate) secret: ClientSecret,
}

impl Fixture {
    pub(crate) fn new() -> Self {
        Self {
            key: key(),
            policy: Policy::COGNITO,
            secret: ClientSecret::new(SECRET),
        }
    }

    pub(crate) fn pool(&self) -> Pool<'_> {
        Pool {
            region: REGION,
            user_pool_id: POOL_ID,
            policy: &self.policy,
            key: &self.key,
            decoy_subject: b"00000000-0000-0000-0000-000000000000",
            session_ttl: core::time::Duration::from_secs(180),
        }
    }

    /// A client without a secret; `hide` sets `PreventUserExistenceErrors`.
    pub(crate) fn public_client(hide: bool) -> AppClient<'static> {
        AppClient {
            client_id: CLIENT_ID,
            secret: None,
            prevent_user_existence_errors: hide,
        }
    }

    pub(crate) fn secret_client(&self) -> AppClient<'_> {
        AppClient {
            client_id: CLIENT_ID,
            secret: Some(&self.secret),
            prevent_user_existence_errors: false,
        }
    }

    /// Alice, unconfirmed, with a code out to her email.
    pub(crate) fn alice(&self) -> (UserRecord<'static>, Code) {
        let (confirmation, code) =
            Confirmation::issue(&self.policy, &self.key, SUB, T0, &entropy(0)).unwrap();
        (record(confirmation), code)
    }
}

pub(crate) fn record(confirmation: Confirmation) -> UserRecord<'static> {
    UserRecord {
        username: USERNAME,
        subject: SUB,
        status: UserStatus::Unconfirmed,
        confirmation,
        destination: Some(Destination {
            attribute: AliasAttribute::Email,
            value: EMAIL,
        }),
        attributes: ATTRIBUTES,
    }
}
