//! The conformance kit against the in-memory backend, SQLite and PostgreSQL, each with the
//! store crate's own fixture. PostgreSQL runs when `CONFORMANCE_POSTGRES` names a cluster
//! (`.ci/with-postgres` starts one; CI sets `REQUIRE_POSTGRES=1` so that a missing cluster
//! fails instead of skipping). The server's tests run the kit again on its store, with the
//! server's own directory as the fixture.

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

/// PostgreSQL, in a new database on the cluster `CONFORMANCE_POSTGRES` names
/// (`postgres://user@host:port`, no database), with the backend's own fixture. The
/// database is dropped when the kit passes, and kept for a look when it does not.
#[cfg(feature = "postgres")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_postgres_store_passes_the_kit() {
    use confirmation_flow_store::postgres::Postgres;
    let Some(base) = std::env::var_os("CONFORMANCE_POSTGRES") else {
        assert!(
            std::env::var_os("REQUIRE_POSTGRES").is_none(),
            "REQUIRE_POSTGRES is set but CONFORMANCE_POSTGRES is not (run under .ci/with-postgres)"
        );
        eprintln!("CONFORMANCE_POSTGRES is not set: PostgreSQL not tested");
        return;
    };
    let base = base.into_string().expect("CONFORMANCE_POSTGRES is UTF-8");
    let base = base.trim_end_matches('/');
    // CREATE DATABASE runs outside a transaction, on the cluster's maintenance database:
    // a plain connection of the test's own (the store would migrate whatever it opens).
    let (admin, connection) =
        tokio_postgres::connect(&format!("{base}/postgres"), tokio_postgres::NoTls)
            .await
            .unwrap();
    tokio::spawn(connection);
    let name = format!("kit_{}", uuid::Uuid::new_v4().simple());
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    eprintln!("kit: PostgreSQL database {name}");
    let store = Postgres::open(&format!("{base}/{name}")).await.unwrap();
    kit::run_all(Arc::new(store)).await;
    // The store's connections may still be closing: FORCE ends them (PostgreSQL 13 on).
    admin
        .batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .await
        .unwrap();
}
