//! Users, phantoms and their confirmation state in SQLite: one read per request attempt,
//! and every outcome's write in one transaction that checks every condition it states.

use std::sync::{Mutex, MutexGuard, PoisonError};

use confirmation_flow::{
    Confirmation,
    cognito::{
        AliasAttribute, AliasClaim, AliasOwners, AppClient, Expected, Lookup, Needs, Target,
        UserRecord, UserStatus, Write,
    },
};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY,
    sub TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    email TEXT,
    email_verified INTEGER NOT NULL DEFAULT 0,
    phone_number TEXT,
    phone_number_verified INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS users_verified_email ON users (email) WHERE email_verified = 1;
CREATE INDEX IF NOT EXISTS users_verified_phone ON users (phone_number) WHERE phone_number_verified = 1;
CREATE TABLE IF NOT EXISTS phantoms (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);";

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
pub struct Snapshot {
    user: Option<UserRow>,
    phantom: Option<Confirmation>,
    email_owner: Option<String>,
    phone_number_owner: Option<String>,
}

impl Snapshot {
    /// The lookup the crate decides on.
    pub fn lookup<'s>(&'s self, client: Option<AppClient<'s>>) -> Lookup<'s> {
        Lookup {
            client,
            user: self.user.as_ref().map(|row| UserRecord {
                username: &row.username,
                subject: &row.sub,
                status: row.status,
                confirmation: row.state,
                email: row.email.as_deref(),
                phone_number: row.phone_number.as_deref(),
                attributes: &[],
            }),
            phantom: self.phantom,
            alias_owners: AliasOwners {
                email: self.email_owner.as_deref(),
                phone_number: self.phone_number_owner.as_deref(),
            },
        }
    }
}

/// A new user's attributes, for a `SignUp` insert.
#[derive(Clone, Copy, Debug, Default)]
pub struct NewUser<'a> {
    pub email: Option<&'a str>,
    pub phone_number: Option<&'a str>,
}

pub struct Store {
    db: Mutex<Connection>,
}

pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

impl Store {
    pub fn open(path: &str) -> Result<Self> {
        let db = if path == ":memory:" {
            Connection::open_in_memory()?
        } else {
            Connection::open(path)?
        };
        db.execute_batch(SCHEMA)?;
        Ok(Self { db: Mutex::new(db) })
    }

