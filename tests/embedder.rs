//! A whole embedder of the crate without the store crate: a store that keeps rows in memory
//! the way a database would, and the loop written out by hand (the store crate's `Driver`
//! does this for you). It was the README's example; it runs here, as a test, so it stays
//! true.

#![allow(
    clippy::items_after_statements,
    clippy::too_many_lines,
    reason = "one embedder, read top to bottom as the README showed it"
)]

#[test]
fn a_whole_embedder_signs_up_confirms_and_refuses_a_guess()
-> Result<(), Box<dyn core::error::Error>> {
    use std::collections::HashMap;

    use confirmation_flow::cognito::{
        After, AliasClaim, AliasOwners, AppClient, AttributeSet, ConfirmSignUp, Expected, Fresh,
        Lookup, Operation, Pool, SignUp, Target, TriggerOutcome, UserAttributes, UserRecord,
        UserStatus, Write,
    };
    use confirmation_flow::{Confirmation, KeyId, KeyRing, Policy, ServerKey, Timestamp};

    /// A user row. (In SQL: a `users` table with these columns and a `version`.)
    #[derive(Clone)]
    struct Row {
        sub: String,
        status: UserStatus,
        state: Confirmation,
        email: Option<String>,
        email_verified: bool,
    }

    /// Users by username; phantoms (unknown users, see below) by their opaque id.
    #[derive(Default)]
    struct Store {
        users: HashMap<String, Row>,
        phantoms: HashMap<String, Confirmation>,
    }

    impl Store {
        /// Carries out `write` only if every condition it states holds — in SQL, one
        /// transaction: `UPDATE … WHERE version = ?` (or an `INSERT`), the alias check, and the
        /// previous owner's flag. `false` means the request lost a race.
        fn apply(&mut self, write: &Write<'_>) -> bool {
            // The row must be as it was read: this version (of this user), or not there yet.
            let holds = |version: Option<u64>| match write.expected {
                Expected::Version(expected) => version == Some(expected),
                Expected::Absent => version.is_none(), // an insert
            };
            match write.target {
                Target::Phantom(id) => {
                    if !holds(self.phantoms.get(id.as_str()).map(Confirmation::version)) {
                        return false;
                    }
                    self.phantoms.insert(id.as_str().to_owned(), write.state);
                }
                // `attributes`: a new user's email and phone number (SignUp); `None` on an update.
                Target::User {
                    username,
                    subject,
                    attributes,
                } => {
                    let read = self.users.get(username);
                    if read.is_some_and(|row| row.sub != subject)
                        || !holds(read.map(|row| row.state.version()))
                    {
                        return false;
                    }
                    // A verified email belongs to one user (in SQL: a partial unique index).
                    let holder = |value: &str| {
                        self.users
                            .iter()
                            .find(|(name, row)| {
                                *name != username
                                    && row.email_verified
                                    && row.email.as_deref() == Some(value)
                            })
                            .map(|(name, _)| name.clone())
                    };
                    match write.alias {
                        Some(AliasClaim::MustBeFree { value, .. }) if holder(value).is_some() => {
                            return false;
                        }
                        Some(AliasClaim::TakeFrom { value, owner, .. }) => {
                            if holder(value).as_deref() != Some(owner) {
                                return false;
                            }
                            if let Some(row) = self.users.get_mut(owner) {
                                row.email_verified = false;
                            }
                        }
                        Some(AliasClaim::MustBeFree { .. }) | None => {}
                    }
                    let row = self
                        .users
                        .entry(username.to_owned())
                        .or_insert_with(|| Row {
                            sub: subject.to_owned(),
                            status: UserStatus::Unconfirmed,
                            state: write.state,
                            email: attributes.and_then(|new| new.email).map(str::to_owned),
                            email_verified: false,
                        });
                    row.state = write.state;
                    if let Some(status) = write.status {
                        row.status = status;
                    }
                    if write.verify.is_some() {
                        row.email_verified = true;
                    }
                }
            }
            true
        }
    }

    /// The loop, the same for every operation. Returns the answer's `__type` ("Ok" on success)
    /// and the code, if one was to be delivered.
    fn serve(
        store: &mut Store,
        pool: &Pool<'_>,
        client: AppClient<'_>,
        operation: &Operation<'_>,
        now: u64,
    ) -> (String, Option<String>) {
        let needs = operation.needs(pool); // what must I look up?
        loop {
            // One read: the user, or else its phantom, and who else has the user's email verified.
            let user = store.users.get(needs.username()).cloned();
            let phantom = needs
                .phantom()
                .and_then(|id| store.phantoms.get(id.as_str()).copied());
            let owner = user.as_ref().and_then(|user| {
                let email = user.email.as_deref()?;
                store
                    .users
                    .iter()
                    .find(|(name, row)| {
                        name.as_str() != needs.username()
                            && row.email_verified
                            && row.email.as_deref() == Some(email)
                    })
                    .map(|(name, _)| name.clone())
            });
            let lookup = Lookup {
                client: Some(client),
                user: user.as_ref().map(|row| UserRecord {
                    username: needs.username(),
                    subject: &row.sub,
                    status: row.status,
                    confirmation: row.state,
                    email: row.email.as_deref(),
                    phone_number: None,
                    attributes: &[],
                }),
                phantom,
                alias_owners: AliasOwners {
                    email: owner.as_deref(),
                    phone_number: None,
                },
            };
            // The clock and your CSPRNG (fixed bytes here; a UUID v4 for a new user's sub).
            let fresh = Fresh {
                now: Timestamp::from_unix_seconds(now),
                entropy: [now.to_le_bytes()[0]; 32],
                nonce: [7; 16],
                new_subject: "6f1d3c2a-8b4e-4f5a-9c6d-7e8f9a0b1c2d",
            };
            let outcome = needs.decide(&lookup, &fresh);
            if let Some(write) = outcome.write()
                && !store.apply(write)
            {
                continue; // lost a race: read again and decide again
            }
            // Only now, with the write stored (or none to store), the reply and what follows.
            let (reply, after) = outcome.applied();
            let (reply, code) = match after {
                // Invoke the trigger before answering (POST the event, say); its failure is the answer.
                After::PostConfirmation(_event) => {
                    (reply.after_trigger(TriggerOutcome::Succeeded), None)
                }
                // Answer first, then send the code to delivery.destination.
                After::Deliver(delivery) => (reply, Some(delivery.code.as_str().to_owned())),
                After::Nothing => (reply, None),
                // A sign-in with a `Session`: mint the user's tokens and answer with the
                // reply's body and an `AuthenticationResult` (this embedder serves none).
                After::SignIn(_signed_in) => (reply, None),
            };
            let answer = reply
                .exception()
                .map_or("Ok", |exception| exception.name())
                .to_owned();
            return (answer, code);
        }
    }

    let (policy, key) = (Policy::COGNITO, ServerKey::new(KeyId(1), &[0x42; 32]));
    let pool = Pool {
        region: "us-east-1",
        user_pool_id: "us-east-1_EXAMPLE",
        policy: &policy,
        keys: KeyRing::single(&key), // the current key, and older ones while their codes live
        auto_verified: AttributeSet::EMAIL,
        aliases: AttributeSet::EMAIL,
    };
    let client = AppClient {
        client_id: "7ql4example",
        secret: None,
        prevent_user_existence_errors: true,
        auth_sessions: Some(core::time::Duration::from_secs(180)),
    };
    let mut store = Store::default();

    // SignUp: a user row is inserted and a code goes to the email.
    let email = [("email", "alice@example.com")];
    let sign_up = SignUp {
        client_id: "7ql4example",
        username: "alice",
        password: Some("correct-horse"),
        user_attributes: Some(UserAttributes::new(&email)),
        ..SignUp::default()
    };
    let (answer, code) = serve(
        &mut store,
        &pool,
        client,
        &sign_up.validate()?.into(),
        1_767_225_600,
    );
    assert_eq!(answer, "Ok");
    let code = code.ok_or("a code was sent")?;

    // ConfirmSignUp with the code: confirmed, email verified, the trigger to invoke.
    let confirm = ConfirmSignUp {
        client_id: "7ql4example",
        username: "alice",
        confirmation_code: &code,
        ..ConfirmSignUp::default()
    };
    let (answer, _) = serve(
        &mut store,
        &pool,
        client,
        &confirm.validate()?.into(),
        1_767_225_660,
    );
    assert_eq!(answer, "Ok");
    let alice = store.users.get("alice").ok_or("alice is stored")?;
    assert!(alice.status == UserStatus::Confirmed && alice.email_verified);

    // Someone guessing at a user who does not exist gets a wrong code's answer, and a phantom
    // row counts their guesses exactly as a user's would be counted (docs/COGNITO.md).
    let guess = ConfirmSignUp {
        username: "mallory",
        confirmation_code: "123456",
        ..confirm
    };
    let (answer, _) = serve(
        &mut store,
        &pool,
        client,
        &guess.validate()?.into(),
        1_767_225_700,
    );
    assert_eq!(answer, "CodeMismatchException");
    assert_eq!(store.phantoms.len(), 1);
    Ok(())
}
