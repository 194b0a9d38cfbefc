//! An in-memory store that carries out outcomes exactly as the embedding contract says:
//! one read per attempt, every write's conditions checked before anything changes, a lost
//! race looked up and decided again. The tests drive the crate through it the way a server
//! does.

use std::collections::BTreeMap;

use confirmation_flow::{
    Confirmation,
    cognito::{
        After, AliasAttribute, AliasClaim, AliasOwners, AppClient, Expected, Fresh, Lookup,
        Operation, Pool, Reply, Target, UserRecord, UserStatus, Write,
    },
};

/// A user row.
#[derive(Clone, Debug)]
pub(crate) struct Row {
    pub(crate) sub: String,
    pub(crate) status: UserStatus,
    pub(crate) state: Confirmation,
    pub(crate) email: Option<String>,
    pub(crate) phone_number: Option<String>,
    pub(crate) email_verified: bool,
    pub(crate) phone_number_verified: bool,
}

impl Row {
    fn value(&self, attribute: AliasAttribute) -> Option<&str> {
        match attribute {
            AliasAttribute::Email => self.email.as_deref(),
            AliasAttribute::PhoneNumber => self.phone_number.as_deref(),
        }
    }

    fn is_verified(&self, attribute: AliasAttribute) -> bool {
        match attribute {
            AliasAttribute::Email => self.email_verified,
            AliasAttribute::PhoneNumber => self.phone_number_verified,
        }
    }

    fn verified(&mut self, attribute: AliasAttribute) -> &mut bool {
        match attribute {
            AliasAttribute::Email => &mut self.email_verified,
            AliasAttribute::PhoneNumber => &mut self.phone_number_verified,
        }
    }
}

/// Users by username, phantoms by id.
#[derive(Clone, Debug, Default)]
pub(crate) struct MemoryStore {
    pub(crate) users: BTreeMap<String, Row>,
    pub(crate) phantoms: BTreeMap<String, Confirmation>,
}

/// What one read found, owned (as rows read from a database are).
pub(crate) struct Snapshot {
    user: Option<(String, Row)>,
    phantom: Option<Confirmation>,
    owners: [Option<String>; 2],
}

impl Snapshot {
    pub(crate) fn lookup<'s>(&'s self, client: Option<AppClient<'s>>) -> Lookup<'s> {
        Lookup {
            client,
            user: self.user.as_ref().map(|(username, row)| UserRecord {
                username,
                subject: &row.sub,
                status: row.status,
                confirmation: row.state,
                email: row.email.as_deref(),
                phone_number: row.phone_number.as_deref(),
                attributes: &[],
            }),
            phantom: self.phantom,
            alias_owners: AliasOwners {
                email: self.owners[0].as_deref(),
                phone_number: self.owners[1].as_deref(),
            },
        }
    }
}

/// A write's condition did not hold: the request lost a race.
#[derive(Debug)]
pub(crate) struct Lost;

/// What the loop answered, owned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Served {
    /// `Ok`, or the exception's `__type`.
    pub(crate) answer: String,
    /// The exception's message, or empty.
    pub(crate) message: String,
    /// `(DeliveryMedium, AttributeName, Destination)` of the reply's `CodeDeliveryDetails`.
    pub(crate) delivery: Option<(String, String, String)>,
    /// The code handed to delivery, if any.
    pub(crate) code: Option<String>,
    /// How many times the loop ran (1 without a lost race).
    pub(crate) attempts: usize,
}

impl MemoryStore {
    /// One consistent read of what `needs` asks for.
    pub(crate) fn read(
        &self,
        username: &str,
        phantom: Option<&str>,
        aliases: [bool; 2],
    ) -> Snapshot {
        let user = self
            .users
            .get(username)
            .map(|row| (username.to_owned(), row.clone()));
        let owner = |attribute: AliasAttribute, wanted: bool| {
            let value = user.as_ref()?.1.value(attribute)?;
            wanted.then_some(())?;
            self.users
                .iter()
                .find(|(name, row)| {
                    name.as_str() != username
                        && row.value(attribute) == Some(value)
                        && row.is_verified(attribute)
                })
                .map(|(name, _)| name.clone())
        };
        Snapshot {
            phantom: phantom.and_then(|id| self.phantoms.get(id).copied()),
            owners: [
                owner(AliasAttribute::Email, aliases[0]),
                owner(AliasAttribute::PhoneNumber, aliases[1]),
            ],
            user,
        }
    }

