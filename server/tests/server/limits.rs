//! The bounds on work (`limits` in the config), met over HTTP as a caller meets them: a
//! burst of sign-ups beyond the hasher's queue, unknown usernames beyond the phantom cap, a
//! deleted pool's phantoms, and whole-pool reads while `/health` is asked. Each test starts
//! the real binary on a free loopback port (as `http.rs` does) and asserts behaviour,
//! not latency: every bound on time is generous.

use std::{
    io::Write,
    sync::{Arc, Barrier},
    time::{Duration, SystemTime},
};

use serde_json::{Value, json};

const POOL: &str = "us-east-1_LIMITS";

use crate::support;

use support::Process;

/// A running server with one public client in the pool [`POOL`].
struct Server(Process);

impl Server {
    fn start(extra: &Value) -> Self {
        let dir = Process::directory("limits");
        let mut config = json!({
            "listen": "127.0.0.1:0",
            "user_pool_id": POOL,
            "clients": [{"client_id": "publicclient", "client_secret": null}],
            "database": dir.join("users.sqlite3"),
            "outbox": dir.join("outbox.jsonl"),
        });
        for (name, value) in extra.as_object().unwrap() {
            config[name] = value.clone();
        }
        Self(Process::start(dir, &config, "warn", &[]).unwrap())
    }

    /// `operation` with `body` on a new connection: its status and body.
    fn call(&self, operation: &str, body: &Value) -> (u16, Value) {
        let body = body.to_string();
        let signer = Some((("test", "test"), SystemTime::now()));
        self.send(&support::raw_request(operation, &body, signer, ""))
    }

    /// `GET /health`'s status.
    fn health(&self) -> u16 {
        self.send("GET /health HTTP/1.1\r\nHost: test\r\n\r\n").0
    }

    fn send(&self, request: &str) -> (u16, Value) {
        let mut stream = self.0.connect();
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        support::read_answer(&mut stream).expect("an answer in time")
    }

    fn database(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(self.0.dir.join("users.sqlite3")).unwrap()
    }

    fn phantoms(&self) -> i64 {
        self.database()
            .query_row("SELECT COUNT(*) FROM phantoms", [], |row| row.get(0))
            .unwrap()
    }
}

fn sign_up(server: &Server, username: &str) -> (u16, Value) {
    server.call(
        "SignUp",
        &json!({"ClientId": "publicclient", "Username": username, "Password": "Passw0rd!",
                "UserAttributes": [{"Name": "email", "Value": format!("{username}@example.com")}]}),
    )
}

fn too_many_requests(answer: &(u16, Value)) -> bool {
    answer.0 == 400
        && answer.1["__type"] == "TooManyRequestsException"
        && answer.1["message"] == "Too many requests"
}

/// Sign-ups beyond the hasher's places are refused at once with the service's throttling
/// answer, the others are served, and `/health` answers throughout.
#[test]
fn a_burst_beyond_the_hash_queue_is_refused_and_health_still_answers() {
    let limits = json!({"password_hashes_at_once": 1, "password_hashes_waiting": 1});
    let server = Arc::new(Server::start(&json!({ "limits": limits })));
    let burst = 48;
    let start = Arc::new(Barrier::new(burst + 1));
    let senders: Vec<_> = (0..burst)
        .map(|index| {
            let (server, start) = (Arc::clone(&server), Arc::clone(&start));
            std::thread::spawn(move || {
                start.wait();
                sign_up(&server, &format!("burst-{index}"))
            })
        })
        .collect();
    start.wait();
    for _ in 0..5 {
        assert_eq!(server.health(), 200, "health answers during the burst");
    }
    let answers: Vec<_> = senders.into_iter().map(|s| s.join().unwrap()).collect();
    let refused = answers.iter().filter(|a| too_many_requests(a)).count();
    let answered = answers.iter().filter(|a| a.0 == 200).count();
    assert_eq!(refused + answered, burst, "nothing else: {answers:?}");
    assert!(refused > 0, "two places for {burst} sign-ups at once");
    assert!(answered > 0, "the places are served");
    // Every place is given back: sign-ups one at a time are all served.
    for index in 0..3 {
        assert_eq!(sign_up(&server, &format!("after-{index}")).0, 200);
    }
}

