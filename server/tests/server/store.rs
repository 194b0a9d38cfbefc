//! The store's promises on every SQL backend: SQLite in memory, a SQLite file, and
//! PostgreSQL when `CONFORMANCE_POSTGRES` names a cluster (`.ci/with-postgres` starts one; CI
//! sets `REQUIRE_POSTGRES=1` so that a missing cluster fails instead of skipping).
//!
//! The races every store must settle are the store crate's conformance kit, run here with
//! the server's own pool creation and deletion (`directory`) as its fixture; what follows
//! it is the server's own: pruning, keys, connection bounds, the log's bound, budgets.

use crate::support;

use confirmation_flow::{
    Confirmation, KeyId, KeyRing, Policy, ServerKey, Timestamp,
    cognito::{AppClient, AttributeSet, Fresh, Operation, Pool, ResendConfirmationCode},
};
use confirmation_flow_server::{
    client_directory::ClientRecord,
    directory::{self, PoolRecord},
    keys::Keys,
    user_directory,
};
use confirmation_flow_store::{
    Applied, Change, NewUser, Read, SqlStore, Store, database::Database, kit,
};

pub(crate) const POOL_ID: &str = "us-east-1_TEST";
const NOW: u64 = 1_700_000_000;

/// Every backend this run can reach, each a new, empty database.
pub(crate) async fn backends() -> Vec<(String, SqlStore)> {
    let dir = std::env::temp_dir().join(format!("store-test-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut databases = vec![Database::Memory, Database::File(dir.join("users.sqlite3"))];
    if let Some(base) = std::env::var_os("CONFORMANCE_POSTGRES") {
        let base = base.into_string().expect("CONFORMANCE_POSTGRES is UTF-8");
        databases.push(Database::Postgres(new_postgres_database(&base).await));
    } else {
        assert!(
            std::env::var_os("REQUIRE_POSTGRES").is_none(),
            "REQUIRE_POSTGRES is set but CONFORMANCE_POSTGRES is not"
        );
        eprintln!("CONFORMANCE_POSTGRES is not set: PostgreSQL not tested");
    }
    let mut stores = Vec::new();
    let pool = PoolRecord {
        id: POOL_ID.to_owned(),
        name: "test".to_owned(),
        settings: "{}".to_owned(),
        created_at: 0,
    };
    for database in databases {
        let store = SqlStore::open(&database).await.unwrap();
        directory::seed(&store, &pool, &[]).await.unwrap();
        stores.push((database.shown(), store));
    }
    stores
}

/// A new database on the cluster at `base` (`postgres://user@host:port`): its URL.
async fn new_postgres_database(base: &str) -> String {
    let name = support::new_postgres_database(base, "store").await;
    format!("{base}/{name}")
}

/// The server's store with the server's directory as the kit's fixture.
struct Served(SqlStore);

impl Store for Served {
    async fn read(
        &self,
        read: Read,
    ) -> confirmation_flow_store::Result<confirmation_flow_store::Snapshot> {
        self.0.read(read).await
    }

    async fn apply(&self, change: Change) -> confirmation_flow_store::Result<Applied> {
        self.0.apply(change).await
    }
}

impl kit::Fixture for Served {
    async fn add_pool(
        &self,
        pool_id: &str,
        client_id: &str,
    ) -> confirmation_flow_store::Result<()> {
        let pool = PoolRecord {
            id: pool_id.to_owned(),
            name: "kit".to_owned(),
            settings: "{}".to_owned(),
            created_at: 0,
        };
        let client = ClientRecord {
            id: client_id.to_owned(),
            pool_id: pool_id.to_owned(),
            name: "kit".to_owned(),
            settings: "{}".to_owned(),
            created_at: 0,
        };
        directory::seed(&self.0, &pool, &[client]).await
    }

    async fn delete_pool(&self, pool_id: &str) -> confirmation_flow_store::Result<()> {
        directory::delete_pool(&self.0, pool_id).await.map(drop)
    }

    async fn delete_user(
        &self,
        pool_id: &str,
        username: &str,
    ) -> confirmation_flow_store::Result<()> {
        user_directory::delete_user(&self.0, pool_id, username)
            .await
            .map(drop)
    }
}

/// The conformance kit, on SQLite in memory, a SQLite file and PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_backend_passes_the_conformance_kit() {
    for (name, store) in backends().await {
        eprintln!("the kit on {name}");
        kit::run_all(std::sync::Arc::new(Served(store))).await;
    }
}

struct Harness {
    policy: Policy,
    key: ServerKey,
}

impl Harness {
    fn new() -> Self {
        Self {
            policy: Policy::COGNITO,
            key: ServerKey::new(KeyId(1), &[1; 32]),
        }
    }

    fn pool(&self) -> Pool<'_> {
        Pool {
            region: "us-east-1",
            user_pool_id: POOL_ID,
            policy: &self.policy,
            keys: KeyRing::single(&self.key),
            auto_verified: AttributeSet::EMAIL,
            aliases: AttributeSet::EMAIL,
        }
    }

    /// Reads what `operation` needs and decides at `now` for a client that hides unknown
    /// users: the change to write.
    async fn decide(&self, store: &SqlStore, operation: &Operation<'_>, now: u64) -> Change {
        let pool = self.pool();
        let needs = operation.needs(&pool);
        let snapshot = store.read(Read::of(&needs)).await.unwrap();
        let fresh = Fresh {
            now: Timestamp::from_unix_seconds(now),
            entropy: [9; 32],
            nonce: [0; 16],
            new_subject: "sub",
        };
        let client = AppClient {
            client_id: "client",
            secret: None,
            prevent_user_existence_errors: true,
            auth_sessions: Some(core::time::Duration::from_secs(180)),
        };
        let outcome = needs.decide(&snapshot.lookup(Some(client), &[]), &fresh);
        let seconds = i64::try_from(now).unwrap();
        let write = outcome.write().expect("every operation here writes");
        Change::of(POOL_ID, write, &self.policy, NewUser::default(), seconds).unwrap()
    }
}