    fn db(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written (transactions roll
        // back), so a poisoned lock is still safe to use.
        self.db.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The server key, made once from the OS's CSPRNG and kept in the database when no key
    /// file is configured.
    pub fn server_key(&self) -> Result<[u8; 32]> {
        let db = self.db();
        let made = crate::random_bytes::<32>();
        // Another process may insert first: the stored key is the one.
        db.execute(
            "INSERT OR IGNORE INTO meta (name, value) VALUES ('server_key', ?1)",
            params![made.to_vec()],
        )?;
        let stored: Vec<u8> = db.query_row(
            "SELECT value FROM meta WHERE name = 'server_key'",
            [],
            |row| row.get(0),
        )?;
        <[u8; 32]>::try_from(stored)
            .map_err(|_| "the server key stored in the database is not 32 bytes".into())
    }

    /// One consistent read of everything `needs` asks for. A user and an unknown user cost
    /// the same statements: the phantom row is read either way, and the alias owners are
    /// looked up either way (for an unknown user, of a value nobody holds).
    pub fn read(&self, needs: &Needs<'_, '_>) -> Result<Snapshot> {
        let mut db = self.db();
        let tx = db.transaction()?;
        let user = user(&tx, needs.username())?;
        let phantom = needs.phantom();
        let phantom_id = phantom.as_ref().map_or("", |id| id.as_str());
        let phantom: Option<Confirmation> = tx
            .query_row(
                "SELECT state FROM phantoms WHERE id = ?1",
                params![phantom_id],
                |row| row.get::<_, String>(0),
            )
            .optional()?
            .map(|state| serde_json::from_str(&state))
            .transpose()?
            .filter(|_| user.is_none());
        let aliases = needs.alias_owners();
        let owner = |attribute: AliasAttribute, wanted: bool| -> Result<Option<String>> {
            let value = user.as_ref().and_then(|row| match attribute {
                AliasAttribute::Email => row.email.as_deref(),
                AliasAttribute::PhoneNumber => row.phone_number.as_deref(),
            });
            if !wanted {
                return Ok(None);
            }
            // A phantom id is no email or phone number: the same query, nobody found.
            let owner = holder(
                &tx,
                attribute,
                value.unwrap_or(phantom_id),
                needs.username(),
            )?;
            Ok(owner.filter(|_| value.is_some()))
        };
        let email_owner = owner(AliasAttribute::Email, aliases.email)?;
        let phone_number_owner = owner(AliasAttribute::PhoneNumber, aliases.phone_number)?;
        Ok(Snapshot {
            user,
            phantom,
            email_owner,
            phone_number_owner,
        })
    }

    /// Carries out `write` in one transaction if every condition it states holds; `false`
    /// when one does not (the request lost a race: read and decide again).
    pub fn apply(&self, write: &Write<'_>, new_user: NewUser<'_>, now: i64) -> Result<bool> {
        let mut db = self.db();
        let tx = db.transaction()?;
        let state = serde_json::to_string(&write.state)?;
        let version = i64::try_from(write.state.version())?;
        let done = match (write.target, write.expected) {
            (Target::Phantom(id), Expected::Absent) => {
                tx.execute(
                    "INSERT OR IGNORE INTO phantoms (id, state, version, updated_at) VALUES (?1, ?2, ?3, ?4)",
                    params![id.as_str(), state, version, now],
                )? == 1
            }
            (Target::Phantom(id), Expected::Version(expected)) => {
                tx.execute(
                    "UPDATE phantoms SET state = ?1, version = ?2, updated_at = ?3 WHERE id = ?4 AND version = ?5",
                    params![state, version, now, id.as_str(), i64::try_from(expected)?],
                )? == 1
            }
            (Target::User { username, subject }, Expected::Absent) => {
                tx.execute(
                    "INSERT OR IGNORE INTO users (username, sub, status, email, phone_number, state, version, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
                    params![
                        username,
                        subject,
                        write.status.unwrap_or(UserStatus::Unconfirmed).as_str(),
                        new_user.email,
                        new_user.phone_number,
                        state,
                        version,
                        now
                    ],
                )? == 1
            }
            (Target::User { username, subject }, Expected::Version(expected)) => {
                // The row is the user read (its sub), at the version read: a user deleted
                // and signed up again in between is another row, whatever its version.
                claim(&tx, username, write.alias)?
                    && tx.execute(
                        "UPDATE users SET state = ?1, version = ?2, status = COALESCE(?3, status), updated_at = ?4,
                             email_verified = email_verified OR ?5, phone_number_verified = phone_number_verified OR ?6
                         WHERE username = ?7 AND sub = ?8 AND version = ?9",
                        params![
                            state,
                            version,
                            write.status.map(UserStatus::as_str),
                            now,
                            write.verify == Some(AliasAttribute::Email),
                            write.verify == Some(AliasAttribute::PhoneNumber),
                            username,
                            subject,
                            i64::try_from(expected)?
                        ],
                    )? == 1
            }
            _ => return Err("a write this server does not know".into()),
        };
        if done {
            tx.commit()?;
        }
        Ok(done)
    }

    /// The user named `username`, if any.
    pub fn load(&self, username: &str) -> Result<Option<UserRow>> {
        let mut db = self.db();
        let tx = db.transaction()?;
        user(&tx, username)
    }
}

/// Reads one user row; stored state is untrusted and goes through the crate's validating load.
fn user(tx: &Transaction<'_>, username: &str) -> Result<Option<UserRow>> {
    type Columns = (
        String,
        String,
        String,
        Option<String>,
        bool,
        Option<String>,
        bool,
        String,
        i64,
        i64,
    );
    let columns: Option<Columns> = tx
        .query_row(
            "SELECT username, sub, status, email, email_verified, phone_number, phone_number_verified, state, created_at, updated_at
             FROM users WHERE username = ?1",
            params![username],
            |row| {
                Ok((
                    row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?,
                    row.get(5)?, row.get(6)?, row.get(7)?, row.get(8)?, row.get(9)?,
                ))
            },
        )
        .optional()?;
    let Some((
        username,
        sub,
        status,
        email,
        email_verified,
        phone_number,
        phone_number_verified,
        state,
        created_at,
        updated_at,
    )) = columns
    else {
        return Ok(None);
    };
    Ok(Some(UserRow {
        username,
        sub,
        status: UserStatus::from_name(&status).ok_or("a stored user status is unknown")?,
        email,
        email_verified,
        phone_number,
        phone_number_verified,
        state: serde_json::from_str(&state)?,
        created_at,
        updated_at,
    }))
}

/// The column of an alias attribute (names from a closed set, never from input).
const fn column(attribute: AliasAttribute) -> &'static str {
    match attribute {
        AliasAttribute::Email => "email",
        AliasAttribute::PhoneNumber => "phone_number",
    }
}

/// Another user who holds `value` as a verified `attribute`, if any.
fn holder(
    tx: &Transaction<'_>,
    attribute: AliasAttribute,
    value: &str,
    except: &str,
) -> Result<Option<String>> {
    let column = column(attribute);
    let sql = format!(
        "SELECT username FROM users WHERE {column} = ?1 AND {column}_verified = 1 AND username != ?2 LIMIT 1"
    );
    Ok(tx
        .query_row(&sql, params![value, except], |row| row.get(0))
        .optional()?)
}

/// Checks an alias claim inside the write's transaction (and takes the alias from its owner);
/// `false` if it no longer holds.
fn claim(tx: &Transaction<'_>, username: &str, claim: Option<AliasClaim<'_>>) -> Result<bool> {
    match claim {
        None => Ok(true),
        Some(AliasClaim::MustBeFree { attribute, value }) => {
            Ok(holder(tx, attribute, value, username)?.is_none())
        }
        Some(AliasClaim::TakeFrom {
            attribute,
            value,
            owner,
        }) => {
            let column = column(attribute);
            let sql = format!(
                "UPDATE users SET {column}_verified = 0 WHERE username = ?1 AND {column} = ?2 AND {column}_verified = 1"
            );
            Ok(tx.execute(&sql, params![owner, value])? == 1)
        }
        Some(_) => Err("an alias claim this server does not know".into()),
    }
}

#[cfg(test)]
mod tests {
    //! The conditions of a write are checked by the transaction, not by the read before it:
    //! races made deterministic by reading for two requests before either writes.
    #![allow(clippy::unwrap_used, clippy::panic, reason = "tests fail loudly")]

