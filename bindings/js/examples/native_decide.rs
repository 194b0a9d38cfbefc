//! The benchmark's native side: the same decision the WebAssembly module makes for
//! `bench/decide.mjs` (decode once, then `decide` on a look-up given as JSON, the outcome
//! returned as JSON), run natively, so the two rates compare the same code.
//!
//! `cargo run --profile native --example native_decide -- [seconds]` prints one JSON line
//! per case.
#![allow(
    clippy::std_instead_of_core,
    clippy::std_instead_of_alloc,
    reason = "a native benchmark binary with std"
)]

use std::{
    hint::black_box,
    rc::Rc,
    time::{Duration, Instant},
};

use confirmation_flow::Timestamp;
use confirmation_flow_js::{
    error::Error,
    fresh::Fresh,
    pool::{KeyInput, PoolData, Settings},
    request,
    served::Served,
    state,
};

const T0: u64 = 1_767_225_600;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seconds: f64 = std::env::args()
        .nth(1)
        .map_or(Ok(2.0), |text| text.parse())?;
    let budget = Duration::from_secs_f64(seconds);
    let settings: Settings = serde_json::from_str(
        r#"{"region": "us-east-1", "userPoolId": "us-east-1_bench", "autoVerifiedAttributes": ["email"]}"#,
    )?;
    let key = KeyInput {
        id: 1,
        secret: [0x42; 32],
    };
    let pool = Rc::new(PoolData::new(&settings, key, &[])?);
    let issued = state::issue(
        &pool,
        "sub-of-alice",
        Timestamp::from_unix_seconds(T0),
        &[7; 32],
    )?;
    let wrong = if issued.code == "000000" {
        "111111"
    } else {
        "000000"
    };
    let secret = "the-client-secret";
    let hash = confirmation_flow::cognito::ClientSecret::new(secret).compute("alice", "bench");
    for (case, code, client_secret) in [
        ("ConfirmSignUp, wrong code", wrong, None),
        ("ConfirmSignUp, right code", issued.code.as_str(), None),
        ("ConfirmSignUp, wrong code, SecretHash", wrong, Some(secret)),
    ] {
        let mut body = serde_json::Map::new();
        body.insert("ClientId".into(), "bench".into());
        body.insert("Username".into(), "alice".into());
        body.insert("ConfirmationCode".into(), code.into());
        if client_secret.is_some() {
            body.insert("SecretHash".into(), hash.as_str().into());
        }
        let body = serde_json::Value::Object(body).to_string();
        let operation = request::decode(
            Rc::clone(&pool),
            "ConfirmSignUp",
            body.as_bytes(),
            Served::PUBLIC,
        )?;
        let lookup = serde_json::json!({
            "client": {"clientId": "bench", "secret": client_secret, "preventUserExistenceErrors": true},
            "user": {
                "username": "alice", "subject": "sub-of-alice", "status": "UNCONFIRMED",
                "confirmation": issued.state, "email": "alice@example.com",
                "attributes": {"sub": "sub-of-alice", "email": "alice@example.com"},
            },
            "phantom": null,
            "aliasOwners": {"email": null, "phoneNumber": null},
        })
        .to_string();
        // A ConfirmSignUp without a Session draws no randomness (`Request::draws`), in the
        // module too: the fresh values are only the clock.
        let fresh = Fresh {
            now: Timestamp::from_unix_seconds(T0 + 60),
            ..Fresh::default()
        };
        let decide = || -> Result<String, Error> { operation.decide(black_box(&lookup), &fresh) };
        let first = decide()?;
        assert_outcome(&first, code == issued.code)?;
        let (mut calls, started) = (0_u64, Instant::now());
        while started.elapsed() < budget {
            for _ in 0..256 {
                black_box(decide()?);
            }
            calls = calls.saturating_add(256);
        }
        let elapsed = started.elapsed().as_secs_f64();
        #[expect(
            clippy::cast_precision_loss,
            reason = "a count of calls, far below 2^52"
        )]
        let calls = calls as f64;
        println!(
            "{}",
            serde_json::json!({"case": case, "calls": calls, "perSecond": calls / elapsed})
        );
    }
    Ok(())
}

/// The outcome says what the case expects, so the loop measures the path it names.
fn assert_outcome(outcome: &str, right: bool) -> Result<(), Box<dyn std::error::Error>> {
    let outcome: serde_json::Value = serde_json::from_str(outcome)?;
    let text = |pointer: &str| outcome.pointer(pointer).and_then(serde_json::Value::as_str);
    if (right && text("/reply/kind") == Some("success"))
        || (!right && text("/reply/exception/name") == Some("CodeMismatchException"))
    {
        Ok(())
    } else {
        Err(format!("unexpected outcome: {outcome}").into())
    }
}
