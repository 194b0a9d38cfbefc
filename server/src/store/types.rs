//! What a store reads and writes, the same on every backend: the read of what `Needs` asks
//! for and its snapshot, the change a `Write` becomes, the rows of the directory, and the
//! errors. The backends depend on these; nothing here depends on a backend.

use confirmation_flow::{
    Confirmation, Policy,
    cognito::{
        AliasAttribute, AliasClaim, AliasOwners, AppClient, Expected, Lookup, Needs, Target,
        UserRecord, UserStatus, Write,
    },
};

/// Every store error: a message for the log, never shown to a client.
pub type Error = Box<dyn std::error::Error + Send + Sync>;
/// A store result.
pub type Result<T> = std::result::Result<T, Error>;

/// `error` with its sources: a driver's error often says only "db error" and keeps the
/// database's message (a violated constraint, a refused login) in its source.
#[must_use]
pub fn describe(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text = format!("{text}: {cause_text}");
        }
        source = cause.source();
    }
    text
}

/// What one request reads, owned so it can cross to a database thread.
#[derive(Clone, Debug)]
pub struct Read {
    pub pool_id: String,
    /// The app client the request names; empty for admin operations, which name the pool.
    pub client_id: String,
    pub username: String,
    /// The phantom id to read (when the client hides unknown users), else empty.
    pub phantom: String,
    pub email_owner: bool,
    pub phone_number_owner: bool,
}

impl Read {
    /// Everything `needs` asks for.
    #[must_use]
    pub fn of(needs: &Needs<'_, '_>) -> Self {
        let owners = needs.alias_owners();
        Self {
            pool_id: needs.pool().user_pool_id.to_owned(),
            client_id: needs.client_id().unwrap_or_default().to_owned(),
            username: needs.username().to_owned(),
            phantom: needs
                .phantom()
                .map_or_else(String::new, |id| id.as_str().to_owned()),
            email_owner: owners.email,
            phone_number_owner: owners.phone_number,
        }
    }
}

/// A user as stored.
#[derive(Clone, Debug)]
pub struct UserRow {
    pub username: String,
    pub sub: String,
    pub status: UserStatus,
    pub email: Option<String>,
    pub email_verified: bool,
    pub phone_number: Option<String>,
    pub phone_number_verified: bool,
    pub state: Confirmation,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What one read found, owned (the lookup borrows from it).
#[derive(Debug, Default)]
pub struct Snapshot {
    /// Whether the client the read named (or, for an admin operation, the pool) still
    /// exists: a deletion by another process is seen here, in the same snapshot.
    pub live: bool,
    pub user: Option<UserRow>,
    pub phantom: Option<Confirmation>,
    pub email_owner: Option<String>,
    pub phone_number_owner: Option<String>,
}

impl Snapshot {
    /// The user's stored attributes as the `PostConfirmation` event lists them: `sub`, the
    /// email and phone number with their `*_verified` flags.
    #[must_use]
    pub fn attributes(&self) -> Vec<(&str, &str)> {
        let Some(row) = &self.user else {
            return Vec::new();
        };
        let flag = |verified: bool| if verified { "true" } else { "false" };
        let mut attributes = vec![("sub", row.sub.as_str())];
        if let Some(email) = &row.email {
            attributes.extend([
                ("email", email.as_str()),
                ("email_verified", flag(row.email_verified)),
            ]);
        }
        if let Some(phone) = &row.phone_number {
            attributes.extend([
                ("phone_number", phone.as_str()),
                ("phone_number_verified", flag(row.phone_number_verified)),
            ]);
        }
        attributes
    }

    /// The lookup the crate decides on, with the user's `attributes` (from
    /// [`Self::attributes`]). A stored phantom is ignored when the user exists.
    #[must_use]
    pub fn lookup<'s>(
        &'s self,
        client: Option<AppClient<'s>>,
        attributes: &'s [(&'s str, &'s str)],
    ) -> Lookup<'s> {
        Lookup {
            client,
            user: self.user.as_ref().map(|row| UserRecord {
                username: &row.username,
                subject: &row.sub,
                status: row.status,
                confirmation: row.state,
                email: row.email.as_deref(),
                phone_number: row.phone_number.as_deref(),
                attributes,
            }),
            phantom: self.phantom.filter(|_| self.user.is_none()),
            alias_owners: AliasOwners {
                email: self.email_owner.as_deref(),
                phone_number: self.phone_number_owner.as_deref(),
            },
        }
    }
}

/// A new user's attributes, for a `SignUp` insert. [`Change::of`] sets the email and phone
/// number from the write (the crate's `Target::User` `attributes`); the caller gives the
/// rest.
#[derive(Clone, Default)]
pub struct NewUser {
    pub email: Option<String>,
    pub phone_number: Option<String>,
    /// The password's argon2id hash in PHC form.
    pub password_hash: Option<String>,
    /// In a pool with `UsernameAttributes`: the email or phone number the user signs in
    /// with (unique in the pool, verified or not).
    pub login: Option<String>,
}

impl std::fmt::Debug for NewUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewUser")
            .field("email", &self.email)
            .field("phone_number", &self.phone_number)
            .field(
                "password_hash",
                crate::redact::optional(self.password_hash.as_ref()),
            )
            .field("login", &self.login)
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

/// A user for [`Store::seed`].
#[derive(Clone, Debug)]
pub struct SeedUser {
    pub username: String,
    pub sub: String,
    pub email: String,
    pub state: Confirmation,
}

/// A parameter of a directory statement.
#[derive(Clone, Debug)]
pub enum Param {
    Text(Option<String>),
    Int(i64),
}

impl Param {
    /// A text parameter.
    #[must_use]
    pub fn text(value: impl Into<String>) -> Self {
        Self::Text(Some(value.into()))
    }
}

/// A value a directory statement returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Null,
    Text(String),
    Int(i64),
    Bool(bool),
}

/// Reads a stored status; an unknown one is an error, not a guess.
///
/// # Errors
/// The status is not one of Cognito's.
pub fn status(name: &str) -> Result<UserStatus> {
    UserStatus::from_name(name)
        .ok_or_else(|| format!("a stored user status {name:?} is unknown").into())
}

/// Reads a stored state through the crate's validating load.
///
/// # Errors
/// The state does not load.
pub fn state(json: &str) -> Result<Confirmation> {
    Ok(serde_json::from_str(json)?)
}
