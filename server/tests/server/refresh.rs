//! Refresh tokens at rest: after a sign-in, nothing the server wrote (the database, its log,
//! its key file beside it) holds the refresh token it answered, and the token still refreshes.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::{self, Process};

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
}
