//! The verifier against AWS's published SigV4 test suite (`tests/sigv4-suite`), and against
//! requests changed by one byte.

use std::{path::Path, time::SystemTime};

use axum::http::{HeaderMap, HeaderName, HeaderValue};

use super::{Credential, Refusal, Signed, Verifier};
use crate::sigv4_time::AmzDate;

/// One case: the request as sent, and what to verify it with.
struct Case {
    name: String,
    method: String,
    path: String,
    query: String,
    headers: HeaderMap,
    body: Vec<u8>,
    verifier: Verifier,
    now: SystemTime,
}

impl Case {
    fn signed(&self) -> Signed<'_> {
        Signed {
            method: &self.method,
            path: &self.path,
            query: &self.query,
            headers: &self.headers,
            body: &self.body,
        }
    }

    fn verify(&self) -> Result<&str, Refusal> {
        self.verifier.verify(&self.signed(), self.now)
    }

    /// This request with `headers` instead of its own, verified at `now`.
    fn verify_with(&self, headers: &HeaderMap, now: SystemTime) -> Result<&str, Refusal> {
        let request = Signed {
            headers,
            ..self.signed()
        };
        self.verifier.verify(&request, now)
    }
}

fn cases() -> Vec<Case> {
    let suite = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sigv4-suite");
    let mut cases = Vec::new();
    for entry in std::fs::read_dir(&suite).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        let context: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join("context.json")).unwrap()).unwrap();
        let text = std::fs::read(dir.join("header-signed-request.txt")).unwrap();
        cases.push(case(&dir, &context, &text));
    }
    assert_eq!(cases.len(), 29, "every case of the suite is read");
    cases
}