/// Unknown usernames beyond the cap are trimmed back to it (off the request path, so a new
/// phantom costs no count), and a known user's wrong code and an unknown user's code answer
/// alike below, at and over it.
#[test]
fn the_phantom_cap_holds_and_known_and_unknown_users_answer_alike() {
    let server = Server::start(&json!({
        "prevent_user_existence_errors": true,
        "limits": {"phantoms_per_pool": 3, "phantom_trim_seconds": 1},
    }));
    let confirm = |username: &str| {
        server.call(
            "ConfirmSignUp",
            &json!({"ClientId": "publicclient", "Username": username,
                    "ConfirmationCode": "000000"}),
        )
    };
    for index in 0..6 {
        // A new known user each time: one wrong code each, as each unknown user has.
        let known = format!("known-{index}");
        assert_eq!(sign_up(&server, &known).0, 200);
        let unknown = confirm(&format!("ghost-{index}"));
        let known = confirm(&known);
        // One in a million, the real code is 000000: then the user is confirmed.
        if known.0 == 400 {
            assert_eq!(unknown, known, "the same answer, ghost-{index}");
        }
        assert_eq!(unknown.1["__type"], "CodeMismatchException");
    }
    // Within a trim or two, the pool is back at its cap.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while server.phantoms() > 3 {
        assert!(std::time::Instant::now() < deadline, "trimmed to the cap");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(server.phantoms(), 3, "the cap is used, not undercut");
    // A trimmed phantom's guess budget goes with it: a flood leaves no more budget rows.
    let budgets: i64 = server
        .database()
        .query_row(
            "SELECT COUNT(*) FROM destination_budgets WHERE destination LIKE 'phantom:%'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(budgets, 3, "one budget row per phantom kept");
}

/// `DeleteUserPool` deletes the pool's phantoms with it.
#[test]
fn a_deleted_pool_leaves_no_phantoms() {
    let server = Server::start(&json!({}));
    let (_, pool) = server.call("CreateUserPool", &json!({"PoolName": "doomed"}));
    let pool_id = pool["UserPool"]["Id"].as_str().unwrap().to_owned();
    let (_, client) = server.call(
        "CreateUserPoolClient",
        &json!({"UserPoolId": pool_id, "ClientName": "web",
                "PreventUserExistenceErrors": "ENABLED"}),
    );
    let client_id = client["UserPoolClient"]["ClientId"].as_str().unwrap();
    for index in 0..4 {
        let (_, answer) = server.call(
            "ConfirmSignUp",
            &json!({"ClientId": client_id, "Username": format!("ghost-{index}"),
                    "ConfirmationCode": "123456"}),
        );
        assert_eq!(answer["__type"], "CodeMismatchException");
    }
    assert_eq!(server.phantoms(), 4);
    let (status, _) = server.call("DeleteUserPool", &json!({ "UserPoolId": pool_id }));
    assert_eq!(status, 200);
    assert_eq!(server.phantoms(), 0, "nothing of the pool is kept");
}

/// `ListUsers` filters that read a whole (large) pool run off the request threads: while
/// many run, `/health` answers before most of them have finished.
#[test]
fn whole_pool_reads_do_not_stall_health() {
    let server = Arc::new(Server::start(
        // Time enough for every scan (a debug build scans slowly): the test is about
        // `/health`, not about deadlines.
        &json!({"limits": {"scan_timeout_seconds": 600}, "request_timeout_seconds": 600}),
    ));
    server
        .database()
        .execute_batch(&format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000)
             INSERT INTO users (pool_id, username, sub, status, email, state, version,
                                created_at, updated_at)
             SELECT '{POOL}', printf('u%07d', i), printf('s%07d', i), 'UNCONFIRMED',
                    printf('u%07d@example.com', i), '{{}}', 1, 0, 0 FROM n"
        ))
        .unwrap();
    let scans = 24;
    let finished = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let start = Arc::new(Barrier::new(scans + 1));
    let readers: Vec<_> = (0..scans)
        .map(|_| {
            let (server, start, finished) = (
                Arc::clone(&server),
                Arc::clone(&start),
                Arc::clone(&finished),
            );
            std::thread::spawn(move || {
                start.wait();
                let answer = server.call(
                    "ListUsers",
                    &json!({"UserPoolId": POOL, "Filter": "email ^= \"nobody\""}),
                );
                finished.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                answer
            })
        })
        .collect();
    start.wait();
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(server.health(), 200);
    let when_healthy = finished.load(std::sync::atomic::Ordering::SeqCst);
    for reader in readers {
        let (status, body) = reader.join().unwrap();
        assert_eq!((status, &body), (200, &json!({"Users": []})));
    }
    // On the request threads, health waits behind nearly all of them (measured: 22 of 24);
    // off them, it answers while nearly all are still waiting their turn.
    assert!(
        when_healthy <= scans / 2,
        "health waited for the whole-pool reads ({when_healthy} of {scans} had finished)"
    );
}

fn limit_exceeded(answer: &(u16, Value)) -> bool {
    answer.0 == 400 && answer.1["__type"] == "LimitExceededException"
}

