//! Respelled destinations over HTTP, as an attacker sends them: malformed `email` and
//! `phone_number` values are refused at `SignUp` and store nothing, and the spellings that
//! are accepted (`+tag`s, letter case) share one delivery budget (six codes an hour). The
//! real binary on a free loopback port, as in `http.rs`.

use std::{
    io::Write as _,
    time::{Duration, Instant, SystemTime},
};

use serde_json::{Value, json};

use crate::support;

use support::Process;

/// A running server whose pool auto-verifies both attributes, so that every accepted
/// sign-up is a delivery.
struct Server(Process);

impl Server {
    fn start() -> Self {
        let dir = Process::directory("addresses");
        let config = json!({
            "listen": "127.0.0.1:0",
            "user_pool_id": "us-east-1_ADDRESS",
            "clients": [{"client_id": "publicclient", "client_secret": null}],
            "auto_verified_attributes": ["email", "phone_number"],
            "database": dir.join("users.sqlite3"),
            "outbox": dir.join("outbox.jsonl"),
        });
        Self(Process::start(dir, &config, "warn", &[]).unwrap())
    }

    fn sign_up(&self, username: &str, attribute: &str, value: &str) -> (u16, Value) {
        let body = json!({"ClientId": "publicclient", "Username": username,
            "Password": "Passw0rd!", "UserAttributes": [{"Name": attribute, "Value": value}]})
        .to_string();
        let signer = Some((("test", "test"), SystemTime::now()));
        let mut stream = self.0.connect();
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        let request = support::raw_request("SignUp", &body, signer, "");
        stream.write_all(request.as_bytes()).unwrap();
        support::read_answer(&mut stream).expect("an answer")
    }

    fn count(&self, table: &str) -> i64 {
        rusqlite::Connection::open(self.0.dir.join("users.sqlite3"))
            .unwrap()
            .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |row| {
                row.get(0)
            })
            .unwrap()
    }

    /// The complete lines of the outbox: one per code delivered.
    /// The outbox's lines for codes delivered.
    fn deliveries(&self) -> Vec<Value> {
        let lines = self.lines();
        lines
            .into_iter()
            .filter(|line| line.get("code").is_some())
            .collect()
    }

    /// The outbox's lines for codes not sent, saying why.
    fn not_sent(&self) -> Vec<Value> {
        let lines = self.lines();
        lines
            .into_iter()
            .filter(|line| line.get("not_sent").is_some())
            .collect()
    }

    fn lines(&self) -> Vec<Value> {
        let outbox = std::fs::read_to_string(self.0.dir.join("outbox.jsonl")).unwrap_or_default();
        let complete = outbox.rfind('\n').map_or(0, |end| end + 1);
        outbox[..complete]
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    }
}

/// Spellings of `+12125551212` that each bought six codes an hour before `SignUp`
/// checked the format.
const PHONE_SPELLINGS: &[&str] = &[
    "+1 212 555 1212",
    "+1-212-555-1212",
    "+1 (212) 555-1212",
    "+1(212)5551212",
    "+012125551212",
    "+12125551212 ",
    " +12125551212",
    "+1.212.555.1212",
    "12125551212",
    "+1\u{200b}2125551212",
];

/// Spellings of `victim@example.com` that did the same.
const EMAIL_SPELLINGS: &[&str] = &[
    " victim@example.com ",
    "victim@example.com\n",
    "victim@example.com.",
    "\"victim\"@example.com",
    "vic\u{200b}tim@example.com",
    "victim@example.com\u{feff}",
];

#[test]
fn respelled_destinations_are_refused_and_store_nothing() {
    let server = Server::start();
    let cases = PHONE_SPELLINGS
        .iter()
        .map(|value| ("phone_number", *value, "Invalid phone number format."))
        .chain(
            EMAIL_SPELLINGS
                .iter()
                .map(|value| ("email", *value, "Invalid email address format.")),
        );
    for (n, (attribute, value, message)) in cases.enumerate() {
        let (status, body) = server.sign_up(&format!("respelled{n}"), attribute, value);
        assert_eq!(status, 400, "{value:?}: {body}");
        assert_eq!(body["__type"], "InvalidParameterException", "{value:?}");
        assert_eq!(body["message"], message, "{value:?}");
    }
    assert_eq!(server.count("users"), 0, "no user stored");
    assert_eq!(server.count("destination_budgets"), 0, "no budget spent");
    // The well-formed spelling is served, and delivered.
    let (status, body) = server.sign_up("owner", "phone_number", "+12125551212");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["CodeDeliveryDetails"]["Destination"], "+*******1212");
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.deliveries().is_empty() {
        assert!(Instant::now() < deadline, "the code is delivered");
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(server.deliveries().len(), 1);
}

#[test]
fn tagged_and_recased_addresses_share_one_budget() {
    let server = Server::start();
    for n in 0..7 {
        let value = if n % 2 == 0 {
            "Victim+a@Example.com"
        } else {
            "victim+b@example.com"
        };
        let (status, body) = server.sign_up(&format!("tagged{n}"), "email", value);
        assert_eq!(status, 200, "{value}: {body}");
        assert_eq!(body["CodeDeliveryDetails"]["DeliveryMedium"], "EMAIL");
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.deliveries().len() < 6 {
        assert!(Instant::now() < deadline, "six codes are delivered");
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_secs(1)); // time for a seventh to arrive: none may
    let delivered = server.deliveries();
    assert_eq!(delivered.len(), 6, "{delivered:?}");
    // The seventh's line says why it was not sent, and holds no code.
    let not_sent = server.not_sent();
    assert_eq!(not_sent.len(), 1, "{not_sent:?}");
    assert_eq!(not_sent[0]["username"], "tagged6");
    assert_eq!(
        not_sent[0]["not_sent"],
        "its destination has had its codes for this hour"
    );
    assert_eq!(server.count("users"), 7, "every sign-up is served");
    // Another mailbox at the same domain has its own budget.
    let (status, _) = server.sign_up("other", "email", "other@example.com");
    assert_eq!(status, 200);
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.deliveries().len() < 7 {
        assert!(Instant::now() < deadline, "another address gets its code");
        std::thread::sleep(Duration::from_millis(10));
    }
}
