//! `Debug` of what holds a secret shows that it is there, never what it is.

use confirmation_flow_server::{
    client_settings::{ClientSettings, FlowsAndLifetimes},
    config_client::ClientConfig,
    outbox::Delivery,
};
use confirmation_flow_store::NewUser;

#[test]
fn secrets_never_print_and_their_presence_does() {
    let secret = "s3cr3t-VALUE";
    let shown = [
        format!(
            "{:?}",
            Delivery {
                pool_id: "us-east-1_TEST".into(),
                username: "alice".into(),
                attribute: confirmation_flow::cognito::AliasAttribute::Email,
                destination: "alice@example.com".into(),
                code: secret.into(),
                kind: confirmation_flow_server::outbox::DeliveryKind::TemporaryPassword,
            }
        ),
        format!(
            "{:?}",
            NewUser {
                email: Some("alice@example.com".into()),
                password_hash: Some(secret.into()),
                srp_verifier: Some(secret.into()),
                ..NewUser::default()
            }
        ),
        format!(
            "{:?}",
            ClientSettings::new(
                Some(secret.into()),
                "ENABLED".into(),
                FlowsAndLifetimes::default()
            )
            .unwrap()
        ),
        format!(
            "{:?}",
            ClientConfig {
                client_id: "client".into(),
                client_secret: Some(secret.into()),
                explicit_auth_flows: Vec::new(),
                auth_session_validity: None,
            }
        ),
    ];
    for text in &shown {
        assert!(!text.contains(secret), "{text}");
        assert!(text.contains("<redacted>"), "{text}");
    }
    assert!(
        shown[0].contains("alice@example.com"),
        "the rest still shows"
    );
    let none = ClientConfig {
        client_id: "client".into(),
        client_secret: None,
        explicit_auth_flows: Vec::new(),
        auth_session_validity: None,
    };
    assert!(format!("{none:?}").contains("client_secret: None"));
}