fn case(dir: &Path, context: &serde_json::Value, text: &[u8]) -> Case {
    let (head, body) = match text.windows(2).position(|pair| pair == b"\n\n") {
        Some(at) => (&text[..at], text[at + 2..].to_vec()),
        None => (text, Vec::new()),
    };
    let head = std::str::from_utf8(head).unwrap();
    let mut lines = head.lines();
    let request_line = lines.next().unwrap();
    let (method, rest) = request_line.split_once(' ').unwrap();
    let target = rest.strip_suffix(" HTTP/1.1").unwrap();
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut headers = HeaderMap::new();
    for line in lines {
        let (name, value) = line.split_once(':').unwrap();
        headers.append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    let moment = context["timestamp"]
        .as_str()
        .unwrap()
        .replace(['-', ':'], "");
    let now = AmzDate::parse(moment.as_bytes()).unwrap().unix();
    let credentials = &context["credentials"];
    Case {
        name: dir.file_name().unwrap().to_string_lossy().into_owned(),
        method: method.to_owned(),
        path: path.to_owned(),
        query: query.to_owned(),
        headers,
        body,
        verifier: Verifier {
            region: context["region"].as_str().unwrap().to_owned(),
            service: "service",
            must_sign: &["host", "x-amz-date"],
            credentials: vec![Credential {
                access_key_id: credentials["access_key_id"].as_str().unwrap().to_owned(),
                secret_access_key: credentials["secret_access_key"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            }],
        },
        now: SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(now.try_into().unwrap()),
    }
}

/// The suite's plainest case, to change one thing at a time.
fn post_vanilla() -> Case {
    cases()
        .into_iter()
        .find(|case| case.name == "post-vanilla")
        .unwrap()
}

#[test]
fn every_case_of_the_published_suite_verifies() {
    for case in cases() {
        assert_eq!(case.verify(), Ok("AKIDEXAMPLE"), "{}", case.name);
    }
}

#[test]
fn a_changed_byte_anywhere_signed_is_refused() {
    for mut case in cases() {
        let name = case.name.clone();
        case.body.push(b'x');
        assert_eq!(case.verify(), Err(Refusal::Mismatch), "{name}: body");
        case.body.pop();
        case.method = case.method.to_lowercase();
        assert_eq!(case.verify(), Err(Refusal::Mismatch), "{name}: method");
        case.method = case.method.to_uppercase();
        case.path.push('x');
        assert_eq!(case.verify(), Err(Refusal::Mismatch), "{name}: path");
        case.path.pop();
        case.query.push_str("&extra=1");
        assert_eq!(case.verify(), Err(Refusal::Mismatch), "{name}: query");
        case.query.truncate(case.query.len() - "&extra=1".len());
        let host = case.headers.get("host").unwrap().clone();
        case.headers
            .insert("host", HeaderValue::from_static("example.amazonaws.co"));
        assert_eq!(case.verify(), Err(Refusal::Mismatch), "{name}: host");
        case.headers.insert("host", host);
        case.verifier.credentials[0].secret_access_key.push('x');
        assert_eq!(case.verify(), Err(Refusal::Mismatch), "{name}: secret");
        case.verifier.credentials[0].secret_access_key.pop();
        assert_eq!(case.verify(), Ok("AKIDEXAMPLE"), "{name}: restored");
    }
}

#[test]
fn each_refusal_is_the_service_answer() {
    let case = post_vanilla();
    let authorization = case
        .headers
        .get("authorization")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let with = |header: &str, value: &str| {
        let mut headers = case.headers.clone();
        headers.insert(
            HeaderName::from_bytes(header.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
        headers
    };
    let verify = |headers: &HeaderMap, now: SystemTime| case.verify_with(headers, now);
    let mut headers = case.headers.clone();
    headers.remove("authorization");
    assert_eq!(verify(&headers, case.now), Err(Refusal::Missing));
    let unknown = authorization.replace("AKIDEXAMPLE", "AKIDOTHER");
    assert_eq!(
        verify(&with("authorization", &unknown), case.now),
        Err(Refusal::UnknownKey)
    );
    for broken in [
        "AWS4-HMAC-SHA256",
        "AWS4-HMAC-SHA256 x",
        "Basic dGVzdDp0ZXN0",
        "AWS4-HMAC-SHA1 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
        &authorization.replace(", Signature=", ", Signature=0"),
        &authorization.replace("Signature=5d", "Signature=5D"),
        &authorization.replace("SignedHeaders=host;x-amz-date, ", ""),
        &format!("{authorization}, Signature=00"),
        &authorization.replace("host;x-amz-date", "host;host;x-amz-date"),
        &authorization.replace("host;x-amz-date", "x-amz-date;host"),
        &authorization.replace("host;x-amz-date", "Host;x-amz-date"),
        &authorization.replace("host;x-amz-date", "host;;x-amz-date"),
        &authorization.replace(
            "host;x-amz-date",
            &(0..40)
                .map(|n| format!("h{n:02}"))
                .collect::<Vec<_>>()
                .join(";"),
        ),
    ] {
        let refusal = verify(&with("authorization", broken), case.now).unwrap_err();
        assert!(
            matches!(refusal, Refusal::Incomplete(_)),
            "{broken}: {refusal:?}"
        );
        assert_eq!(refusal.exception().name(), "IncompleteSignatureException");
    }
    // Unsigned `x-amz-date`, or none: a date nobody vouches for cannot bound a replay.
    let unsigned = authorization.replace("host;x-amz-date", "host");
    let refusal = verify(&with("authorization", &unsigned), case.now).unwrap_err();
    assert!(matches!(refusal, Refusal::Incomplete(_)), "{refusal:?}");
    let mut headers = case.headers.clone();
    headers.remove("x-amz-date");
    assert!(matches!(
        verify(&headers, case.now),
        Err(Refusal::Incomplete(_))
    ));
}

#[test]
fn scope_and_clock_refusals_say_what_is_wrong() {
    let case = post_vanilla();
    let authorization = case.headers["authorization"].to_str().unwrap().to_owned();
    let verify = |headers: &HeaderMap, now: SystemTime| case.verify_with(headers, now);
    let with = |value: &str| {
        let mut headers = case.headers.clone();
        headers.insert("authorization", HeaderValue::from_str(value).unwrap());
        headers
    };
    for (from, to, says) in [
        (
            "/20150830/",
            "/20150831/",
            "Date in Credential scope does not match",
        ),
        (
            "/us-east-1/",
            "/eu-west-1/",
            "Credential should be scoped to a valid region",
        ),
        (
            "/service/",
            "/s3/",
            "Credential should be scoped to correct service: 'service'",
        ),
        (
            "/aws4_request",
            "/aws4_request/x",
            "Credential should be scoped with a valid terminator",
        ),
    ] {
        let refusal = verify(&with(&authorization.replace(from, to)), case.now).unwrap_err();
        assert!(refusal.message().starts_with(says), "{to}: {refusal:?}");
        assert_eq!(refusal.exception().name(), "InvalidSignatureException");
    }
    let later = case.now + std::time::Duration::from_secs(5 * 60 + 1);
    let refusal = verify(&case.headers, later).unwrap_err();
    assert_eq!(
        refusal.message(),
        "Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z \
         (20150830T124101Z - 5 min.)"
    );
    assert_eq!(refusal.exception().name(), "InvalidSignatureException");
    let five_minutes = case.now + std::time::Duration::from_secs(5 * 60);
    assert_eq!(verify(&case.headers, five_minutes), Ok("AKIDEXAMPLE"));
    assert_eq!(
        Refusal::Mismatch.message(),
        "The request signature we calculated does not match the signature you provided. \
         Check your AWS Secret Access Key and signing method. Consult the service \
         documentation for details."
    );
    assert_eq!(
        Refusal::UnknownKey.message(),
        "The security token included in the request is invalid."
    );
}

#[test]
fn the_secret_never_prints() {
    let credential = Credential {
        access_key_id: "AKIDEXAMPLE".into(),
        secret_access_key: "wJalrXUtnFEMI".into(),
    };
    let shown = format!("{credential:?}");
    assert!(
        shown.contains("AKIDEXAMPLE") && !shown.contains("wJalrXUtnFEMI"),
        "{shown}"
    );
}
