//! The write side: the change a crate `Write` becomes, owned so it can cross to a database
//! thread, and whether it was made.

use confirmation_flow::{
    Confirmation, Policy,
    cognito::{AliasAttribute, AliasClaim, Expected, Target, UserStatus, Write},
};

use crate::{budget::Spend, types::Result};

/// A new user's attributes, for a `SignUp` insert. [`Change::of`] sets the email and phone
/// number from the write (the crate's `Target::User` `attributes`); the caller gives the
/// rest.
#[derive(Clone, Default)]
pub struct NewUser {
    pub email: Option<String>,
    pub phone_number: Option<String>,
    /// The password's argon2id hash in PHC form.
    pub password_hash: Option<String>,
    /// The password's SRP verifier and its salt (`USER_SRP_AUTH`), as the server encodes them.
    pub srp_verifier: Option<String>,
    /// In a pool with `UsernameAttributes`: the email or phone number the user signs in
    /// with (unique in the pool, verified or not).
    pub login: Option<String>,
    /// When the password stops working (Unix seconds), for a temporary one (an invitation's);
    /// `None`: the password is permanent.
    pub password_expires_at: Option<i64>,
}

impl std::fmt::Debug for NewUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewUser")
            .field("email", &self.email)
            .field("phone_number", &self.phone_number)
            .field(
                "password_hash",
                &self.password_hash.as_ref().map(|_| "<redacted>"),
            )
            .field(
                "srp_verifier",
                &self.srp_verifier.as_ref().map(|_| "<redacted>"),
            )
            .field("login", &self.login)
            .field("password_expires_at", &self.password_expires_at)
            .finish()
    }
}

/// The row a change writes.
#[derive(Clone, Debug)]
pub enum Row {
    User { username: String, sub: String },
    Phantom { id: String },
}

/// The alias a change claims: the value must be free, or taken from its owner.
#[derive(Clone, Debug)]
pub struct Claim {
    pub attribute: AliasAttribute,
    pub value: String,
    /// The user who holds it now, when it is taken (`ForceAliasCreation`).
    pub from: Option<String>,
}

/// One write and its conditions, owned: built from the crate's [`Write`].
#[derive(Clone, Debug)]
pub struct Change {
    pub pool_id: String,
    pub row: Row,
    /// The version the row must still hold; `None`: the row must not exist (insert).
    pub expected: Option<i64>,
    /// The state as JSON, and its version.
    pub state: String,
    pub version: i64,
    pub status: Option<UserStatus>,
    pub verify: Option<AliasAttribute>,
    pub claim: Option<Claim>,
    /// The attributes of a user inserted by `SignUp`.
    pub new_user: NewUser,
    pub now: i64,
    /// When a phantom row may be deleted: once its code has expired and its rate windows
    /// have passed.
    pub prune_after: i64,
    /// A unit of a budget to take with the change: if the budget has none left, the whole
    /// change is a lost race.
    pub spend: Option<Spend>,
}

impl Change {
    /// The change that carries out `write` in the pool `pool_id` at `now` (Unix seconds).
    ///
    /// # Errors
    /// A version or time beyond `i64`, or a state that does not serialize.
    pub fn of(
        pool_id: &str,
        write: &Write<'_>,
        policy: &Policy,
        mut new_user: NewUser,
        now: i64,
    ) -> Result<Self> {
        let row = match write.target {
            Target::User {
                username,
                subject,
                attributes,
            } => {
                // A new user's email and phone number, as the crate checked them.
                let attributes = attributes.unwrap_or_default();
                new_user.email = attributes.email.map(str::to_owned);
                new_user.phone_number = attributes.phone_number.map(str::to_owned);
                Row::User {
                    username: username.to_owned(),
                    sub: subject.to_owned(),
                }
            }
            Target::Phantom(id) => Row::Phantom {
                id: id.as_str().to_owned(),
            },
        };
        let expected = match write.expected {
            Expected::Version(version) => Some(i64::try_from(version)?),
            Expected::Absent => None,
        };
        let claim = match write.alias {
            None => None,
            Some(AliasClaim::MustBeFree { attribute, value }) => Some(Claim {
                attribute,
                value: value.to_owned(),
                from: None,
            }),
            Some(AliasClaim::TakeFrom {
                attribute,
                value,
                owner,
            }) => Some(Claim {
                attribute,
                value: value.to_owned(),
                from: Some(owner.to_owned()),
            }),
        };
        let state = &write.state;
        let windows_end = state.last_changed_at().saturating_add(policy.window());
        let prune_after = windows_end.max(state.expires_at()).as_unix_seconds();
        Ok(Self {
            pool_id: pool_id.to_owned(),
            row,
            expected,
            state: serde_json::to_string(state)?,
            version: i64::try_from(state.version())?,
            status: write.status,
            verify: write.verify,
            claim,
            new_user,
            now,
            prune_after: i64::try_from(prune_after)?,
            spend: None,
        })
    }

    /// Whether the change sets `attribute`'s verified alias flag on its row.
    #[must_use]
    pub fn claims(&self, attribute: AliasAttribute) -> bool {
        self.claim
            .as_ref()
            .is_some_and(|claim| claim.attribute == attribute)
    }

    /// The owner to take `attribute` from, and its value.
    #[must_use]
    pub fn takes(&self, attribute: AliasAttribute) -> Option<(&str, &str)> {
        let claim = self.claim.as_ref()?;
        let owner = claim.from.as_deref()?;
        (claim.attribute == attribute).then_some((owner, claim.value.as_str()))
    }
}

/// Whether a change was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applied {
    Done,
    /// A condition no longer held: read and decide again.
    LostRace,
}

/// A user for a bulk load (`SqlStore::seed`, and each SQL backend's `seed`).
#[derive(Clone, Debug)]
pub struct SeedUser {
    pub username: String,
    pub sub: String,
    pub email: String,
    pub state: Confirmation,
}
