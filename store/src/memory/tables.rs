//! The in-memory backend's tables: every pool, client, user and phantom, their indexes, and
//! each change checked, then carried out, while the caller holds the lock.

use std::collections::{BTreeMap, BTreeSet};

use confirmation_flow::cognito::{AliasAttribute, UserStatus};

use crate::{Applied, Budget, Change, Read, Result, Row, Snapshot, UserRow, types::state};

#[derive(Debug, Default)]
pub(super) struct Tables {
    pub(super) pools: BTreeSet<String>,
    /// client id → pool id.
    pub(super) clients: BTreeMap<String, String>,
    /// (pool id, username) → user.
    pub(super) users: BTreeMap<(String, String), Stored>,
    /// phantom id → (pool id, state as stored, version).
    pub(super) phantoms: BTreeMap<String, (String, String, i64)>,
    /// (pool id, key, kind) → budget.
    pub(super) budgets: BTreeMap<(String, String, &'static str), Budget>,
    /// Indexes, so that no request scans the users: every stored `sub`; (pool id, sign-in
    /// alias); (pool id, attribute, value) → the user holding it as a verified alias.
    pub(super) subs: BTreeSet<String>,
    pub(super) logins: BTreeSet<(String, String)>,
    pub(super) owners: BTreeMap<(String, &'static str, String), String>,
}

/// A user as kept: the row a read returns (its state loaded when written), its version,
/// which of its values it holds as verified aliases, and the sign-in alias it holds.
#[derive(Clone, Debug)]
pub(super) struct Stored {
    pub(super) row: UserRow,
    pub(super) version: i64,
    pub(super) email_alias: bool,
    pub(super) phone_number_alias: bool,
    pub(super) login: Option<String>,
}

impl Tables {
    pub(super) fn read(&self, read: &Read) -> Result<Snapshot> {
        let key = (read.pool_id.clone(), read.username.clone());
        let user = self.users.get(&key).map(|stored| stored.row.clone());
        let phantom = match self.phantoms.get(&read.phantom) {
            Some((_, json, _)) if !read.phantom.is_empty() => Some(state(json)?),
            _ => None,
        };
        let stored = self.users.get(&key);
        let owner = |asked: bool, attribute: AliasAttribute| {
            let value = stored.and_then(|row| row.alias(attribute).0.clone());
            let value = value.unwrap_or_else(|| read.phantom.clone());
            asked
                .then(|| self.owner(&read.pool_id, attribute, &value, &read.username))
                .flatten()
        };
        let live = if read.client_id.is_empty() {
            self.pools.contains(&read.pool_id)
        } else {
            self.clients.get(&read.client_id) == Some(&read.pool_id)
        };
        Ok(Snapshot {
            live,
            user,
            phantom,
            email_owner: owner(read.email_owner, AliasAttribute::Email),
            phone_number_owner: owner(read.phone_number_owner, AliasAttribute::PhoneNumber),
        })
    }

    /// The user of `pool_id` other than `except` who holds `value` as a verified alias.
    pub(super) fn owner(
        &self,
        pool_id: &str,
        attribute: AliasAttribute,
        value: &str,
        except: &str,
    ) -> Option<String> {
        let key = (pool_id.to_owned(), attribute.as_str(), value.to_owned());
        self.owners
            .get(&key)
            .filter(|owner| *owner != except)
            .cloned()
    }

    /// Records `username`'s value of `attribute` as held (or no longer held) as a verified
    /// alias, in the row and in the index.
    pub(super) fn hold(
        &mut self,
        pool_id: &str,
        username: &str,
        attribute: AliasAttribute,
        held: bool,
    ) {
        let Some(stored) = self
            .users
            .get_mut(&(pool_id.to_owned(), username.to_owned()))
        else {
            return;
        };
        stored.set_alias(attribute, held);
        if let Some(value) = stored.alias(attribute).0.clone() {
            let key = (pool_id.to_owned(), attribute.as_str(), value);
            if held {
                self.owners.insert(key, username.to_owned());
            } else {
                self.owners.remove(&key);
            }
        }
    }

    pub(super) fn apply(&mut self, change: &Change) -> Result<Applied> {
        // The budget first: a change whose unit is not there is not made at all.
        let budget = change.spend.as_ref().map(|spend| {
            let key = (change.pool_id.clone(), spend.key.clone(), spend.kind);
            let stored = self.budgets.get(&key).copied().unwrap_or(Budget {
                window_start: change.now,
                spent: 0,
            });
            (key, stored, spend)
        });
        let budget = match budget {
            Some((_, stored, spend)) if !stored.has_room(spend, change.now) => {
                if spend.required {
                    return Ok(Applied::LostRace);
                }
                None
            }
            budget => budget,
        };
        let done = match (&change.row, change.expected) {
            (Row::Phantom { id }, expected) => self.apply_phantom(id, expected, change),
            (Row::User { username, sub }, None) => self.insert_user(username, sub, change)?,
            (Row::User { username, sub }, Some(expected)) => {
                self.update_user(username, sub, expected, change)?
            }
        };
        if !done {
            return Ok(Applied::LostRace);
        }
        if let Some((key, stored, spend)) = budget {
            self.budgets.insert(key, stored.after(spend, change.now));
        }
        Ok(Applied::Done)
    }

    pub(super) fn apply_phantom(
        &mut self,
        id: &str,
        expected: Option<i64>,
        change: &Change,
    ) -> bool {
        let row = (change.pool_id.clone(), change.state.clone(), change.version);
        match (expected, self.phantoms.get_mut(id)) {
            (None, None) if self.pools.contains(&change.pool_id) => {
                self.phantoms.insert(id.to_owned(), row);
                true
            }
            (Some(expected), Some(stored)) if stored.2 == expected => {
                *stored = row;
                true
            }
            _ => false,
        }
    }

    pub(super) fn insert_user(
        &mut self,
        username: &str,
        sub: &str,
        change: &Change,
    ) -> Result<bool> {
        let pool_id = &change.pool_id;
        let key = (pool_id.clone(), username.to_owned());
        let login = change.new_user.login.as_deref();
        let clash = self.users.contains_key(&key)
            || !self.pools.contains(pool_id)
            || self.subs.contains(sub)
            || login
                .is_some_and(|login| self.logins.contains(&(pool_id.clone(), login.to_owned())));
        // A user inserted verified (`AdminCreateUser`) claims its value as `update_user`
        // claims it: the value is the new row's, and free or held by the owner named.
        let claim_holds = change.claim.as_ref().is_none_or(|claim| {
            let value = match claim.attribute {
                AliasAttribute::Email => &change.new_user.email,
                AliasAttribute::PhoneNumber => &change.new_user.phone_number,
            };
            value.as_deref() == Some(claim.value.as_str())
                && self.owner(pool_id, claim.attribute, &claim.value, username) == claim.from
        });
        if clash || !claim_holds {
            return Ok(false);
        }
        let row = UserRow {
            username: username.to_owned(),
            sub: sub.to_owned(),
            status: change.status.unwrap_or(UserStatus::Unconfirmed),
            email: change.new_user.email.clone(),
            email_verified: false,
            phone_number: change.new_user.phone_number.clone(),
            phone_number_verified: false,
            state: state(&change.state)?,
            created_at: change.now,
            updated_at: change.now,
        };
        let user = Stored {
            row,
            version: change.version,
            email_alias: false,
            phone_number_alias: false,
            login: change.new_user.login.clone(),
        };
        self.subs.insert(sub.to_owned());
        if let Some(login) = &user.login {
            self.logins.insert((pool_id.clone(), login.clone()));
        }
        self.users.insert(key, user);
        if change.verify.is_some() || change.claim.is_some() {
            // Checked above, so it is made: the same version, its flags and claim set.
            return self.update_user(username, sub, change.version, change);
        }
        Ok(true)
    }

    pub(super) fn update_user(
        &mut self,
        username: &str,
        sub: &str,
        expected: i64,
        change: &Change,
    ) -> Result<bool> {
        let pool_id = &change.pool_id;
        let key = (pool_id.clone(), username.to_owned());
        let new_state = state(&change.state)?;
        let Some(row) = self.users.get(&key) else {
            return Ok(false);
        };
        if row.row.sub != sub || row.version != expected {
            return Ok(false);
        }
        // A claimed value must still be the row's, and free, or held by the owner named.
        let mut taken_from = None;
        if let Some(claim) = &change.claim {
            if row.alias(claim.attribute).0.as_deref() != Some(claim.value.as_str()) {
                return Ok(false);
            }
            let holder = self.owner(pool_id, claim.attribute, &claim.value, username);
            if holder != claim.from {
                return Ok(false);
            }
            taken_from = holder;
        }
        // Every condition held: write.
        if let (Some(owner), Some(claim)) = (taken_from, &change.claim) {
            self.hold(pool_id, &owner, claim.attribute, false);
        }
        let Some(stored) = self.users.get_mut(&key) else {
            return Ok(false);
        };
        stored.version = change.version;
        let row = &mut stored.row;
        row.state = new_state;
        row.status = change.status.unwrap_or(row.status);
        row.updated_at = change.now;
        match change.verify {
            Some(AliasAttribute::Email) => row.email_verified = true,
            Some(AliasAttribute::PhoneNumber) => row.phone_number_verified = true,
            None => {}
        }
        if let Some(claim) = &change.claim {
            self.hold(pool_id, username, claim.attribute, true);
        }
        Ok(true)
    }
}

impl Stored {
    /// The attribute's value and whether it is held as a verified alias.
    const fn alias(&self, attribute: AliasAttribute) -> (&Option<String>, bool) {
        match attribute {
            AliasAttribute::Email => (&self.row.email, self.email_alias),
            AliasAttribute::PhoneNumber => (&self.row.phone_number, self.phone_number_alias),
        }
    }

    /// Takes `attribute`'s value as a verified alias, or gives it up (which unverifies it,
    /// as `ForceAliasCreation` does to the owner it takes the value from).
    const fn set_alias(&mut self, attribute: AliasAttribute, held: bool) {
        let (verified, alias) = match attribute {
            AliasAttribute::Email => (&mut self.row.email_verified, &mut self.email_alias),
            AliasAttribute::PhoneNumber => (
                &mut self.row.phone_number_verified,
                &mut self.phone_number_alias,
            ),
        };
        *alias = held;
        *verified = *verified && held;
    }
}
