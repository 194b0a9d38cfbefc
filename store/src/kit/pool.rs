//! One scenario's pool ([`Kit`]): its settings as the crate decides with them, and the
//! kit's ways to read, decide and drive requests in it.

use std::sync::atomic::{AtomicU32, Ordering};

use confirmation_flow::{
    KeyId, Policy, ServerKey, Timestamp,
    cognito::{
        After, AliasAttribute, AppClient, AttributeSet, ConfirmSignUp, Fresh, Operation, Pool,
        SignUp, UserAttributes,
    },
};

use super::Fixture;
use crate::{
    Change, Decided, Driver, Failed, NewUser, OwnedKeyRing, OwnedPool, Read, Store, UserRow,
};

/// The kit's clock: Unix seconds.
pub(super) const NOW: u64 = 1_700_000_000;
/// Every pool's one app client.
pub(super) const CLIENT: &str = "kitclient";
/// The answer when the read finds the pool or client gone (the embedder's
/// `ResourceNotFoundException` or `UserPoolNotFoundException`).
pub(super) const GONE: &str = "(the pool or client is gone)";

/// One scenario's pool, its settings as the crate decides with them.
#[derive(Debug)]
pub(super) struct Kit {
    /// The pool's settings, kept as a server keeps them.
    settings: OwnedPool,
    /// The one attribute the pool verifies and keeps as an alias.
    pub(super) alias: AliasAttribute,
}

impl Kit {
    /// A new pool in `store` that verifies and aliases the email.
    pub(super) async fn new<S: Fixture + ?Sized>(store: &S) -> Self {
        Self::on(store, AliasAttribute::Email).await
    }

    /// A new pool in `store` that verifies and aliases `alias`, named for this run so
    /// scenarios never meet.
    pub(super) async fn on<S: Fixture + ?Sized>(store: &S, alias: AliasAttribute) -> Self {
        static POOLS: AtomicU32 = AtomicU32::new(0);
        let n = POOLS.fetch_add(1, Ordering::Relaxed);
        let pool_id = format!("us-east-1_kit{n}x{:08x}", rand::random::<u32>());
        store
            .add_pool(&pool_id, CLIENT)
            .await
            .expect("the fixture makes a pool");
        let attributes = match alias {
            AliasAttribute::Email => AttributeSet::EMAIL,
            AliasAttribute::PhoneNumber => AttributeSet::PHONE_NUMBER,
        };
        let settings = OwnedPool {
            region: "us-east-1".to_owned(),
            user_pool_id: pool_id,
            policy: Policy::COGNITO,
            keys: OwnedKeyRing::single(ServerKey::new(KeyId(1), &[1; 32])),
            auto_verified: attributes,
            aliases: attributes,
        };
        Self { settings, alias }
    }

