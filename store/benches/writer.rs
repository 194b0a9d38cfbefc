//! The SQLite writer's cost per change, the one serial stage of the SQLite backend
//! (docs/PERFORMANCE.md), and what a destination budget's unit adds to it, as a ratio in
//! the same run: `cargo bench -p confirmation-flow-store --features sqlite --bench writer`.
//!
//! Each iteration applies 64 changes at once to a database file of 4,000 users (the writer
//! takes them in batches, as under load): each counts a wrong code against a different user
//! (a compare-and-swap of the user's state). The changes are decided beforehand, untimed.
//! - `attempt`: the user's row alone;
//! - `attempt_and_unit`: the same, and a unit of a budget of the user's own (one upsert in
//!   the same transaction), as a `ConfirmSignUp` takes from its destination's.
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

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use confirmation_flow::{
    Confirmation, KeyId, Policy, ServerKey, Timestamp,
    cognito::{AppClient, AttributeSet, ConfirmSignUp, Fresh, Operation},
};
use confirmation_flow_store::{
    Change, NewUser, OwnedKeyRing, OwnedPool, Read, SeedUser, Spend, sqlite::Sqlite,
};
use divan::Bencher;

fn main() {
    divan::main();
}

const POOL: &str = "us-east-1_writer";
const CLIENT: &str = "benchclient";
const NOW: u64 = 1_700_000_000;
const USERS: usize = 4_000;
/// Changes applied at once in one iteration.
const AT_ONCE: usize = 64;

struct World {
    settings: OwnedPool,
    store: Arc<Sqlite>,
    runtime: tokio::runtime::Runtime,
    next: AtomicUsize,
    _dir: Dir,
}

/// A directory removed when the benchmark ends.
struct Dir(std::path::PathBuf);

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl World {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("writer-bench-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let store = Sqlite::open(Some(&dir.join("users.sqlite3"))).unwrap();
        let settings = OwnedPool {
            region: "us-east-1".to_owned(),
            user_pool_id: POOL.to_owned(),
            policy: Policy::COGNITO,
            keys: OwnedKeyRing::single(ServerKey::new(KeyId(1), &[7; 32])),
            auto_verified: AttributeSet::EMAIL,
            aliases: AttributeSet::EMAIL,
        };
        let users = (0..USERS)
            .map(|n| {
                let sub = format!("sub-{n}");
                let (state, _) = Confirmation::issue(
                    &settings.policy,
                    settings.keys.current(),
                    sub.as_bytes(),
                    Timestamp::from_unix_seconds(NOW),
                    &[9; 32],
                )
                .unwrap();
                SeedUser {
                    username: format!("user{n}"),
                    sub,
                    email: format!("user{n}@example.com"),
                    state,
                }
            })
            .collect();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let now = i64::try_from(NOW).unwrap();
        runtime
            .block_on(store.seed(POOL.to_owned(), users, now))
            .unwrap();
        Self {
            settings,
            store: Arc::new(store),
            runtime,
            next: AtomicUsize::new(0),
            _dir: Dir(dir),
        }
    }

    /// The next [`AT_ONCE`] users' wrong codes, decided on a fresh read: the changes, each
    /// with a budget unit of its own when `unit`.
    fn changes(&self, unit: bool) -> Vec<Change> {
        let pool = self.settings.pool();
        let client = AppClient {
            client_id: CLIENT,
            secret: None,
            prevent_user_existence_errors: false,
            auth_sessions: Some(Duration::from_secs(180)),
        };
        let seconds = i64::try_from(NOW + 60).unwrap();
        (0..AT_ONCE)
            .map(|_| {
                let n = self.next.fetch_add(1, Ordering::Relaxed) % USERS;
                let username = format!("user{n}");
                let request = ConfirmSignUp {
                    client_id: CLIENT,
                    username: &username,
                    confirmation_code: "000000",
                    ..ConfirmSignUp::default()
                };
                let operation = Operation::from(request.validate().unwrap());
                let needs = operation.needs(&pool);
                let snapshot = self.runtime.block_on(self.store.read(Read::of(&needs)));
                let snapshot = snapshot.unwrap();
                let fresh = Fresh {
                    now: Timestamp::from_unix_seconds(NOW + 60),
                    entropy: [0; 32],
                    nonce: [0; 16],
                    new_subject: "",
                };
                let outcome = needs.decide(&snapshot.lookup(Some(client), &[]), &fresh);
                let write = outcome.write().expect("a wrong code is counted");
                let change = Change::of(POOL, write, pool.policy, NewUser::default(), seconds);
                Change {
                    spend: unit.then(|| Spend {
                        key: format!("destination-{n}"),
                        kind: "guess",
                        most: i64::MAX,
                        window: 3_600,
                        required: true,
                    }),
                    ..change.unwrap()
                }
            })
            .collect()
    }

    /// Applies `changes` at once, as concurrent requests do.
    fn apply(&self, changes: Vec<Change>) {
        self.runtime.block_on(async {
            let mut applying = tokio::task::JoinSet::new();
            for change in changes {
                let store = Arc::clone(&self.store);
                applying.spawn(async move { store.apply(change).await });
            }
            while let Some(applied) = applying.join_next().await {
                let applied = applied.unwrap().unwrap();
                assert!(matches!(applied, confirmation_flow_store::Applied::Done));
            }
        });
    }
}

#[divan::bench(sample_count = 40, sample_size = 1)]
fn attempt(bencher: Bencher<'_, '_>) {
    let world = World::new();
    bencher
        .with_inputs(|| world.changes(false))
        .bench_local_values(|changes| world.apply(changes));
}

#[divan::bench(sample_count = 40, sample_size = 1)]
fn attempt_and_unit(bencher: Bencher<'_, '_>) {
    let world = World::new();
    bencher
        .with_inputs(|| world.changes(true))
        .bench_local_values(|changes| world.apply(changes));
}
