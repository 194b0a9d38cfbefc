//! The conformance kit against the in-memory backend and SQLite (PostgreSQL runs it from the
//! server's tests, with the server's own pool deletion as the fixture).

use std::sync::Arc;

use confirmation_flow_store::{Memory, kit};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_memory_store_passes_the_kit() {
    kit::run_all(Arc::new(Memory::new())).await;
}

/// SQLite, in memory and in a file, with the backend's own fixture.
#[cfg(feature = "sqlite")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sqlite_store_passes_the_kit() {
    use confirmation_flow_store::sqlite::Sqlite;
    kit::run_all(Arc::new(Sqlite::open(None).unwrap())).await;
    let dir = std::env::temp_dir().join(format!("kit-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    kit::run_all(Arc::new(
        Sqlite::open(Some(&dir.join("kit.sqlite3"))).unwrap(),
    ))
    .await;
    std::fs::remove_dir_all(&dir).unwrap();
}
