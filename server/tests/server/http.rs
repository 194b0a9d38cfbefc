//! The server process as an operator and an attacker meet it: its limits, its stop, its
//! logs, and equal work for unknown users. Each test starts the real binary on a free
//! loopback port and talks raw HTTP/1.1 to it, so that a half-sent request is possible.

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::TcpStream,
    process::{Command, Stdio},
    time::{Duration, Instant, SystemTime},
};

const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService.";

use crate::support;

use support::{Process, raw_request, sign, write_config};

/// A running server, with the test clients (see [`Server::start`]).
struct Server(Process);

impl std::ops::Deref for Server {
    type Target = Process;
    fn deref(&self) -> &Process {
        &self.0
    }
}

impl std::ops::DerefMut for Server {
    fn deref_mut(&mut self) -> &mut Process {
        &mut self.0
    }
}

impl Server {
    /// Starts the server with the test clients and `extra` configuration; `log` is the
    /// `RUST_LOG` value, its stderr goes to `stderr.log` in the server's directory.
    fn start(extra: &serde_json::Value, log: &str) -> Self {
        let dir = Process::directory("http-test");
        let config = serde_json::json!({
            "listen": "127.0.0.1:0",
            "user_pool_id": "us-east-1_HTTP",
            "clients": [
                {"client_id": "publicclient", "client_secret": null},
                {"client_id": "secretclient", "client_secret": "s3cr3t"},
            ],
            "database": dir.join("users.sqlite3"),
            "outbox": dir.join("outbox.jsonl"),
        });
        let mut merged = config;
        for (name, value) in extra.as_object().unwrap() {
            merged[name] = value.clone();
        }
        Self(Process::start(dir, &merged, log, &[]).unwrap())
    }

    fn connect(&self) -> TcpStream {
        let stream = self.0.connect();
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        stream
    }

    fn codes(&self) -> Vec<serde_json::Value> {
        let outbox = std::fs::read_to_string(self.dir.join("outbox.jsonl")).unwrap_or_default();
        // A line the server is still appending has no newline yet: complete lines only.
        let complete = outbox.rfind('\n').map_or(0, |end| end + 1);
        outbox[..complete]
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    }
}

/// Starts the server with the config at `path`, which must refuse to start; its stderr.
fn refused_start(path: &std::path::Path) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_confirmation-flow-server"))
        .arg("--config")
        .arg(path)
        .output()
        .unwrap();
    assert!(!output.status.success(), "{}: started", path.display());
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// An answer: status, and body.
#[derive(Debug)]
struct Answer {
    status: u16,
    body: serde_json::Value,
}

