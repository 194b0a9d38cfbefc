//! `RespondToAuthChallenge` and `AdminRespondToAuthChallenge`: the members checked as the
//! service checks them, then the challenge. `PASSWORD_VERIFIER` (the second step of
//! `USER_SRP_AUTH`) is `srp_sign_in.rs`'s, `NEW_PASSWORD_REQUIRED` `new_password.rs`'s; the
//! other challenges are refused by name.

use std::collections::BTreeMap;

use confirmation_flow::cognito::Exception;
use serde::Deserialize;

use crate::{
    App,
    admin_request::{client_id, invalid, known_client, known_pool, one_of, required},
    answer::{Outcome, decode, internal},
    new_password::{self, Response},
    srp_sign_in::{self, Claim},
};

/// `ChallengeName`'s values, as the model lists them.
const CHALLENGES: &[&str] = &[
    "SMS_MFA",
    "EMAIL_OTP",
    "SOFTWARE_TOKEN_MFA",
    "SELECT_MFA_TYPE",
    "MFA_SETUP",
    "PASSWORD_VERIFIER",
    "CUSTOM_CHALLENGE",
    "SELECT_CHALLENGE",
    "DEVICE_SRP_AUTH",
    "DEVICE_PASSWORD_VERIFIER",
    "ADMIN_NO_SRP_AUTH",
    "NEW_PASSWORD_REQUIRED",
    "SMS_OTP",
    "PASSWORD",
    "WEB_AUTHN",
    "PASSWORD_SRP",
];

/// The members this server reads; the others (`Session` for `PASSWORD_VERIFIER`,
/// `ClientMetadata`, `AnalyticsMetadata`, `UserContextData`, `ContextData`) are accepted and
/// not acted on.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    user_pool_id: Option<String>,
    client_id: Option<String>,
    challenge_name: Option<String>,
    challenge_responses: Option<BTreeMap<String, String>>,
    session: Option<String>,
}

/// `RespondToAuthChallenge` (public).
pub(crate) async fn respond(app: &App, body: &[u8]) -> Outcome {
    let request: Request = decode("RespondToAuthChallenge", body)?;
    answer(app, request, None).await
}

/// `AdminRespondToAuthChallenge` (admin): the same, through a client of the pool named.
pub(crate) async fn admin_respond(app: &App, body: &[u8]) -> Outcome {
    let mut request: Request = decode("AdminRespondToAuthChallenge", body)?;
    let pool_id = required(request.user_pool_id.take(), "userPoolId")?;
    crate::admin_request::stored_pool(app, &pool_id).await?;
    answer(app, request, Some(pool_id)).await
}

async fn answer(app: &App, request: Request, pool_id: Option<String>) -> Outcome {
    let client_id = client_id(request.client_id)?;
    let name = required(request.challenge_name, "challengeName")?;
    let name = one_of(name, "challengeName", CHALLENGES)?;
    let responses = request.challenge_responses.unwrap_or_default();
    let response = |name: &str| responses.get(name).map(String::as_str);
    let client = known_client(app, &client_id).await?;
    if pool_id.is_some_and(|pool_id| pool_id != client.pool_id) {
        return Err(Exception::ClientNotFound {
            client_id: &client_id,
        }
        .into());
    }
    if name == "NEW_PASSWORD_REQUIRED" {
        let pool = known_pool(app, &client.pool_id).await?;
        let pool = pool.ok_or_else(|| internal("a client without its pool"))?;
        let sent = Response {
            session: request.session.as_deref(),
            username: response("USERNAME"),
            new_password: response("NEW_PASSWORD"),
            secret_hash: response("SECRET_HASH"),
            attributes: responses
                .keys()
                .any(|key| key.starts_with("userAttributes.")),
        };
        return new_password::answer(app, &client, &pool, &sent).await;
    }
    // The flow may have been taken away since the challenge was handed out.
    if name == "PASSWORD_VERIFIER" && !client.settings.allows_auth_flow("USER_SRP_AUTH") {
        return Err(Exception::FlowNotEnabled {
            flow: "USER_SRP_AUTH",
        }
        .into());
    }
    if name != "PASSWORD_VERIFIER" {
        return Err(invalid(format!(
            "{name} is not served by this server yet: PASSWORD_VERIFIER (USER_SRP_AUTH) and NEW_PASSWORD_REQUIRED are"
        )));
    }
    let claim = Claim {
        username: response("USERNAME"),
        secret_block: response("PASSWORD_CLAIM_SECRET_BLOCK"),
        signature: response("PASSWORD_CLAIM_SIGNATURE"),
        timestamp: response("TIMESTAMP"),
        secret_hash: response("SECRET_HASH"),
    };
    let user = srp_sign_in::answer(app, &client, &claim).await?;
    let (_, now) = app.clock.now();
    new_password::signed_in(app, &client, &user, now).await
}