    pub(super) fn pool(&self) -> Pool<'_> {
        self.settings.pool()
    }

    pub(super) fn pool_id(&self) -> &str {
        &self.settings.user_pool_id
    }

    /// Whether `row` holds the pool's alias attribute verified.
    pub(super) const fn verified(&self, row: &UserRow) -> bool {
        match self.alias {
            AliasAttribute::Email => row.email_verified,
            AliasAttribute::PhoneNumber => row.phone_number_verified,
        }
    }

    /// Decides `operation` on `snapshot` at `now`: its answer (`"Ok"` or the exception's
    /// name), the code it delivers, and its change.
    pub(super) fn decide_on(
        &self,
        snapshot: &crate::Snapshot,
        operation: &Operation<'_>,
        hide: bool,
        now: u64,
    ) -> Decision {
        // A new `sub` for every decision: a user deleted and signed up again gets another.
        static SUBS: AtomicU32 = AtomicU32::new(0);
        if !snapshot.live {
            return Decision {
                answer: GONE,
                code: None,
                change: None,
            };
        }
        let n = SUBS.fetch_add(1, Ordering::Relaxed);
        let pool = self.pool();
        let needs = operation.needs(&pool);
        let sub = format!("{}:{}:{n}", self.pool_id(), needs.username());
        let fresh = Fresh {
            now: Timestamp::from_unix_seconds(now),
            entropy: [9; 32],
            nonce: [0; 16],
            new_subject: &sub,
        };
        let attributes = snapshot.attributes();
        let client = AppClient {
            client_id: CLIENT,
            secret: None,
            prevent_user_existence_errors: hide,
            auth_sessions: Some(core::time::Duration::from_secs(180)),
        };
        let outcome = needs.decide(&snapshot.lookup(Some(client), &attributes), &fresh);
        let seconds = i64::try_from(now).expect("the kit's clock fits");
        let change = outcome.write().map(|write| {
            Change::of(
                self.pool_id(),
                write,
                &self.settings.policy,
                NewUser::default(),
                seconds,
            )
            .expect("a decided write converts")
        });
        // Owned now: `drive` gets it back from the `Driver` only once `change` is stored;
        // `decide` (a read and a decision, no write) looks at it without storing anything.
        let (reply, after) = outcome.applied();
        Decision {
            answer: reply.exception().map_or("Ok", |exception| exception.name()),
            code: match &after {
                After::Deliver(delivery) => Some(delivery.code.as_str().to_owned()),
                After::Nothing | After::PostConfirmation(_) | After::SignIn(_) => None,
            },
            change,
        }
    }

    /// Reads what `operation` needs and decides on it, without writing.
    pub(super) async fn decide<S: Store + ?Sized>(
        &self,
        store: &S,
        operation: &Operation<'_>,
        hide: bool,
        now: u64,
    ) -> Decision {
        let pool = self.pool();
        let read = Read::of(&operation.needs(&pool));
        let snapshot = store.read(read).await.expect("the store reads");
        self.decide_on(&snapshot, operation, hide, now)
    }

    /// Runs `operation` through the [`Driver`]: its answer, once its write was stored.
    pub(super) async fn drive<S: Store + ?Sized>(
        &self,
        store: &S,
        operation: &Operation<'_>,
        now: u64,
    ) -> Decision {
        let pool = self.pool();
        let read = Read::of(&operation.needs(&pool));
        let run = Driver::default().run(store, read, |snapshot| {
            let mut decision = self.decide_on(&snapshot, operation, false, now);
            Ok::<_, ()>(match decision.change.take() {
                Some(change) => Decided::Write(change, decision),
                None => Decided::Nothing(decision),
            })
        });
        match run.await {
            Ok(decision) => decision,
            Err(Failed::Gone) => Decision {
                answer: GONE,
                code: None,
                change: None,
            },
            Err(failed) => panic!("the loop failed: {failed:?}"),
        }
    }

    /// Signs `username` up with `value` as the pool's alias attribute, alone: the code.
    pub(super) async fn sign_up<S: Store + ?Sized>(
        &self,
        store: &S,
        username: &str,
        value: &str,
    ) -> String {
        let attributes = [(self.alias.as_str(), value)];
        let decision = self
            .drive(store, &sign_up(username, &attributes), NOW)
            .await;
        assert_eq!(decision.answer, "Ok", "signing {username} up");
        decision.code.expect("a sign-up delivers a code")
    }

    /// The user `username` as stored, through a read.
    pub(super) async fn user<S: Store + ?Sized>(
        &self,
        store: &S,
        username: &str,
    ) -> Option<UserRow> {
        let read = Read {
            pool_id: self.pool_id().to_owned(),
            client_id: CLIENT.to_owned(),
            username: username.to_owned(),
            phantom: String::new(),
            email_owner: false,
            phone_number_owner: false,
        };
        store.read(read).await.expect("the store reads").user
    }
}

/// What one decision says, owned.
#[derive(Debug)]
pub(super) struct Decision {
    pub(super) answer: &'static str,
    pub(super) code: Option<String>,
    pub(super) change: Option<Change>,
}

/// `SignUp` of `username` with `attributes` (`[("email", …)]`).
pub(super) fn sign_up<'a>(
    username: &'a str,
    attributes: &'a [(&'a str, &'a str)],
) -> Operation<'a> {
    let request = SignUp {
        client_id: CLIENT,
        username,
        user_attributes: Some(UserAttributes::new(attributes)),
        ..SignUp::default()
    };
    Operation::from(request.validate().expect("a valid sign-up"))
}

pub(super) fn confirm<'a>(username: &'a str, code: &'a str, force: bool) -> Operation<'a> {
    let request = ConfirmSignUp {
        client_id: CLIENT,
        username,
        confirmation_code: code,
        force_alias_creation: force,
        ..ConfirmSignUp::default()
    };
    Operation::from(request.validate().expect("a valid confirmation"))
}
