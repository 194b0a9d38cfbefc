//! Refresh tokens at rest: after a sign-in, nothing the server wrote (the database, its log,
//! its key file beside it) holds the refresh token it answered, and the token still refreshes
//! until it expires; expired ones are pruned in batches on every backend, and a token is found
//! after a rotation while its key stays in the ring.

use std::time::{Duration, Instant};

use confirmation_flow_server::refresh_tokens::{self, HashKeys};
use confirmation_flow_store::Param;
use serde_json::{Value, json};

use crate::support::{self, Process};

/// A row for the hash `hash` expiring at `expires_at`, with no user (the statements under
/// test do not need one).
const INSERT: &str = "INSERT INTO refresh_tokens (token_hash, pool_id, client_id, username, \
     sub, origin_jti, auth_time, expires_at, revoked_at, created_at) \
     VALUES ($1, 'p', 'c', 'u', 's', 'o', 0, $2, NULL, 0)";

fn row(hash: String, expires_at: i64) -> (String, Vec<Param>) {
    (
        INSERT.to_owned(),
        vec![Param::Text(Some(hash)), Param::Int(expires_at)],
    )
}

#[tokio::test]
async fn expired_refresh_tokens_are_pruned_in_batches_and_live_ones_kept() {
    for (name, store) in crate::store::backends().await {
        let rows = (0..2_503)
            .map(|i| row(format!("h{i}"), if i < 2_500 { 100 } else { 1_000 }))
            .collect();
        store.transaction(rows).await.unwrap();
        let pruned = refresh_tokens::prune(&store, 500).await.unwrap();
        assert_eq!(pruned, 2_500, "{name}");
        let count = "SELECT COUNT(*) FROM refresh_tokens".to_owned();
        let left = store.rows(count, Vec::new()).await.unwrap();
        assert_eq!(left, [[confirmation_flow_store::Value::Int(3)]], "{name}");
    }
}

#[tokio::test]
async fn a_token_is_found_under_an_older_ring_key_until_the_key_is_removed() {
    let (old, new) = (
        refresh_tokens::derive(1, &[1; 32]),
        refresh_tokens::derive(2, &[2; 32]),
    );
    assert_ne!(old, new);
    for (name, store) in crate::store::backends().await {
        let hash = HashKeys::new(old, Vec::new()).current("the token");
        store.transaction(vec![row(hash, 1_000)]).await.unwrap();
        let rotated = HashKeys::new(new, vec![old]);
        let found = refresh_tokens::find(&store, &rotated, "the token").await;
        let found = found.unwrap().unwrap();
        assert_eq!((found.username.as_str(), found.user), ("u", None), "{name}");
        let removed = HashKeys::new(new, Vec::new());
        let found = refresh_tokens::find(&store, &removed, "the token").await;
        assert_eq!(found.unwrap(), None, "{name}");
        let touched = refresh_tokens::find(&store, &rotated, "the tokem").await;
        assert_eq!(touched.unwrap(), None, "{name}");
    }
}

/// POSTs the public `operation` with `body` to `server`: the status and JSON body.
fn call(server: &Process, operation: &str, body: &Value) -> (u16, Value) {
    let mut stream = server.connect();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let request = support::raw_request(operation, &body.to_string(), None, "");
    std::io::Write::write_all(&mut stream, request.as_bytes()).unwrap();
    support::read_answer(&mut stream).unwrap()
}

/// The code delivered to `username`, once the outbox has it.
fn code(server: &Process, username: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let outbox = std::fs::read_to_string(server.dir.join("outbox.jsonl")).unwrap_or_default();
        let found = outbox
            .lines()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .find(|line| line["username"] == username);
        if let Some(line) = found {
            return line["code"].as_str().unwrap().to_owned();
        }
        assert!(Instant::now() < deadline, "no code delivered");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn the_database_holds_no_refresh_token_in_clear() {
    let dir = Process::directory("refresh-test");
    let config = json!({
        "listen": "127.0.0.1:0",
        "user_pool_id": "us-east-1_REFRESH",
        "clients": [{"client_id": "publicclient", "client_secret": null,
                     "explicit_auth_flows": ["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}],
        "database": dir.join("users.sqlite3"),
        "outbox": dir.join("outbox.jsonl"),
    });
    let server = Process::start(dir, &config, "info", &[]).unwrap();
    let (status, signed_up) = call(
        &server,
        "SignUp",
        &json!({"ClientId": "publicclient", "Username": "alice", "Password": "Passw0rd!",
                "UserAttributes": [{"Name": "email", "Value": "alice@example.com"}]}),
    );
    assert_eq!(status, 200, "{signed_up}");
    let (status, confirmed) = call(
        &server,
        "ConfirmSignUp",
        &json!({"ClientId": "publicclient", "Username": "alice",
                "ConfirmationCode": code(&server, "alice"), "Session": signed_up["Session"]}),
    );
    assert_eq!(status, 200, "{confirmed}");
    let (status, signed_in) = call(
        &server,
        "InitiateAuth",
        &json!({"ClientId": "publicclient", "AuthFlow": "USER_AUTH",
                "AuthParameters": {"USERNAME": "alice"}, "Session": confirmed["Session"]}),
    );
    assert_eq!(status, 200, "{signed_in}");
    let token = signed_in["AuthenticationResult"]["RefreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(token.len() >= 43, "{token}");
    let mut read = 0;
    for entry in std::fs::read_dir(&server.dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let clear = bytes.windows(token.len()).any(|w| w == token.as_bytes());
        assert!(!clear, "{} holds the refresh token", path.display());
        read += 1;
    }
    assert!(
        read >= 3,
        "the database, its key file and the outbox were read"
    );
    // One row, and it is the token's: it refreshes.
    let db = rusqlite::Connection::open(server.dir.join("users.sqlite3")).unwrap();
    let rows: i64 = db
        .query_row("SELECT COUNT(*) FROM refresh_tokens", [], |row| row.get(0))
        .unwrap();
    assert_eq!(rows, 1);
    let (status, refreshed) = call(
        &server,
        "InitiateAuth",
        &json!({"ClientId": "publicclient", "AuthFlow": "REFRESH_TOKEN_AUTH",
                "AuthParameters": {"REFRESH_TOKEN": token}}),
    );
    assert_eq!(status, 200, "{refreshed}");
    assert!(refreshed["AuthenticationResult"]["IdToken"].is_string());
    assert!(
        refreshed["AuthenticationResult"]
            .get("RefreshToken")
            .is_none()
    );
    // Once it has expired, it is refused as expired.
    db.execute("UPDATE refresh_tokens SET expires_at = 1", [])
        .unwrap();
    let (status, expired) = call(
        &server,
        "InitiateAuth",
        &json!({"ClientId": "publicclient", "AuthFlow": "REFRESH_TOKEN_AUTH",
                "AuthParameters": {"REFRESH_TOKEN": token}}),
    );
    assert_eq!(
        (status, &expired["__type"], &expired["message"]),
        (
            400,
            &json!("NotAuthorizedException"),
            &json!("Refresh Token has expired")
        )
    );
}