    use confirmation_flow::{
        KeyId, KeyRing, Policy, ServerKey, Timestamp,
        cognito::{
            After, AppClient, AttributeSet, ConfirmSignUp, Fresh, Operation, Outcome, Pool, SignUp,
            UserAttributes, UserStatus,
        },
    };

    use super::{NewUser, Store};

    const CLIENT: AppClient<'static> = AppClient {
        client_id: "client",
        secret: None,
        prevent_user_existence_errors: false,
    };

    fn fresh(sub: &str) -> Fresh<'_> {
        Fresh {
            now: Timestamp::from_unix_seconds(1_700_000_000),
            entropy: [9; 32],
            nonce: [0; 16],
            new_subject: sub,
        }
    }

    fn pool<'a>(policy: &'a Policy, key: &'a ServerKey) -> Pool<'a> {
        Pool {
            region: "us-east-1",
            user_pool_id: "us-east-1_TEST",
            policy,
            keys: KeyRing::single(key),
            auto_verified: AttributeSet::EMAIL,
            aliases: AttributeSet::EMAIL,
            session_ttl: std::time::Duration::from_mins(1),
        }
    }

    /// Signs `username` up with `email` through the loop; the delivered code.
    fn sign_up(store: &Store, pool: &Pool<'_>, username: &str, email: &str) -> String {
        let attributes = [("email", email)];
        let request = SignUp {
            client_id: "client",
            username,
            user_attributes: Some(UserAttributes::new(&attributes)),
            ..SignUp::default()
        };
        let operation = Operation::from(request.validate().unwrap());
        let needs = operation.needs(pool);
        let snapshot = store.read(&needs).unwrap();
        let sub = format!("sub-{username}");
        let outcome = needs.decide(&snapshot.lookup(Some(CLIENT)), &fresh(&sub));
        let new_user = NewUser {
            email: Some(email),
            phone_number: None,
        };
        assert!(store.apply(&outcome.write.unwrap(), new_user, 0).unwrap());
        let After::Deliver(delivery) = outcome.after else {
            panic!("a code is delivered");
        };
        delivery.code.as_str().to_owned()
    }

    fn confirm<'a>(username: &'a str, code: &'a str, force: bool) -> Operation<'a> {
        let request = ConfirmSignUp {
            client_id: "client",
            username,
            confirmation_code: code,
            force_alias_creation: force,
            ..ConfirmSignUp::default()
        };
        Operation::from(request.validate().unwrap())
    }

    fn answer(outcome: &Outcome<'_>) -> &'static str {
        outcome
            .reply
            .exception()
            .map_or("Ok", |exception| exception.name())
    }

    #[test]
    fn a_second_verified_owner_of_one_email_is_a_lost_race() {
        let (policy, key) = (Policy::COGNITO, ServerKey::new(KeyId(1), &[1; 32]));
        let pool = pool(&policy, &key);
        let store = Store::open(":memory:").unwrap();
        let email = "shared@example.com";
        let (first, second) = (
            sign_up(&store, &pool, "first", email),
            sign_up(&store, &pool, "second", email),
        );
        let (a, b) = (
            confirm("first", &first, false),
            confirm("second", &second, false),
        );
        let (needs_a, needs_b) = (a.needs(&pool), b.needs(&pool));
        // Both read before either writes: each sees the email free.
        let (read_a, read_b) = (store.read(&needs_a).unwrap(), store.read(&needs_b).unwrap());
        let outcome_a = needs_a.decide(&read_a.lookup(Some(CLIENT)), &fresh(""));
        let outcome_b = needs_b.decide(&read_b.lookup(Some(CLIENT)), &fresh(""));
        assert_eq!((answer(&outcome_a), answer(&outcome_b)), ("Ok", "Ok"));
        assert!(
            store
                .apply(&outcome_a.write.unwrap(), NewUser::default(), 1)
                .unwrap()
        );
        let lost = store
            .apply(&outcome_b.write.unwrap(), NewUser::default(), 1)
            .unwrap();
        assert!(!lost, "the transaction refuses a second verified owner");
        // The loop reads again and decides again: the alias is taken now.
        let again = store.read(&needs_b).unwrap();
        let outcome = needs_b.decide(&again.lookup(Some(CLIENT)), &fresh(""));
        assert_eq!(answer(&outcome), "AliasExistsException");
        let (first, second) = (
            store.load("first").unwrap().unwrap(),
            store.load("second").unwrap().unwrap(),
        );
        assert!(first.email_verified && !second.email_verified);
        assert_eq!(second.status, UserStatus::Unconfirmed);
    }

    #[test]
    fn taking_an_alias_from_an_owner_who_no_longer_holds_it_is_a_lost_race() {
        let (policy, key) = (Policy::COGNITO, ServerKey::new(KeyId(1), &[1; 32]));
        let pool = pool(&policy, &key);
        let store = Store::open(":memory:").unwrap();
        let email = "moving@example.com";
        let codes = ["owner", "thief", "other"].map(|name| sign_up(&store, &pool, name, email));
        let owner = confirm("owner", &codes[0], false);
        let needs = owner.needs(&pool);
        let read = store.read(&needs).unwrap();
        let outcome = needs.decide(&read.lookup(Some(CLIENT)), &fresh(""));
        assert!(
            store
                .apply(&outcome.write.unwrap(), NewUser::default(), 1)
                .unwrap()
        );
        // Two users force the alias at once; both read "owner" as its holder.
        let (thief, other) = (
            confirm("thief", &codes[1], true),
            confirm("other", &codes[2], true),
        );
        let (needs_t, needs_o) = (thief.needs(&pool), other.needs(&pool));
        let (read_t, read_o) = (store.read(&needs_t).unwrap(), store.read(&needs_o).unwrap());
        let outcome_t = needs_t.decide(&read_t.lookup(Some(CLIENT)), &fresh(""));
        let outcome_o = needs_o.decide(&read_o.lookup(Some(CLIENT)), &fresh(""));
        assert!(
            store
                .apply(&outcome_t.write.unwrap(), NewUser::default(), 2)
                .unwrap()
        );
        let lost = store
            .apply(&outcome_o.write.unwrap(), NewUser::default(), 2)
            .unwrap();
        assert!(
            !lost,
            "the owner named in the claim no longer holds the alias"
        );
        let verified: Vec<bool> = ["owner", "thief", "other"]
            .map(|name| store.load(name).unwrap().unwrap().email_verified)
            .to_vec();
        assert_eq!(verified, [false, true, false]);
    }

    #[test]
    fn a_write_against_a_stale_version_is_a_lost_race() {
        let (policy, key) = (Policy::COGNITO, ServerKey::new(KeyId(1), &[1; 32]));
        let pool = pool(&policy, &key);
        let store = Store::open(":memory:").unwrap();
        sign_up(&store, &pool, "alice", "alice@example.com");
        let (one, two) = (
            confirm("alice", "000000", false),
            confirm("alice", "111111", false),
        );
        let (needs_1, needs_2) = (one.needs(&pool), two.needs(&pool));
        let (read_1, read_2) = (store.read(&needs_1).unwrap(), store.read(&needs_2).unwrap());
        let outcome_1 = needs_1.decide(&read_1.lookup(Some(CLIENT)), &fresh(""));
        let outcome_2 = needs_2.decide(&read_2.lookup(Some(CLIENT)), &fresh(""));
        assert!(
            store
                .apply(&outcome_1.write.unwrap(), NewUser::default(), 1)
                .unwrap()
        );
        assert!(
            !store
                .apply(&outcome_2.write.unwrap(), NewUser::default(), 1)
                .unwrap(),
            "two guesses never share one attempt"
        );
        assert_eq!(
            store.load("alice").unwrap().unwrap().state.attempts_used(),
            1
        );
    }
}
