//! The `.well-known` routes of a running server: the JWKS of its ring, as any process that
//! shares the ring derives it, and the discovery document naming the issuer.

use std::io::Write as _;

use base64::{Engine, engine::general_purpose::STANDARD};
use serde_json::{Value, json};

use crate::{
    signing::{bytes, ring},
    support::{self, Process},
};

/// GETs `path` from `server`: the status and JSON body.
fn get(server: &Process, path: &str) -> (u16, Value) {
    let mut stream = server.connect();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: test\r\n\r\n").unwrap();
    support::read_answer(&mut stream).unwrap()
}

/// A server's configuration in `dir`, with `extra` over it.
fn config(dir: &std::path::Path, extra: &Value) -> Value {
    let mut config = json!({
        "listen": "127.0.0.1:0",
        "user_pool_id": "us-east-1_TOKENS",
        "clients": [{"client_id": "publicclient", "client_secret": null}],
        "database": dir.join("users.sqlite3"),
        "outbox": dir.join("outbox.jsonl"),
    });
    for (name, value) in extra.as_object().unwrap() {
        config[name] = value.clone();
    }
    config
}

#[test]
fn a_server_publishes_its_rings_keys_and_its_discovery_document() {
    let dir = Process::directory("tokens-test");
    let key_file = dir.join("keys.json");
    let keys = json!({"1": STANDARD.encode(bytes(0)), "2": STANDARD.encode(bytes(5))});
    std::fs::write(&key_file, json!({"current": 2, "keys": keys}).to_string()).unwrap();
    let private = std::os::unix::fs::PermissionsExt::from_mode(0o600);
    std::fs::set_permissions(&key_file, private).unwrap();
    let config = config(&dir, &json!({"keys": key_file}));
    let server = Process::start(dir, &config, "info", &[]).unwrap();
    // Derived in the server's process as here: any process sharing the ring serves these.
    let (status, jwks) = get(&server, "/us-east-1_TOKENS/.well-known/jwks.json");
    assert_eq!((status, jwks), (200, ring((2, 5), &[(1, 0)]).jwks()));
    let issuer = format!("http://{}/us-east-1_TOKENS", server.address);
    let discovery = json!({
        "issuer": issuer,
        "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
        "id_token_signing_alg_values_supported": ["RS256"],
        "subject_types_supported": ["public"],
        "response_types_supported": [],
    });
    let path = "/us-east-1_TOKENS/.well-known/openid-configuration";
    assert_eq!(get(&server, path), (200, discovery));
    let missing = json!({"__type": "ResourceNotFoundException",
                         "message": "User pool us-east-1_NOPE does not exist."});
    for document in ["jwks.json", "openid-configuration"] {
        let path = format!("/us-east-1_NOPE/.well-known/{document}");
        assert_eq!(get(&server, &path), (404, missing.clone()));
    }
    assert_eq!(get(&server, "/not%20a%20pool/.well-known/jwks.json").0, 404);
}

#[test]
fn public_url_names_the_issuer_and_must_be_a_url() {
    let dir = Process::directory("tokens-url-test");
    let url = json!({"public_url": "https://auth.example.com/cognito/"});
    let server = Process::start(dir.clone(), &config(&dir, &url), "info", &[]).unwrap();
    let (status, document) = get(
        &server,
        "/us-east-1_TOKENS/.well-known/openid-configuration",
    );
    assert_eq!(status, 200);
    let issuer = "https://auth.example.com/cognito/us-east-1_TOKENS";
    assert_eq!(document["issuer"], issuer);
    assert_eq!(
        document["jwks_uri"],
        format!("{issuer}/.well-known/jwks.json")
    );
    for bad in ["auth.example.com", "https://auth.example.com/?pool=1"] {
        let dir = Process::directory("tokens-url-test");
        let config = config(&dir, &json!({"public_url": bad}));
        let refused = Process::start(dir, &config, "info", &[]).err().unwrap();
        assert!(refused.contains("public_url"), "{refused}");
    }
}
