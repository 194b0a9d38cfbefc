//! The read side, the same on every backend: the read of what `Needs` asks for, the
//! snapshot it finds, a stored user, and the errors.

use confirmation_flow::{
    Confirmation,
    cognito::{AliasOwners, AppClient, Lookup, Needs, UserRecord, UserStatus},
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

    /// The lookup the crate decides on. `attributes` (from [`Self::attributes`]) feed only
    /// the `PostConfirmation` event: pass `&[]` when the pool has no trigger. A stored
    /// phantom is ignored when the user exists.
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

/// A parameter of a directory statement.
#[derive(Clone, Debug)]
pub enum Param {
    Text(Option<String>),
    Int(i64),
    /// An integer or `NULL` (PostgreSQL types a parameter by its column: a `NULL` text
    /// is not a `NULL` integer).
    MaybeInt(Option<i64>),
}

impl Param {
    /// A text parameter.
    #[must_use]
    pub fn text(value: impl Into<String>) -> Self {
        Self::Text(Some(value.into()))
    }
}

/// A statement of `SqlStore::guarded` (features `sqlite`, `postgres`): its SQL, in PostgreSQL's
/// dialect, its parameters, and whether it must change exactly one row for the group to be
/// applied (a compare-and-swap), or may change any number (a clean-up that goes with it).
#[derive(Clone, Debug)]
pub struct Guarded {
    pub sql: String,
    pub params: Vec<Param>,
    pub must_change_one: bool,
}

impl Guarded {
    /// A statement that must change exactly one row.
    #[must_use]
    pub fn one(sql: &str, params: Vec<Param>) -> Self {
        Self {
            sql: sql.to_owned(),
            params,
            must_change_one: true,
        }
    }

    /// A statement that may change any number of rows.
    #[must_use]
    pub fn any(sql: &str, params: Vec<Param>) -> Self {
        Self {
            sql: sql.to_owned(),
            params,
            must_change_one: false,
        }
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
