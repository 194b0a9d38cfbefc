//! TLS to PostgreSQL, as an operator asks for it in `database`, checked on the real binary:
//! it serves over TLS when the certificate checks out, and refuses to start, saying why, when
//! it does not or when the server cannot do TLS; it never falls back to plaintext.
//!
//! The cluster is the one `.ci/with-postgres` starts (`CONFORMANCE_POSTGRES`), with TLS on and
//! its CA in `CONFORMANCE_POSTGRES_CA`; without them these tests skip, unless
//! `REQUIRE_POSTGRES` is set. The server without TLS is a listener here that answers the
//! TLS request as PostgreSQL with `ssl = off` does: it needs no cluster.

use std::{
    io::{Read as _, Write as _},
    net::TcpListener,
    path::Path,
    sync::mpsc,
    time::Duration,
};

/// The cluster's URL (`postgres://postgres@127.0.0.1:PORT`) and its CA file, or `None` when
/// this run has no cluster with TLS.
fn cluster() -> Option<(String, String)> {
    let var = |name| std::env::var(name).ok();
    if let (Some(url), Some(ca)) = (var("CONFORMANCE_POSTGRES"), var("CONFORMANCE_POSTGRES_CA")) {
        return Some((url, ca));
    }
    assert!(
        std::env::var_os("REQUIRE_POSTGRES").is_none(),
        "REQUIRE_POSTGRES is set but CONFORMANCE_POSTGRES or CONFORMANCE_POSTGRES_CA is not \
         (.ci/with-postgres sets both)"
    );
    eprintln!("no PostgreSQL cluster with TLS: not tested");
    None
}

/// A new database on the cluster, over plaintext (the test's own connection); its name.
async fn new_database(base: &str) -> String {
    support::new_postgres_database(base, "tls").await
}

/// `base`'s port.
fn port(base: &str) -> &str {
    base.rsplit_once(':').unwrap().1
}

use crate::support;

use support::Process;

/// A running server on a PostgreSQL database.
struct Server(Process);

impl Server {
    /// `GET /health`, which reads the database: its status line.
    fn health(&self) -> String {
        let mut stream = self.0.connect();
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        stream
            .write_all(b"GET /health HTTP/1.1\r\nhost: test\r\nconnection: close\r\n\r\n")
            .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        answer.lines().next().unwrap_or_default().to_owned()
    }
}

/// Starts the server on `database`: the running server, or its stderr if it refused to start.
fn start(database: &str) -> Result<Server, String> {
    let dir = Process::directory("pg-tls-test");
    let config = serde_json::json!({
        "listen": "127.0.0.1:0",
        "user_pool_id": "us-east-1_TLS",
        "clients": [{"client_id": "publicclient", "client_secret": null}],
        "database": database,
        "outbox": dir.join("outbox.jsonl"),
    });
    // PostgreSQL needs a key ring every process shares: one in the environment.
    let secret = [
        *uuid::Uuid::new_v4().as_bytes(),
        *uuid::Uuid::new_v4().as_bytes(),
    ]
    .concat();
    let secret = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, secret);
    let keys = serde_json::json!({"current": 1, "keys": {"1": secret}}).to_string();
    Process::start(
        dir,
        &config,
        "warn",
        &[("CONFIRMATION_FLOW_KEYS", keys.as_str())],
    )
    .map(Server)
}

/// Starts the server on `database`, which must refuse: its stderr.
fn refused(database: &str) -> String {
    match start(database) {
        Ok(server) => panic!("{database}: started, health {}", server.health()),
        Err(log) => log,
    }
}