/// An unknown user's phantom is written like a user's (first an insert, then CAS on its
/// version), and deleted only once its code has expired and its rate windows have passed.
#[tokio::test]
async fn phantoms_are_counted_and_pruned_after_their_windows() {
    let harness = Harness::new();
    for (name, store) in backends().await {
        let request = ResendConfirmationCode {
            client_id: "client",
            username: "nobody",
            ..ResendConfirmationCode::default()
        };
        let operation = Operation::from(request.validate().unwrap());
        let insert = harness.decide(&store, &operation, NOW).await;
        let prune_after = u64::try_from(insert.prune_after).unwrap();
        assert!(
            prune_after >= NOW + harness.policy.code_ttl().as_secs(),
            "{name}"
        );
        let again = harness.decide(&store, &operation, NOW).await;
        assert_eq!(store.apply(insert).await.unwrap(), Applied::Done, "{name}");
        assert_eq!(
            store.apply(again).await.unwrap(),
            Applied::LostRace,
            "{name}: a phantom is inserted once"
        );
        let update = harness.decide(&store, &operation, NOW + 1).await;
        assert!(update.expected.is_some(), "{name}: then written by version");
        assert_eq!(store.apply(update).await.unwrap(), Applied::Done, "{name}");
        let before = i64::try_from(prune_after).unwrap() - 1;
        assert_eq!(
            store.prune(before).await.unwrap(),
            0,
            "{name}: kept while it counts"
        );
        let after = i64::try_from(prune_after).unwrap() + 3_600;
        assert_eq!(
            store.prune(after).await.unwrap(),
            1,
            "{name}: deleted after"
        );
    }
}

/// Processes starting together on a new SQLite database agree on one key.
#[test]
fn concurrent_first_starts_agree_on_one_key() {
    let dir = std::env::temp_dir().join(format!("keys-test-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let database = Database::File(dir.join("users.sqlite3"));
    let keys: Vec<Keys> = std::thread::scope(|scope| {
        let starts: Vec<_> = (0..8)
            .map(|_| scope.spawn(|| Keys::load(None, &database).unwrap()))
            .collect();
        starts
            .into_iter()
            .map(|start| start.join().unwrap())
            .collect()
    });
    // The same key tags the same state the same way.
    let tag = |ring: &Keys| {
        let issued = Confirmation::issue(
            &Policy::COGNITO,
            ring.ring.current(),
            b"sub",
            Timestamp::from_unix_seconds(NOW),
            &[7; 32],
        );
        issued.unwrap().0
    };
    assert!(keys.iter().all(|ring| tag(ring) == tag(&keys[0])));
    let file = dir.join("users.sqlite3.keys.json");
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&file).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600, "only the server's user reads the key");
    let leftovers = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(leftovers, 1, "no temporary file is left behind");
}