/// `limits.pools` and `limits.clients_per_pool` bound what admin calls create (the config's
/// own pool and client count), a refused creation stores nothing, and deleting frees room.
#[test]
fn pools_and_clients_beyond_their_caps_are_refused() {
    let server = Server::start(&json!({"limits": {"pools": 2, "clients_per_pool": 2}}));
    let create_pool = |name: &str| server.call("CreateUserPool", &json!({"PoolName": name}));
    let first = create_pool("first");
    assert_eq!(first.0, 200, "{first:?}");
    let pool_id = first.1["UserPool"]["Id"].as_str().unwrap().to_owned();
    let refused = create_pool("second");
    assert!(limit_exceeded(&refused), "{refused:?}");
    let count = |table: &str| -> i64 {
        server
            .database()
            .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |row| {
                row.get(0)
            })
            .unwrap()
    };
    assert_eq!(count("pools"), 2, "the refused pool is not stored");

    let create_client = |pool: &str| {
        server.call(
            "CreateUserPoolClient",
            &json!({"UserPoolId": pool, "ClientName": "web"}),
        )
    };
    assert_eq!(create_client(&pool_id).0, 200);
    assert_eq!(create_client(&pool_id).0, 200);
    assert!(limit_exceeded(&create_client(&pool_id)));
    // The configured pool holds one client: room for one more there.
    assert_eq!(create_client(POOL).0, 200);
    assert!(limit_exceeded(&create_client(POOL)));
    // A pool that does not exist is still not found, not full.
    let missing = create_client("us-east-1_NOSUCHPOOL");
    assert_eq!(
        missing.1["__type"], "ResourceNotFoundException",
        "{missing:?}"
    );
    assert_eq!(count("clients"), 4);

    let deleted = server.call("DeleteUserPool", &json!({ "UserPoolId": pool_id }));
    assert_eq!(deleted.0, 200);
    assert_eq!(
        create_pool("third").0,
        200,
        "a deleted pool frees its place"
    );
}

/// Once a count finds a pool holding `limits.users_per_pool` users, every sign-up there is
/// refused alike, whether its username is taken or not, and nothing is stored; deleting a
/// user opens the pool again at the next count.
#[test]
fn a_full_pool_refuses_sign_ups_alike_until_a_user_is_deleted() {
    let server = Server::start(&json!({
        "limits": {"users_per_pool": 3, "pool_count_seconds": 1},
    }));
    for index in 0..3 {
        assert_eq!(sign_up(&server, &format!("member-{index}")).0, 200);
    }
    let users = || -> i64 {
        server
            .database()
            .query_row("SELECT COUNT(*) FROM users", [], |row| row.get(0))
            .unwrap()
    };
    // Within a count or two, the pool is full.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let refused = loop {
        let answer = sign_up(&server, "newcomer");
        if limit_exceeded(&answer) {
            break answer;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "counted full: {answer:?}"
        );
        // Until the count, a sign-up may pass: take it back, and try again.
        if answer.0 == 200 {
            let deleted = server.call(
                "AdminDeleteUser",
                &json!({"UserPoolId": POOL, "Username": "newcomer"}),
            );
            assert_eq!(deleted.0, 200);
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(users(), 3, "nothing stored past the cap");
    assert_eq!(
        sign_up(&server, "member-0"),
        refused,
        "a taken username gets the same answer as a free one"
    );
    let deleted = server.call(
        "AdminDeleteUser",
        &json!({"UserPoolId": POOL, "Username": "member-1"}),
    );
    assert_eq!(deleted.0, 200);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while sign_up(&server, "newcomer").0 != 200 {
        assert!(
            std::time::Instant::now() < deadline,
            "open again after a count"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(users(), 3);
}

/// Twenty `CreateUserPoolClient`s racing for the last places of a pool get exactly those
/// places (the cap is a condition of the insert, and SQLite has one writer), and the rest
/// `LimitExceededException`.
#[test]
fn racing_client_creations_take_exactly_the_places_left() {
    let server = Arc::new(Server::start(&json!({"limits": {"clients_per_pool": 4}})));
    let racers = 20;
    let start = Arc::new(Barrier::new(racers));
    let answers: Vec<_> = (0..racers)
        .map(|_| {
            let (server, start) = (Arc::clone(&server), Arc::clone(&start));
            std::thread::spawn(move || {
                start.wait();
                server.call(
                    "CreateUserPoolClient",
                    &json!({"UserPoolId": POOL, "ClientName": "racer"}),
                )
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|racer| racer.join().unwrap())
        .collect();
    let created = answers.iter().filter(|answer| answer.0 == 200).count();
    let refused = answers
        .iter()
        .filter(|answer| limit_exceeded(answer))
        .count();
    // The configured pool holds one client already: three places were left.
    assert_eq!((created, refused), (3, racers - 3), "{answers:?}");
    let stored: i64 = server
        .database()
        .query_row("SELECT COUNT(*) FROM clients", [], |row| row.get(0))
        .unwrap();
    assert_eq!(stored, 4);
}