/// The connections to `database` now, and how many of them are TLS (`pg_stat_ssl`), seen
/// from the test's own connection to another database.
async fn connections(base: &str, database: &str) -> (i64, i64) {
    let (client, connection) =
        tokio_postgres::connect(&format!("{base}/postgres"), tokio_postgres::NoTls)
            .await
            .unwrap();
    tokio::spawn(connection);
    let row = client
        .query_one(
            "SELECT count(*), count(*) FILTER (WHERE s.ssl) \
             FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) WHERE a.datname = $1",
            &[&database],
        )
        .await
        .unwrap();
    (row.get(0), row.get(1))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verified_tls_serves_and_every_connection_is_tls() {
    let Some((base, ca)) = cluster() else { return };
    let database = new_database(&base).await;
    let port = port(&base);
    for (url, why) in [
        (
            format!("{base}/{database}?sslmode=verify-full&sslrootcert={ca}"),
            "verify-full: the chain, and 127.0.0.1 in the certificate",
        ),
        (
            format!("{base}/{database}?sslmode=require&sslrootcert={ca}"),
            "require: verified as verify-full",
        ),
        (
            format!(
                "postgres://postgres@wrong.invalid:{port}/{database}?hostaddr=127.0.0.1\
                 &sslmode=verify-ca&sslrootcert={ca}"
            ),
            "verify-ca: the chain only, any name",
        ),
    ] {
        let server = start(&url).unwrap_or_else(|log| panic!("{why}: {log}"));
        assert_eq!(server.health(), "HTTP/1.1 200 OK", "{why}");
        let (all, tls) = connections(&base, &database).await;
        assert!(all >= 1, "{why}: no connection from the server");
        assert_eq!(
            tls,
            all,
            "{why}: {} of {all} connections are plaintext",
            all - tls
        );
        drop(server);
        // The next server's connections only.
        for _ in 0..100 {
            if connections(&base, &database).await.0 == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_that_does_not_check_out_stops_the_start() {
    let Some((base, ca)) = cluster() else { return };
    let database = new_database(&base).await;
    let unrelated = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tls/unrelated-ca.crt");
    let port = port(&base);
    for (url, said) in [
        (
            format!(
                "{base}/{database}?sslmode=verify-full&sslrootcert={}",
                unrelated.display()
            ),
            [
                "sslmode=verify-full, roots from",
                "invalid peer certificate",
                "UnknownIssuer",
            ],
        ),
        (
            format!(
                "postgres://postgres@wrong.invalid:{port}/{database}?hostaddr=127.0.0.1\
                 &sslmode=verify-full&sslrootcert={ca}"
            ),
            [
                "sslmode=verify-full, roots from",
                "invalid peer certificate",
                "not valid for name",
            ],
        ),
        // No CA named: the system's roots, which do not know the test CA; `require` is no
        // way around the check.
        (
            format!("{base}/{database}?sslmode=require"),
            [
                "sslmode=require, the system's roots",
                "invalid peer certificate",
                "UnknownIssuer",
            ],
        ),
        (
            format!("{base}/{database}?sslmode=prefer&sslrootcert={ca}"),
            [
                "sslmode=prefer is refused",
                "plaintext",
                "sslmode=verify-full",
            ],
        ),
    ] {
        let log = refused(&url);
        for words in said {
            assert!(log.contains(words), "{url}: {words:?} not in {log}");
        }
    }
    assert_eq!(connections(&base, &database).await.0, 0);
}

/// A server without TLS answers the TLS request with `N`; `require` must then give up, and
/// send nothing more: not the start-up message, which names the user and the database.
#[test]
fn require_against_a_server_without_tls_fails_and_sends_nothing_in_the_clear() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let (sent, received) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(20)))
                .unwrap();
            let mut request = [0_u8; 8];
            stream.read_exact(&mut request).unwrap();
            stream.write_all(b"N").unwrap();
            let mut after = Vec::new();
            let _ = stream.read_to_end(&mut after);
            let _ = sent.send((request, after));
        }
    });
    let log = refused(&format!(
        "postgres://secretuser@{address}/secretdb?sslmode=require&sslrootcert={}",
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/tls/unrelated-ca.crt")
            .display()
    ));
    assert!(log.contains("server does not support TLS"), "{log}");
    assert!(log.contains("sslmode=require"), "{log}");
    let (request, after) = received.recv_timeout(Duration::from_secs(20)).unwrap();
    // SSLRequest: length 8, code 80877103.
    assert_eq!(request, [0, 0, 0, 8, 4, 210, 22, 47]);
    assert!(
        after.is_empty(),
        "sent in the clear after N: {:?}",
        String::from_utf8_lossy(&after)
    );
    while let Ok((request, after)) = received.try_recv() {
        assert_eq!(request, [0, 0, 0, 8, 4, 210, 22, 47]);
        assert!(after.is_empty());
    }
}