/// Every PostgreSQL connection bounds a statement and a lock wait (10 s): a request's
/// point reads and writes cannot hold a connection indefinitely.
#[tokio::test]
async fn postgres_connections_bound_statements_and_lock_waits() {
    for (shown, store) in backends().await {
        if !shown.starts_with("postgres") {
            continue;
        }
        for (setting, value) in [("statement_timeout", "10s"), ("lock_timeout", "10s")] {
            let rows = store
                .rows(format!("SHOW {setting}"), Vec::new())
                .await
                .unwrap();
            assert_eq!(
                rows.first().and_then(|row| row.first()),
                Some(&confirmation_flow_store::Value::Text(value.to_owned())),
                "{setting}"
            );
        }
    }
}

/// Eight callers, each a read and a small write at a time, as requests are, until about
/// `bytes` have gone to the log: the largest the log file was seen.
async fn flood(store: &std::sync::Arc<SqlStore>, log: &std::path::Path, bytes: u64) -> u64 {
    use std::sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    };

    use confirmation_flow_server::destinations::{Counted, spend};
    let largest = Arc::new(AtomicU64::new(0));
    let written = Arc::new(AtomicU64::new(0));
    let callers: Vec<_> = (0..8)
        .map(|caller| {
            let (store, largest, written, log) = (
                store.clone(),
                largest.clone(),
                written.clone(),
                log.to_path_buf(),
            );
            tokio::spawn(async move {
                let mut index = 0_u64;
                while written.load(Ordering::Relaxed) < bytes {
                    directory::pool(&store, POOL_ID).await.unwrap();
                    let destination = format!(
                        "{caller}-{index}-{}-{}",
                        uuid::Uuid::new_v4(),
                        "d".repeat(200)
                    );
                    spend(&store, POOL_ID, &destination, Counted::Guess, 0)
                        .await
                        .unwrap();
                    // About what one such write adds to the log.
                    written.fetch_add(4096, Ordering::Relaxed);
                    let size = std::fs::metadata(&log).map_or(0, |m| m.len());
                    largest.fetch_max(size, Ordering::Relaxed);
                    index += 1;
                }
            })
        })
        .collect();
    for caller in callers {
        caller.await.unwrap();
    }
    largest.load(Ordering::Relaxed)
}

/// A store on a new SQLite file, and its log's path.
async fn file_store(what: &str) -> (std::sync::Arc<SqlStore>, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("{what}-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("users.sqlite3");
    let store = SqlStore::open(&Database::File(path.clone())).await.unwrap();
    (std::sync::Arc::new(store), dir.join("users.sqlite3-wal"))
}

/// Writes that never pause do not grow SQLite's log past its bound: the writer truncates it
/// once it holds more than `LOG_MOST_BYTES` (a passive checkpoint alone never wraps a log
/// that is always being written and read, as under a flood of unknown usernames: the
/// attacker review measured 960 MB).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sqlite_log_stays_bounded_under_writes_that_never_pause() {
    use confirmation_flow_store::sqlite::LOG_MOST_BYTES;
    let (store, log) = file_store("log-test").await;
    let most = u64::try_from(LOG_MOST_BYTES).unwrap();
    let largest = flood(&store, &log, 3 * most).await;
    // The bound, plus what is written while a truncation waits its turn.
    assert!(
        largest < 2 * most,
        "the log reached {largest} bytes; the bound is {most}"
    );
}

/// A reader holding an old snapshot (another process, a backup, a shell) keeps the log from
/// being truncated; the writes go on meanwhile, without waiting for it each time (which
/// held every write for the busy timeout, 5 s, per batch: the second review's finding), and
/// the log is bounded again once the reader is gone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_holding_the_log_does_not_hold_the_writes() {
    use confirmation_flow_store::sqlite::LOG_MOST_BYTES;
    let (store, log) = file_store("log-reader-test").await;
    let most = u64::try_from(LOG_MOST_BYTES).unwrap();
    let reader = rusqlite::Connection::open(log.with_file_name("users.sqlite3")).unwrap();
    reader.execute_batch("BEGIN").unwrap();
    let _: i64 = reader
        .query_row("SELECT COUNT(*) FROM pools", [], |row| row.get(0))
        .unwrap();
    let flooded = tokio::time::timeout(
        std::time::Duration::from_secs(60),
        flood(&store, &log, 3 * most),
    )
    .await;
    assert!(flooded.is_ok(), "the writes were held by the reader");
    reader.execute_batch("COMMIT").unwrap();
    drop(reader);
    // Once the reader is gone, a truncation succeeds as the writes go on: after the
    // writer's backoff from the last failed one (a second), so on a loaded machine perhaps
    // not within the first flood, but within a few.
    let started = std::time::Instant::now();
    loop {
        flood(&store, &log, 2 * most).await;
        let size = std::fs::metadata(&log).map_or(0, |m| m.len());
        if size < 2 * most {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "the log is still {size} bytes 30 s after the reader left"
        );
    }
}