/// Sends one request on `stream` (kept alive), signed with the local test key, and reads its
/// answer.
fn call(stream: &mut TcpStream, operation: &str, body: &serde_json::Value) -> Answer {
    let body = body.to_string();
    let target = format!("{TARGET_PREFIX}{operation}");
    let headers = [
        ("host", "test"),
        ("x-amz-target", target.as_str()),
        ("content-type", "application/x-amz-json-1.1"),
    ];
    let signed = sign(
        ("test", "test"),
        SystemTime::now(),
        &headers,
        body.as_bytes(),
    );
    let request = format!(
        "POST / HTTP/1.1\r\nHost: test\r\nX-Amz-Target: {target}\r\n{signed}\
         Content-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    read_answer(stream).expect("an answer")
}

/// Reads one HTTP/1.1 response with a `Content-Length`; `None` if the server closed first.
fn read_answer(stream: &mut TcpStream) -> Option<Answer> {
    support::read_answer(stream).map(|(status, body)| Answer { status, body })
}

/// Whether the server closed `stream` (rather than answering or waiting) within `limit`.
fn closed_within(stream: &mut TcpStream, limit: Duration) -> bool {
    stream.set_read_timeout(Some(limit)).unwrap();
    let mut rest = Vec::new();
    stream.read_to_end(&mut rest).is_ok()
}

#[test]
fn health_answers_while_the_database_does() {
    let server = Server::start(&serde_json::json!({}), "info");
    let mut stream = server.connect();
    stream
        .write_all(b"GET /health HTTP/1.1\r\nHost: test\r\n\r\n")
        .unwrap();
    let answer = read_answer(&mut stream).unwrap();
    assert_eq!(
        (answer.status, answer.body),
        (200, serde_json::json!({"status": "ok"}))
    );
}

#[test]
fn an_oversized_body_is_an_aws_json_413_and_changes_nothing() {
    let server = Server::start(&serde_json::json!({"max_body_bytes": 1024}), "info");
    let mut stream = server.connect();
    let padding = "x".repeat(2_000);
    let body = serde_json::json!({"ClientId": "publicclient", "Username": "big", "Password": "Passw0rd!",
        "UserAttributes": [{"Name": "email", "Value": "big@example.com"}], "ClientMetadata": {"pad": padding}});
    let answer = call(&mut stream, "SignUp", &body);
    assert_eq!(answer.status, 413);
    assert_eq!(answer.body["__type"], "RequestEntityTooLargeException");
    assert!(
        answer.body["message"]
            .as_str()
            .unwrap()
            .contains("1024 bytes")
    );
    // Nothing was written: the name is still free.
    let mut stream = server.connect();
    let mut body = body;
    body["ClientMetadata"] = serde_json::json!({});
    assert_eq!(call(&mut stream, "SignUp", &body).status, 200);
}

#[test]
fn a_client_that_never_finishes_its_headers_is_cut_off() {
    let server = Server::start(&serde_json::json!({"header_timeout_seconds": 1}), "info");
    let mut stream = server.connect();
    stream
        .write_all(b"POST / HTTP/1.1\r\nHost: test\r\n")
        .unwrap();
    assert!(
        closed_within(&mut stream, Duration::from_secs(10)),
        "the half-sent request is dropped"
    );
}

#[test]
fn a_body_that_never_arrives_gets_a_json_408() {
    let server = Server::start(&serde_json::json!({"request_timeout_seconds": 1}), "info");
    let mut stream = server.connect();
    let started = Instant::now();
    stream
        .write_all(
            b"POST / HTTP/1.1\r\nHost: test\r\nX-Amz-Target: AWSCognitoIdentityProviderService.SignUp\r\n\
              Content-Length: 100\r\n\r\n{\"ClientId\":",
        )
        .unwrap();
    let answer = read_answer(&mut stream).expect("an answer, not a hang");
    assert_eq!(answer.status, 408);
    assert_eq!(answer.body["__type"], "RequestTimeoutException");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn connections_beyond_the_cap_wait_until_one_closes() {
    let server = Server::start(&serde_json::json!({"max_connections": 2}), "info");
    let health = b"GET /health HTTP/1.1\r\nHost: test\r\n\r\n";
    let (mut first, mut second) = (server.connect(), server.connect());
    for stream in [&mut first, &mut second] {
        stream.write_all(health).unwrap();
        assert_eq!(read_answer(stream).unwrap().status, 200);
    }
    let mut third = server.connect(); // the kernel accepts it; the server does not serve it yet
    third.write_all(health).unwrap();
    third
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let mut byte = [0];
    assert!(third.read(&mut byte).is_err(), "a third connection waits");
    drop(first);
    third
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    assert_eq!(
        read_answer(&mut third).unwrap().status,
        200,
        "and is served once one closes"
    );
}

#[test]
fn sigterm_stops_the_server_cleanly_with_a_connection_open() {
    let mut server = Server::start(&serde_json::json!({}), "info");
    let mut idle = server.connect();
    idle.write_all(b"GET /health HTTP/1.1\r\nHost: test\r\n\r\n")
        .unwrap();
    assert_eq!(read_answer(&mut idle).unwrap().status, 200);
    let killed = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the server stops within 10 s");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status}");
    assert!(server.log().contains("stopping"));
}

/// The access log (debug) names the request id, operation, status, exception and latency,
/// and never a code, secret hash or password from the body. (Delivered codes have a log
/// target of their own, `delivery`, for developers; it is turned down here and tested below.)
#[test]
fn the_log_shows_requests_but_never_their_secrets() {
    let server = Server::start(&serde_json::json!({}), "debug,delivery=info");
    let mut stream = server.connect();
    let password = "Pa55-w0rd-in-the-body";
    let secret_hash = "c2VjcmV0LWhhc2gtaW4tdGhlLWJvZHk=";
    call(
        &mut stream,
        "SignUp",
        &serde_json::json!({"ClientId": "publicclient", "Username": "logged",
        "Password": password, "UserAttributes": [{"Name": "email", "Value": "logged@example.com"}]}),
    );
    let answer = call(
        &mut stream,
        "ConfirmSignUp",
        &serde_json::json!({"ClientId": "secretclient",
        "Username": "logged", "ConfirmationCode": "918273", "SecretHash": secret_hash}),
    );
    assert_eq!(answer.body["__type"], "NotAuthorizedException");
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.codes().is_empty() {
        assert!(Instant::now() < deadline, "the code is delivered");
        std::thread::sleep(Duration::from_millis(10));
    }
    let code = server.codes()[0]["code"].as_str().unwrap().to_owned();
    let log = server.log();
    for line in [
        "operation=ConfirmSignUp",
        "exception=NotAuthorizedException",
        "latency_us=",
        "status=400",
    ] {
        assert!(log.contains(line), "the log has {line}: {log}");
    }
    assert!(log.contains("id="), "each line carries the request id");
    for secret in [password, secret_hash, "918273", code.as_str()] {
        assert!(!log.contains(secret), "the log shows {secret}");
    }
}

/// A developer sees each delivered code in the terminal at `debug`, with its username and
/// destination; at `info`, the default, never.
#[test]
fn delivered_codes_are_logged_at_debug_only() {
    for (level, shown) in [("debug", true), ("info", false)] {
        let server = Server::start(&serde_json::json!({}), level);
        let mut stream = server.connect();
        call(
            &mut stream,
            "SignUp",
            &serde_json::json!({"ClientId": "publicclient", "Username": "dev",
            "Password": "Passw0rd!", "UserAttributes": [{"Name": "email", "Value": "dev@example.com"}]}),
        );
        let deadline = Instant::now() + Duration::from_secs(10);
        while server.codes().is_empty() {
            assert!(Instant::now() < deadline, "the code is delivered");
            std::thread::sleep(Duration::from_millis(10));
        }
        let code = server.codes()[0]["code"].as_str().unwrap().to_owned();
        let line = format!("username=dev destination=dev@example.com code={code}");
        let deadline = Instant::now() + Duration::from_secs(2);
        while shown && !server.log().contains(&line) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(
            server.log().contains(&line),
            shown,
            "at {level}: {}",
            server.log()
        );
        assert_eq!(server.log().contains(&code), shown, "at {level}");
    }
}

/// Sends `request` (a whole HTTP/1.1 request) on a new connection; the status line and
/// headers of the answer, lower-cased.
fn head_of(server: &Server, request: &str) -> String {
    let mut stream = server.connect();
    stream.write_all(request.as_bytes()).unwrap();
    let mut head = Vec::new();
    let mut byte = [0];
    while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap() == 1 {
        head.push(byte[0]);
    }
    String::from_utf8(head).unwrap().to_ascii_lowercase()
}

/// A browser may call the server: the preflight allows the SDKs' headers, and every answer
/// names the allowed origin and exposes the request id and error headers.
#[test]
fn browsers_get_cors_as_the_service_answers_it() {
    let preflight = "OPTIONS / HTTP/1.1\r\nHost: test\r\nOrigin: http://localhost:3000\r\n\
                     Access-Control-Request-Method: POST\r\n\
                     Access-Control-Request-Headers: content-type,x-amz-target,x-amz-user-agent\r\n\r\n";
    let call = "POST / HTTP/1.1\r\nHost: test\r\nOrigin: http://localhost:3000\r\n\
                X-Amz-Target: AWSCognitoIdentityProviderService.ConfirmSignUp\r\nContent-Length: 2\r\n\r\n{}";
    let open = Server::start(&serde_json::json!({}), "info");
    let head = head_of(&open, preflight);
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(head.contains("access-control-allow-origin: *"), "{head}");
    for header in ["content-type", "x-amz-target", "x-amz-user-agent"] {
        let allowed = head
            .lines()
            .find(|line| line.starts_with("access-control-allow-headers:"))
            .unwrap();
        assert!(allowed.contains(header), "{header} allowed: {allowed}");
    }
    assert!(
        head.contains("access-control-allow-methods:") && head.contains("post"),
        "{head}"
    );
    let head = head_of(&open, call);
    assert!(head.starts_with("http/1.1 400"), "{head}");
    assert!(head.contains("access-control-allow-origin: *"), "{head}");
    assert!(
        head.contains("x-amzn-errortype: invalidparameterexception:"),
        "{head}"
    );
    assert!(head.contains("x-amzn-errormessage: "), "{head}");
    let exposed = head
        .lines()
        .find(|line| line.starts_with("access-control-expose-headers:"))
        .unwrap();
    for header in [
        "x-amzn-requestid",
        "x-amzn-errortype",
        "x-amzn-errormessage",
    ] {
        assert!(exposed.contains(header), "{header} exposed: {exposed}");
    }
    // A configured list: its origins are allowed, others get no allowance.
    let listed = Server::start(
        &serde_json::json!({"cors_allowed_origins": ["https://app.example.com"]}),
        "info",
    );
    let head = head_of(
        &listed,
        &call.replace("http://localhost:3000", "https://app.example.com"),
    );
    assert!(
        head.contains("access-control-allow-origin: https://app.example.com"),
        "{head}"
    );
    let head = head_of(&listed, call);
    assert!(!head.contains("access-control-allow-origin"), "{head}");
}

/// Under `PreventUserExistenceErrors` a wrong code for a real user and a code for an unknown
/// user take the same path (a read, a decision, a write): 400 interleaved requests over one
/// connection, and their median latencies within 1.5× of each other.
#[test]
fn unknown_users_cost_what_real_users_cost() {
    let server = Server::start(
        &serde_json::json!({"prevent_user_existence_errors": true}),
        "info",
    );
    let mut stream = server.connect();
    let users: Vec<String> = (0..200).map(|index| format!("real-{index}")).collect();
    for user in &users {
        let answer = call(
            &mut stream,
            "SignUp",
            &serde_json::json!({"ClientId": "publicclient",
            "Username": user, "Password": "Passw0rd!",
            "UserAttributes": [{"Name": "email", "Value": format!("{user}@example.com")}]}),
        );
        assert_eq!(answer.status, 200);
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    while server.codes().len() < users.len() {
        assert!(Instant::now() < deadline, "every code is delivered");
        std::thread::sleep(Duration::from_millis(10));
    }
    let wrong = |user: &str| {
        let code = server
            .codes()
            .into_iter()
            .find(|line| line["username"] == user)
            .unwrap();
        if code["code"] == "000000" {
            "111111"
        } else {
            "000000"
        }
        .to_owned()
    };
    let wrongs: Vec<String> = users.iter().map(|user| wrong(user)).collect();
    let (mut real, mut unknown) = (Vec::new(), Vec::new());
    for (index, user) in users.iter().enumerate() {
        for (name, code, times) in [
            (user.clone(), wrongs[index].clone(), &mut real),
            (format!("ghost-{index}"), "123456".to_owned(), &mut unknown),
        ] {
            let started = Instant::now();
            let answer = call(
                &mut stream,
                "ConfirmSignUp",
                &serde_json::json!({"ClientId": "publicclient",
                "Username": name, "ConfirmationCode": code}),
            );
            times.push(started.elapsed());
            assert_eq!(
                answer.body["__type"], "CodeMismatchException",
                "the same answer"
            );
        }
    }
    let median = |times: &mut Vec<Duration>| {
        times.sort_unstable();
        times[times.len() / 2].as_secs_f64()
    };
    let (real, unknown) = (median(&mut real), median(&mut unknown));
    let ratio = real.max(unknown) / real.min(unknown);
    eprintln!(
        "median wrong code: real user {:.0} µs, unknown user {:.0} µs ({ratio:.2}×)",
        real * 1e6,
        unknown * 1e6
    );
    assert!(ratio <= 1.5, "real {real:.6} s, unknown {unknown:.6} s");
}

/// A `PostConfirmation` receiver on a free port: answers every request with `status` and
/// `body` (after `delay`), and keeps each event it was sent.
struct Receiver {
    url: String,
    events: std::sync::Arc<std::sync::Mutex<Vec<serde_json::Value>>>,
}

impl Receiver {
    fn start(status: u16, body: &'static str, delay: Duration) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!(
            "http://{}/post-confirmation",
            listener.local_addr().unwrap()
        );
        let events: std::sync::Arc<std::sync::Mutex<Vec<serde_json::Value>>> =
            std::sync::Arc::default();
        let kept = std::sync::Arc::clone(&events);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let Some(event) = read_request_body(&mut stream) else {
                    continue;
                };
                kept.lock()
                    .unwrap()
                    .push(serde_json::from_slice(&event).unwrap());
                std::thread::sleep(delay);
                let answer = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
                     Connection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(answer.as_bytes());
            }
        });
        Self { url, events }
    }
}

