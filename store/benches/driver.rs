//! The driver's overhead over a bare decision, on the memory backend, each readable as a
//! ratio to `bare` in the same run: `cargo bench -p confirmation-flow-store --bench driver`.
//!
//! Each iteration confirms a user signed up (untimed) just before it, with the right code:
//! - `bare`: the decision alone, on a snapshot read beforehand;
//! - `read_decide`: the memory store's read, then the decision;
//! - `driver`: `Driver::run`, read, decide, write (the state, the verified flag, the alias),
//!   on a current-thread runtime.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "benchmark set-up fails loudly"
)]
#![allow(
    clippy::std_instead_of_core,
    clippy::alloc_instead_of_core,
    reason = "a std benchmark of a std crate"
)]

use confirmation_flow::{
    KeyId, KeyRing, Policy, ServerKey, Timestamp,
    cognito::{
        After, AppClient, AttributeSet, ConfirmSignUp, Fresh, Operation, Pool, SignUp,
        UserAttributes,
    },
};
use confirmation_flow_store::{Change, Decided, Driver, Memory, NewUser, Read, Snapshot, Store};
use divan::{Bencher, black_box};

fn main() {
    divan::main();
}

const POOL: &str = "us-east-1_bench";
const CLIENT: &str = "benchclient";
const NOW: u64 = 1_700_000_000;

struct World {
    policy: Policy,
    key: ServerKey,
    store: Memory,
    runtime: tokio::runtime::Runtime,
    next: std::sync::atomic::AtomicU64,
}

impl World {
    fn new() -> Self {
        let store = Memory::new();
        store.add_pool(POOL, &[CLIENT]);
        Self {
            policy: Policy::COGNITO,
            key: ServerKey::new(KeyId(1), &[7; 32]),
            store,
            runtime: tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap(),
            next: std::sync::atomic::AtomicU64::new(0),
        }
    }

    fn pool(&self) -> Pool<'_> {
        Pool {
            region: "us-east-1",
            user_pool_id: POOL,
            policy: &self.policy,
            keys: KeyRing::single(&self.key),
            auto_verified: AttributeSet::EMAIL,
            aliases: AttributeSet::EMAIL,
        }
    }

    /// Decides `operation` on `snapshot`: the change and the code delivered, if any.
    fn decide(
        &self,
        snapshot: &Snapshot,
        operation: &Operation<'_>,
        sub: &str,
    ) -> (Option<Change>, Option<String>) {
        let pool = self.pool();
        let needs = operation.needs(&pool);
        let fresh = Fresh {
            now: Timestamp::from_unix_seconds(NOW),
            entropy: [9; 32],
            nonce: [0; 16],
            new_subject: sub,
        };
        let client = AppClient {
            client_id: CLIENT,
            secret: None,
            prevent_user_existence_errors: false,
            auth_sessions: Some(core::time::Duration::from_secs(180)),
        };
        let attributes = snapshot.attributes();
        let outcome = needs.decide(&snapshot.lookup(Some(client), &attributes), &fresh);
        let seconds = i64::try_from(NOW).unwrap();
        let change = outcome.write().map(|write| {
            Change::of(POOL, write, &self.policy, NewUser::default(), seconds).unwrap()
        });
        let code = match &outcome.applied().1 {
            After::Deliver(delivery) => Some(delivery.code.as_str().to_owned()),
            After::Nothing | After::PostConfirmation(_) | After::SignIn(_) => None,
        };
        (change, code)
    }

    /// A new user, signed up: its name and code.
    fn sign_up(&self) -> (String, String) {
        let n = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let username = format!("user{n}");
        let email = format!("user{n}@example.com");
        let attributes = [("email", email.as_str())];
        let request = SignUp {
            client_id: CLIENT,
            username: &username,
            user_attributes: Some(UserAttributes::new(&attributes)),
            ..SignUp::default()
        };
        let operation = Operation::from(request.validate().unwrap());
        let read = Read::of(&operation.needs(&self.pool()));
        let snapshot = self.runtime.block_on(self.store.read(read)).unwrap();
        let (change, code) = self.decide(&snapshot, &operation, &format!("sub-{n}"));
        let applied = self.runtime.block_on(self.store.apply(change.unwrap()));
        applied.unwrap();
        (username, code.unwrap())
    }
}

fn confirm<'a>(username: &'a str, code: &'a str) -> Operation<'a> {
    let request = ConfirmSignUp {
        client_id: CLIENT,
        username,
        confirmation_code: code,
        ..ConfirmSignUp::default()
    };
    Operation::from(request.validate().unwrap())
}

#[divan::bench]
fn bare(bencher: Bencher<'_, '_>) {
    let world = World::new();
    bencher
        .with_inputs(|| {
            let (username, code) = world.sign_up();
            let operation = confirm(&username, &code);
            let read = Read::of(&operation.needs(&world.pool()));
            let snapshot = world.runtime.block_on(world.store.read(read)).unwrap();
            (username, code, snapshot)
        })
        .bench_local_values(|(username, code, snapshot)| {
            black_box(world.decide(&snapshot, &confirm(&username, &code), "unused"))
        });
}

#[divan::bench]
fn read_decide(bencher: Bencher<'_, '_>) {
    let world = World::new();
    bencher
        .with_inputs(|| world.sign_up())
        .bench_local_values(|(username, code)| {
            let operation = confirm(&username, &code);
            let read = Read::of(&operation.needs(&world.pool()));
            let snapshot = world.runtime.block_on(world.store.read(read)).unwrap();
            black_box(world.decide(&snapshot, &operation, "unused"))
        });
}

#[divan::bench]
fn driver(bencher: Bencher<'_, '_>) {
    let world = World::new();
    bencher
        .with_inputs(|| world.sign_up())
        .bench_local_values(|(username, code)| {
            let operation = confirm(&username, &code);
            let read = Read::of(&operation.needs(&world.pool()));
            let run = Driver::default().run(&world.store, read, |snapshot| {
                let (change, _) = world.decide(&snapshot, &operation, "unused");
                Ok::<_, ()>(match change {
                    Some(change) => Decided::Write(change, ()),
                    None => Decided::Nothing(()),
                })
            });
            world.runtime.block_on(run).unwrap();
        });
}