    /// Carries out `write`, checking every condition first.
    pub(crate) fn apply(&mut self, write: &Write<'_>) -> Result<(), Lost> {
        let version = |state: Option<&Confirmation>| state.map(Confirmation::version);
        match write.target {
            Target::Phantom(id) => {
                let stored = version(self.phantoms.get(id.as_str()));
                check(write.expected, stored)?;
                self.phantoms.insert(id.as_str().to_owned(), write.state);
            }
            Target::User {
                username,
                subject,
                attributes,
            } => {
                let stored = version(self.users.get(username).map(|row| &row.state));
                check(write.expected, stored)?;
                if let Some(claim) = write.alias {
                    self.claim(username, claim)?;
                }
                let row = self
                    .users
                    .entry(username.to_owned())
                    .or_insert_with(|| Row {
                        sub: subject.to_owned(),
                        status: UserStatus::Unconfirmed,
                        state: write.state,
                        email: attributes.and_then(|new| new.email).map(str::to_owned),
                        phone_number: attributes
                            .and_then(|new| new.phone_number)
                            .map(str::to_owned),
                        email_verified: false,
                        phone_number_verified: false,
                    });
                row.state = write.state;
                if let Some(status) = write.status {
                    row.status = status;
                }
                if let Some(attribute) = write.verify {
                    *row.verified(attribute) = true;
                }
            }
        }
        Ok(())
    }

    /// Checks and carries out an alias claim for `username`.
    fn claim(&mut self, username: &str, claim: AliasClaim<'_>) -> Result<(), Lost> {
        let holder = |store: &Self, attribute, value: &str| {
            store
                .users
                .iter()
                .find(|(name, row)| {
                    name.as_str() != username
                        && row.value(attribute) == Some(value)
                        && row.is_verified(attribute)
                })
                .map(|(name, _)| name.clone())
        };
        match claim {
            AliasClaim::MustBeFree { attribute, value } => {
                holder(self, attribute, value).map_or(Ok(()), |_| Err(Lost))
            }
            AliasClaim::TakeFrom {
                attribute,
                value,
                owner,
            } => {
                if holder(self, attribute, value).as_deref() != Some(owner) {
                    return Err(Lost);
                }
                if let Some(row) = self.users.get_mut(owner) {
                    *row.verified(attribute) = false;
                }
                Ok(())
            }
        }
    }

    /// The whole loop for one request: read, decide, write (again on a lost race), answer.
    pub(crate) fn serve(
        &mut self,
        pool: &Pool<'_>,
        client: Option<AppClient<'_>>,
        operation: &Operation<'_>,
        fresh: &Fresh<'_>,
    ) -> Served {
        let needs = operation.needs(pool);
        let phantom = needs.phantom();
        let aliases = [
            needs.alias_owners().email,
            needs.alias_owners().phone_number,
        ];
        for attempts in 1..=8 {
            let snapshot = self.read(
                needs.username(),
                phantom
                    .as_ref()
                    .map(confirmation_flow::cognito::PhantomId::as_str),
                aliases,
            );
            let lookup = snapshot.lookup(client);
            let outcome = needs.decide(&lookup, fresh);
            if let Some(write) = outcome.write()
                && self.apply(write).is_err()
            {
                continue;
            }
            let (reply, after) = outcome.applied();
            let code = match &after {
                After::Deliver(delivery) => Some(delivery.code.as_str().to_owned()),
                After::Nothing | After::PostConfirmation(_) | After::SignIn(_) => None,
            };
            let delivery = match &reply {
                Reply::SignUp { delivery, .. } | Reply::ResendConfirmationCode { delivery } => {
                    delivery.map(|details| {
                        (
                            details.delivery_medium().to_owned(),
                            details.attribute().as_str().to_owned(),
                            details.masked_destination().to_string(),
                        )
                    })
                }
                _ => None,
            };
            let (answer, message) = reply.exception().map_or_else(
                || ("Ok".to_owned(), String::new()),
                |exception| (exception.name().to_owned(), exception.to_string()),
            );
            return Served {
                answer,
                message,
                delivery,
                code,
                attempts,
            };
        }
        panic!("eight lost races in a row");
    }
}

fn check(expected: Expected, stored: Option<u64>) -> Result<(), Lost> {
    let holds = match expected {
        Expected::Version(version) => stored == Some(version),
        Expected::Absent => stored.is_none(),
    };
    holds.then_some(()).ok_or(Lost)
}