/// The body of one HTTP/1.1 request with a `Content-Length`.
fn read_request_body(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut head = Vec::new();
    let mut byte = [0];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).ok()? == 0 {
            return None;
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8(head).ok()?.to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))?
        .trim()
        .parse()
        .ok()?;
    let mut body = vec![0; length];
    stream.read_exact(&mut body).ok()?;
    Some(body)
}

/// Signs `username` up and confirms them with `ClientMetadata`; the answer.
/// Signs `username` up through the public client; the code delivered to it.
fn sign_up(server: &Server, username: &str) -> String {
    let mut stream = server.connect();
    let email = format!("{username}@example.com");
    call(
        &mut stream,
        "SignUp",
        &serde_json::json!({"ClientId": "publicclient", "Username": username,
        "Password": "Passw0rd!", "UserAttributes": [{"Name": "email", "Value": email}]}),
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(line) = server
            .codes()
            .into_iter()
            .find(|line| line["username"] == username)
        {
            return line["code"].as_str().unwrap().to_owned();
        }
        assert!(Instant::now() < deadline, "the code is delivered");
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn sign_up_and_confirm(server: &Server, username: &str) -> Answer {
    let code = sign_up(server, username);
    call(
        &mut server.connect(),
        "ConfirmSignUp",
        &serde_json::json!({"ClientId": "publicclient", "Username": username,
        "ConfirmationCode": code, "ClientMetadata": {"source": "test"}}),
    )
}

fn status_of(server: &Server, username: &str) -> String {
    let mut stream = server.connect();
    let user = call(
        &mut stream,
        "AdminGetUser",
        &serde_json::json!({"UserPoolId": "us-east-1_HTTP", "Username": username}),
    );
    user.body["UserStatus"]
        .as_str()
        .unwrap_or_else(|| panic!("{user:?}"))
        .to_owned()
}

/// The `PostConfirmation` event goes to an HTTP receiver after the write, in the service's
/// shape; its failures become the service's exceptions; the user stays confirmed either way.
#[test]
fn post_confirmation_is_delivered_and_its_failures_answered_as_the_service_does() {
    let receiver = Receiver::start(200, r#"{"response": {}}"#, Duration::ZERO);
    let server = Server::start(
        &serde_json::json!({"post_confirmation_url": receiver.url}),
        "info",
    );
    let answer = sign_up_and_confirm(&server, "triggered");
    assert_eq!(answer.status, 200, "{answer:?}");
    let events = receiver.events.lock().unwrap().clone();
    assert_eq!(events.len(), 1, "one event per confirmation");
    let event = &events[0];
    assert_eq!(event["triggerSource"], "PostConfirmation_ConfirmSignUp");
    assert_eq!(event["userName"], "triggered");
    assert_eq!(event["userPoolId"], "us-east-1_HTTP");
    assert_eq!(event["callerContext"]["clientId"], "publicclient");
    let attributes = &event["request"]["userAttributes"];
    assert_eq!(attributes["email"], "triggered@example.com");
    assert_eq!(attributes["email_verified"], "true");
    assert_eq!(attributes["cognito:user_status"], "CONFIRMED");
    assert_eq!(
        attributes["sub"].as_str().unwrap().len(),
        36,
        "the user's sub"
    );
    assert_eq!(
        event["request"]["clientMetadata"],
        serde_json::json!({"source": "test"})
    );

    for (status, body, delay, exception, message) in [
        (
            500,
            r#"{"errorMessage": "no such account"}"#,
            Duration::ZERO,
            "UserLambdaValidationException",
            Some("PostConfirmation failed with error no such account."),
        ),
        (
            502,
            "<html>internal status page: db=10.0.0.5</html>",
            Duration::ZERO,
            "UserLambdaValidationException",
            Some("PostConfirmation failed with error Unhandled (HTTP status 502)."),
        ),
        (
            200,
            "not json",
            Duration::ZERO,
            "InvalidLambdaResponseException",
            None,
        ),
        (
            200,
            "{}",
            Duration::from_secs(3),
            "UnexpectedLambdaException",
            None,
        ),
    ] {
        let receiver = Receiver::start(status, body, delay);
        let server = Server::start(
            &serde_json::json!({"post_confirmation_url": receiver.url, "trigger_timeout_seconds": 1}),
            "info",
        );
        let answer = sign_up_and_confirm(&server, "failing");
        assert_eq!(answer.status, 400, "{answer:?}");
        assert_eq!(answer.body["__type"], exception);
        if let Some(message) = message {
            assert_eq!(answer.body["message"], message);
        }
        assert_eq!(
            status_of(&server, "failing"),
            "CONFIRMED",
            "{exception}: the user stays confirmed"
        );
    }
    // Nobody listening: the invocation fails.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", closed.local_addr().unwrap());
    drop(closed);
    let server = Server::start(&serde_json::json!({"post_confirmation_url": url}), "info");
    let answer = sign_up_and_confirm(&server, "unheard");
    assert_eq!(answer.body["__type"], "UnexpectedLambdaException");
    assert_eq!(status_of(&server, "unheard"), "CONFIRMED");
}

#[test]
fn a_trigger_url_that_is_not_http_is_refused_at_start() {
    for url in [
        "https://example.com/hook",
        "ftp://example.com",
        "not a url",
        "http://user:secret@example.com/hook",
    ] {
        let dir =
            std::env::temp_dir().join(format!("trigger-test-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let config = serde_json::json!({"clients": [{"client_id": "c"}]});
        let extra = serde_json::json!({"post_confirmation_url": url});
        let log = refused_start(&write_config(&dir, config, &extra));
        assert!(log.contains("post_confirmation_url"), "{url}: {log}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// Every operation of the caller table, as an attacker and a server would send it: the admin
/// ones (pools, clients, listing and deleting users too) answer only a SigV4 signature by a
/// configured key, with the service's exception for each way a signature is wrong, and never
/// a browser; the public ones need no signature; a bare name is no operation.
#[test]
fn admin_operations_answer_only_a_valid_signature_and_never_a_browser() {
    use confirmation_flow_server::access::{Caller, OPERATIONS};
    let server = Server::start(&serde_json::json!({}), "info");
    let username = "unconfirmed";
    sign_up(&server, username);
    let body = |pool: &str| {
        format!(
            r#"{{"UserPoolId":"{pool}","Username":"{username}","PoolName":"p","MaxResults":1,"ClientId":"nobody"}}"#
        )
    };
    let now = SystemTime::now();
    let six_minutes = Duration::from_secs(6 * 60);
    let request = |operation: &str, key: Option<(&str, &str)>, time, extra: &str| {
        let body = body("us-east-1_HTTP");
        raw_request(operation, &body, key.map(|key| (key, time)), extra)
    };
    let test = Some(("test", "test"));
    let refusals = [
        (None, now, "", "400", "missingauthenticationtokenexception"),
        (
            None,
            now,
            "Authorization: AWS4-HMAC-SHA256 x\r\n",
            "400",
            "incompletesignatureexception",
        ),
        (
            Some(("test", "wrong")),
            now,
            "",
            "400",
            "invalidsignatureexception",
        ),
        (
            Some(("AKIDUNKNOWN", "test")),
            now,
            "",
            "400",
            "unrecognizedclientexception",
        ),
        (
            test,
            now - six_minutes,
            "",
            "400",
            "invalidsignatureexception",
        ),
        (
            test,
            now + six_minutes,
            "",
            "400",
            "invalidsignatureexception",
        ),
        (
            test,
            now,
            "Origin: http://evil.example\r\n",
            "403",
            "accessdeniedexception",
        ),
    ];
    for &(operation, caller) in OPERATIONS {
        for &(key, time, extra, status, exception) in &refusals {
            let head = head_of(&server, &request(operation, key, time, extra));
            let refused = head.starts_with(&format!("http/1.1 {status}"))
                && head.contains(&format!("x-amzn-errortype: {exception}:"));
            let admin = caller == Caller::Admin;
            assert_eq!(refused, admin, "{operation} {key:?} {extra:?}: {head}");
        }
        // Signed right, each is served (on another pool, so that the user and pool stay).
        let body = body("us-east-1_ELSE");
        let elsewhere = raw_request(operation, &body, test.map(|key| (key, now)), "");
        let head = head_of(&server, &elsewhere);
        for exception in refusals.iter().map(|refusal| refusal.4) {
            assert!(!head.contains(exception), "{operation}, signed: {head}");
        }
        let bare = head_of(&server, &elsewhere.replacen(TARGET_PREFIX, "", 1));
        assert!(
            bare.contains("x-amzn-errortype: unknownoperationexception:"),
            "{bare}"
        );
    }
    assert_eq!(
        status_of(&server, username),
        "UNCONFIRMED",
        "no refused call confirmed the user"
    );
    assert_eq!(server.codes().len(), 1, "one code: the sign-up's");
}

/// A signature covers its operation and its moment: it cannot be moved to another operation
/// (the target must be signed, and a signed target changed is a mismatch), and an expired one
/// says so.
#[test]
fn a_signature_covers_its_operation_and_its_moment() {
    let server = Server::start(&serde_json::json!({}), "info");
    let username = "unconfirmed";
    sign_up(&server, username);
    let now = SystemTime::now();
    let test = Some(("test", "test"));
    let body = format!(r#"{{"UserPoolId":"us-east-1_HTTP","Username":"{username}"}}"#);
    let target = format!("{TARGET_PREFIX}AdminGetUser");
    let host_only = sign(("test", "test"), now, &[("host", "test")], body.as_bytes());
    let moved = raw_request("AdminConfirmSignUp", &body, None, &host_only);
    assert!(head_of(&server, &moved).contains("incompletesignatureexception"));
    let signed = raw_request("AdminGetUser", &body, test.map(|key| (key, now)), "");
    let retargeted = signed.replace(&target, &format!("{TARGET_PREFIX}AdminConfirmSignUp"));
    assert!(head_of(&server, &retargeted).contains("invalidsignatureexception"));
    for proxy in [
        "X-Forwarded-For: 203.0.113.9",
        "Forwarded: for=203.0.113.9",
        "X-Real-IP: 203.0.113.9",
    ] {
        let proxied = raw_request(
            "AdminGetUser",
            &body,
            test.map(|key| (key, now)),
            &format!("{proxy}\r\n"),
        );
        let head = head_of(&server, &proxied);
        assert!(
            head.starts_with("http/1.1 403") && head.contains("accessdeniedexception"),
            "{proxy}: {head}"
        );
    }
    let stale = raw_request(
        "AdminGetUser",
        &body,
        test.map(|key| (key, now - Duration::from_secs(6 * 60))),
        "",
    );
    let mut stream = server.connect();
    stream.write_all(stale.as_bytes()).unwrap();
    let expired = read_answer(&mut stream).unwrap();
    let message = expired.body["message"].as_str().unwrap();
    assert!(message.starts_with("Signature expired: "), "{message}");
    assert_eq!(status_of(&server, username), "UNCONFIRMED");
}

/// A configuration that names no database keeps its users in a file (the one the server
/// keeps without a configuration), across a restart; `:memory:` is had by name only, and
/// the start-up lines say what it costs.
#[test]
fn without_a_database_users_are_kept_and_memory_is_said_at_start() {
    let dir = std::env::temp_dir().join(format!("keep-test-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let outbox = dir.join("outbox.jsonl");
    let config = serde_json::json!({"clients": [{"client_id": "keepclient"}], "outbox": outbox});
    let path = write_config(
        &dir,
        config.clone(),
        &serde_json::json!({"listen": "127.0.0.1:0"}),
    );
    let start = |path: &std::path::Path| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_confirmation-flow-server"))
            .arg("--config")
            .arg(path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // The start-up lines, up to the last one (the admin calls').
        let mut lines = Vec::new();
        for line in BufReader::new(child.stdout.take().unwrap()).lines() {
            let line = line.unwrap();
            let last = line.starts_with("admin calls");
            lines.push(line);
            if last {
                break;
            }
        }
        (child, lines)
    };
    let username = format!("kept-{}", uuid::Uuid::new_v4().simple());
    let body = serde_json::json!({"ClientId": "keepclient", "Username": username, "Password": "Passw0rd!",
        "UserAttributes": [{"Name": "email", "Value": "kept@example.com"}]});
    for (round, exception) in [
        (0, serde_json::Value::Null),
        (1, "UsernameExistsException".into()),
    ] {
        let (mut child, lines) = start(&path);
        let address = lines[0].strip_prefix("listening on http://").unwrap();
        assert!(
            lines.iter().all(|line| !line.contains(":memory:")),
            "{lines:?}"
        );
        let mut stream = TcpStream::connect(address).unwrap();
        let answer = call(&mut stream, "SignUp", &body);
        assert_eq!(
            answer.body["__type"], exception,
            "round {round}: {answer:?}"
        );
        let _ = child.kill();
        let _ = child.wait();
    }
    let memory = write_config(
        &dir,
        config,
        &serde_json::json!({"database": ":memory:", "listen": "127.0.0.1:0"}),
    );
    let (mut child, lines) = start(&memory);
    assert!(
        lines
            .iter()
            .any(|line| line.contains(":memory:") && line.contains("lost when this server stops")),
        "{lines:?}"
    );
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
}

/// With `admin_credentials`, only those keys sign admin calls (the local test key no longer
/// does); the same list may come from the environment; without any, the server refuses to
/// listen beyond loopback.
#[test]
fn configured_admin_keys_replace_the_test_key_and_are_required_beyond_loopback() {
    let key = serde_json::json!([{"access_key_id": "AKIDLOCALADMIN", "secret_access_key": "a long enough secret"}]);
    let server = Server::start(&serde_json::json!({"admin_credentials": key}), "info");
    let body = r#"{"UserPoolId":"us-east-1_HTTP","Username":"nobody"}"#;
    for (key, exception) in [
        (("test", "test"), "UnrecognizedClientException"),
        (
            ("AKIDLOCALADMIN", "a long enough secret"),
            "UserNotFoundException",
        ),
    ] {
        let request = raw_request("AdminGetUser", body, Some((key, SystemTime::now())), "");
        let mut stream = server.connect();
        stream.write_all(request.as_bytes()).unwrap();
        assert_eq!(
            read_answer(&mut stream).unwrap().body["__type"],
            exception,
            "{key:?}"
        );
    }

    let dir = std::env::temp_dir().join(format!("listen-test-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = serde_json::json!({
        "clients": [{"client_id": "c"}],
        "database": dir.join("users.sqlite3"),
        "outbox": dir.join("outbox.jsonl"),
    });
    for listen in ["0.0.0.0:0", "[::]:0"] {
        let path = write_config(&dir, config.clone(), &serde_json::json!({"listen": listen}));
        let log = refused_start(&path);
        assert!(log.contains("admin_credentials"), "{listen}: {log}");
        assert!(
            log.contains("CONFIRMATION_FLOW_ADMIN_CREDENTIALS"),
            "{listen}: {log}"
        );
    }
    // The environment's keys count as configured: the server starts on every address.
    let path = write_config(
        &dir,
        config.clone(),
        &serde_json::json!({"listen": "0.0.0.0:0"}),
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_confirmation-flow-server"))
        .arg("--config")
        .arg(&path)
        .env("CONFIRMATION_FLOW_ADMIN_CREDENTIALS", key.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    assert!(
        lines
            .next()
            .unwrap()
            .unwrap()
            .starts_with("listening on http://0.0.0.0:")
    );
    let said: Vec<String> = lines.take(3).map(Result::unwrap).collect();
    assert!(
        said.iter()
            .any(|line| line.contains("the configured access keys")),
        "{said:?}"
    );
    let _ = child.kill();
    let _ = child.wait();
    // A short secret is refused beyond loopback.
    let short = serde_json::json!([{"access_key_id": "AKIDSHORT", "secret_access_key": "short"}]);
    let path = write_config(
        &dir,
        config.clone(),
        &serde_json::json!({"listen": "0.0.0.0:0", "admin_credentials": short}),
    );
    assert!(refused_start(&path).contains("at least 16 characters"));
    // Both places at once is ambiguous: refused.
    let both = write_config(&dir, config, &serde_json::json!({"admin_credentials": key}));
    let output = Command::new(env!("CARGO_BIN_EXE_confirmation-flow-server"))
        .arg("--config")
        .arg(&both)
        .env("CONFIRMATION_FLOW_ADMIN_CREDENTIALS", key.to_string())
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("give them in one place"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// What another local user could have put where the server keeps codes, keys or users is
/// refused at start, with a message naming the file: a symbolic link, a file others can
/// read, a file of another user's.
#[test]
fn files_another_user_could_have_planted_are_refused_at_start() {
    use std::os::unix::fs::{PermissionsExt, symlink};
    let start = |dir: &std::path::Path, extra: serde_json::Value| -> String {
        let config = serde_json::json!({
            "clients": [{"client_id": "c"}],
            "database": dir.join("users.sqlite3"),
            "outbox": dir.join("outbox.jsonl"),
        });
        refused_start(&write_config(dir, config, &extra))
    };
    let dir = std::env::temp_dir().join(format!("planted-test-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let elsewhere = dir.join("elsewhere.jsonl");
    std::fs::write(&elsewhere, "").unwrap();

    symlink(&elsewhere, dir.join("linked.jsonl")).unwrap();
    let log = start(
        &dir,
        serde_json::json!({"outbox": dir.join("linked.jsonl")}),
    );
    assert!(
        log.contains("outbox") && log.contains("linked.jsonl"),
        "{log}"
    );

    let open = dir.join("open.jsonl");
    std::fs::write(&open, "").unwrap();
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o644)).unwrap();
    let log = start(&dir, serde_json::json!({"outbox": open}));
    assert!(log.contains("chmod 600"), "{log}");

    let readable = dir.join("readable-keys.json");
    let key = "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"";
    std::fs::write(
        &readable,
        format!("{{\"current\": 1, \"keys\": {{\"1\": {key}}}}}"),
    )
    .unwrap();
    std::fs::set_permissions(&readable, std::fs::Permissions::from_mode(0o644)).unwrap();
    let log = start(&dir, serde_json::json!({"keys": readable}));
    assert!(
        log.contains("key file") && log.contains("chmod 600"),
        "{log}"
    );

    symlink(&elsewhere, dir.join("keys.json")).unwrap();
    let log = start(&dir, serde_json::json!({"keys": dir.join("keys.json")}));
    assert!(
        log.contains("key file") && log.contains("symbolic link"),
        "{log}"
    );

    // Another user's file can only be made by root (CI runs as root; elsewhere this part is
    // skipped, and says so).
    let theirs = dir.join("theirs.sqlite3");
    std::fs::write(&theirs, "").unwrap();
    let chown = Command::new("chown")
        .arg("65534")
        .arg(&theirs)
        .output()
        .unwrap();
    if chown.status.success() {
        let log = start(&dir, serde_json::json!({"database": theirs}));
        assert!(log.contains("owned by user 65534"), "{log}");
    } else {
        eprintln!("not root: another user's database file not tested");
    }
    let leaked = std::fs::read_to_string(&elsewhere).unwrap();
    assert!(leaked.is_empty(), "nothing was written through a link");
    let _ = std::fs::remove_dir_all(&dir);
}