/// A destination's budget is spent exactly, however many requests spend it at once and in
/// however many processes' connections: 40 racing guesses at one address get exactly 15,
/// 40 racing deliveries exactly 6, on every backend (one conditional statement each).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_spends_of_one_destination_take_exactly_its_budget() {
    use confirmation_flow_server::{
        destination_keys::of_address,
        destinations::{CODES_PER_HOUR, Counted, GUESSES_PER_HOUR, spend},
    };
    for (name, store) in backends().await {
        let store = std::sync::Arc::new(store);
        for (kind, budget) in [
            (Counted::Guess, GUESSES_PER_HOUR),
            (Counted::Code, CODES_PER_HOUR),
        ] {
            let destination = of_address(
                confirmation_flow::cognito::AliasAttribute::Email,
                "victim@example.com",
            );
            let racers: Vec<_> = (0..40)
                .map(|_| {
                    let (store, destination) = (store.clone(), destination.clone());
                    tokio::spawn(async move {
                        spend(&store, POOL_ID, &destination, kind, 1_000)
                            .await
                            .unwrap()
                    })
                })
                .collect();
            let mut spent = 0;
            for racer in racers {
                spent += i64::from(racer.await.unwrap());
            }
            assert_eq!(spent, budget, "{name}: {kind:?}");
            // An hour later the window starts again.
            assert!(
                spend(&store, POOL_ID, &destination, kind, 1_000 + 3600)
                    .await
                    .unwrap(),
                "{name}: {kind:?} after the hour"
            );
        }
    }
}

/// The prune deletes exactly the budgets whose window has passed, across slices of the
/// table and pools, on every backend; a budget spent again after it is a new window.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn budgets_are_pruned_once_their_window_passed_and_no_sooner() {
    use confirmation_flow_server::destinations::{Counted, WINDOW, prune, spend};
    use confirmation_flow_store::Param;
    const OLD: i64 = 1_000;
    const NEW: i64 = OLD + WINDOW;
    for (name, store) in backends().await {
        // 2,500 destinations (more than two slices), alternately spent in the old window
        // and in the new one, in two pools (the second made here).
        let mut rows = Vec::new();
        for n in 0..2_500_i64 {
            let pool = if n % 3 == 0 {
                "us-east-1_OTHER"
            } else {
                POOL_ID
            };
            let started = if n % 2 == 0 { OLD } else { NEW };
            rows.push((
                "INSERT INTO destination_budgets (pool_id, destination, kind, window_start, spent) \
                 VALUES ($1, $2, 'guess', $3, 1)"
                    .to_owned(),
                vec![Param::text(pool), Param::text(format!("email:{n}@example.com")), Param::Int(started)],
            ));
        }
        store.transaction(rows).await.unwrap();
        let count = || async {
            match store
                .rows(
                    "SELECT count(*) FROM destination_budgets".to_owned(),
                    vec![],
                )
                .await
                .unwrap()[0][0]
            {
                confirmation_flow_store::Value::Int(count) => count,
                ref other => panic!("{name}: a count reads as {other:?}"),
            }
        };
        // Within the old window's hour, nothing goes.
        assert_eq!(prune(&store, NEW - 1).await.unwrap(), 0, "{name}");
        assert_eq!(count().await, 2_500, "{name}");
        // Once it has passed, exactly the old ones go.
        assert_eq!(prune(&store, NEW).await.unwrap(), 1_250, "{name}");
        assert_eq!(count().await, 1_250, "{name}");
        // A pruned destination starts a new window; one that was kept is still counted.
        let pruned = "email:0@example.com";
        let kept = "email:1@example.com";
        let other = "us-east-1_OTHER";
        assert!(
            spend(&store, other, pruned, Counted::Guess, NEW)
                .await
                .unwrap(),
            "{name}"
        );
        assert!(
            spend(&store, POOL_ID, kept, Counted::Guess, NEW)
                .await
                .unwrap(),
            "{name}"
        );
        let spent = store
            .rows(
                "SELECT destination, spent FROM destination_budgets WHERE destination IN ($1, $2) \
                 ORDER BY destination"
                    .to_owned(),
                vec![Param::text(pruned), Param::text(kept)],
            )
            .await
            .unwrap();
        assert_eq!(
            spent,
            [(pruned, 1), (kept, 2)].map(|(destination, spent)| vec![
                confirmation_flow_store::Value::Text(destination.to_owned()),
                confirmation_flow_store::Value::Int(spent)
            ]),
            "{name}"
        );
    }
}
