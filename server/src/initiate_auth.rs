//! `InitiateAuth` and `AdminInitiateAuth`: the members checked as the service checks them,
//! then the flow. `USER_AUTH` with the `Session` a `ConfirmSignUp` handed out is the crate's
//! decision ([`SessionSignIn`]), run through the request loop like every other operation:
//! the session's grant is spent with compare-and-swap, so one session signs in once, on
//! any number of processes. `REFRESH_TOKEN_AUTH` (and `REFRESH_TOKEN`) is `refresh.rs`'s;
//! `USER_PASSWORD_AUTH` and `ADMIN_USER_PASSWORD_AUTH` are `password_sign_in.rs`'s. The other
//! flows are refused by name.

use std::collections::BTreeMap;

use confirmation_flow::cognito::{Exception, Operation, SessionSignIn};
use confirmation_flow_store::Param;
use serde::Deserialize;

use crate::{
    App,
    admin_request::{client_id, invalid, one_of, required},
    answer::{Answer, decode, internal},
    new_password,
    outbox::Delivery,
    password_sign_in::{self, Credentials},
    pools::Client,
    refresh, serve,
    srp_sign_in::{self, Start},
};

/// `AuthFlow`'s values, as the model lists them.
const AUTH_FLOWS: &[&str] = &[
    "USER_SRP_AUTH",
    "REFRESH_TOKEN_AUTH",
    "REFRESH_TOKEN",
    "CUSTOM_AUTH",
    "ADMIN_NO_SRP_AUTH",
    "USER_PASSWORD_AUTH",
    "ADMIN_USER_PASSWORD_AUTH",
    "USER_AUTH",
];

/// The members of both operations this server reads; the others (`ClientMetadata`,
/// `AnalyticsMetadata`, `UserContextData`, `ContextData`) are accepted and not acted on.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    auth_flow: Option<String>,
    auth_parameters: Option<BTreeMap<String, String>>,
    client_id: Option<String>,
    session: Option<String>,
    /// `AdminInitiateAuth` only.
    user_pool_id: Option<String>,
}

/// `InitiateAuth` (public) or `AdminInitiateAuth` (`admin`: SigV4-signed, names its pool).
pub(crate) async fn initiate_auth(
    app: &App,
    body: &[u8],
    admin: bool,
) -> (Answer, Option<Delivery>) {
    let operation = if admin {
        "AdminInitiateAuth"
    } else {
        "InitiateAuth"
    };
    match run(app, body, admin, operation).await {
        Ok(served) => served,
        Err(answer) => (answer, None),
    }
}

async fn run(
    app: &App,
    body: &[u8],
    admin: bool,
    operation: &str,
) -> Result<(Answer, Option<Delivery>), Answer> {
    let request: Request = decode(operation, body)?;
    let pool_id = if admin {
        Some(required(request.user_pool_id, "userPoolId")?)
    } else {
        None
    };
    let client_id = client_id(request.client_id)?;
    let flow = required(request.auth_flow, "authFlow")?;
    let flow = one_of(flow, "authFlow", AUTH_FLOWS)?;
    let parameters = request.auth_parameters.unwrap_or_default();
    let parameter = |name: &str| parameters.get(name).map(String::as_str);
    let client = app
        .directory
        .client(&app.store, &client_id)
        .await
        .map_err(internal)?
        .filter(|client| {
            pool_id
                .as_ref()
                .is_none_or(|pool_id| *pool_id == client.pool_id)
        })
        .ok_or(Exception::ClientNotFound {
            client_id: &client_id,
        })?;
    // A flow the client does not allow is refused before anything about its parameters.
    if !client.settings.allows_auth_flow(&flow) {
        return Err(Exception::FlowNotEnabled {
            flow: static_flow(&flow),
        }
        .into());
    }
    let password = || Credentials {
        username: parameter("USERNAME"),
        password: parameter("PASSWORD"),
        secret_hash: parameter("SECRET_HASH"),
    };
    let answer = match (flow.as_str(), admin) {
        ("USER_AUTH", _) => None,
        ("REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN", _) => {
            let (token, hash) = (parameter("REFRESH_TOKEN"), parameter("SECRET_HASH"));
            Some(refresh::refresh(app, &client, token, hash).await)
        }
        ("USER_SRP_AUTH", _) => {
            let start = Start {
                username: parameter("USERNAME"),
                srp_a: parameter("SRP_A"),
                secret_hash: parameter("SECRET_HASH"),
            };
            Some(srp_sign_in::start(app, &client, &start).await)
        }
        ("USER_PASSWORD_AUTH", false)
        | ("ADMIN_USER_PASSWORD_AUTH" | "ADMIN_NO_SRP_AUTH", true) => {
            match password_sign_in::sign_in(app, &client, &password()).await {
                Ok(user) => {
                    let (_, now) = app.clock.now();
                    Some(new_password::signed_in(app, &client, &user, now).await)
                }
                Err(refused) => Some(Err(refused)),
            }
        }
        // The service's answer to a flow of the other operation.
        ("USER_PASSWORD_AUTH", true)
        | ("ADMIN_USER_PASSWORD_AUTH" | "ADMIN_NO_SRP_AUTH", false) => {
            return Err(invalid("Initiate Auth method not supported."));
        }
        _ => {
            return Err(invalid(format!(
                "{flow} is not served by this server yet: sign in with USER_SRP_AUTH, \
                 USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, or USER_AUTH and the Session \
                 ConfirmSignUp answered with"
            )));
        }
    };
    if let Some(answer) = answer {
        return Ok((answer.unwrap_or_else(|answer| answer), None));
    }
    let username =
        parameter("USERNAME").ok_or_else(|| invalid("Missing required parameter USERNAME"))?;
    let Some(session) = request.session.as_deref() else {
        return Err(invalid(
            "USER_AUTH without a Session (choosing a challenge) is not served by this server \
             yet: pass the Session ConfirmSignUp answered with",
        ));
    };
    let sign_in = SessionSignIn {
        client_id: &client_id,
        secret_hash: parameter("SECRET_HASH"),
        username,
        session,
    };
    let sign_in = sign_in.validate().map_err(Answer::from)?;
    if signed_in_since_confirmation(app, &client, username, parameter("SECRET_HASH")).await? {
        return Err(Exception::InvalidSession.into());
    }
    // The pool's signing keys before the grant is spent: a sign-in that spends it then fails
    // to mint (the keys' first derivation, a deadline) would leave the user without tokens.
    app.signing_keys(&client.pool_id).await.map_err(internal)?;
    Ok(serve::serve(app, &Operation::from(sign_in)).await)
}

/// A refresh token of the user `$2` (a username, or a login in a pool with
/// `UsernameAttributes`) of the pool `$1` issued since the user's row last changed — since its
/// confirmation, while a confirmation's session can still be good. A `bigint` column, which
/// both backends' rows decode.
const SIGNED_IN_SINCE_CHANGE: &str = "SELECT r.created_at FROM refresh_tokens r \
     JOIN users u ON u.pool_id = r.pool_id AND u.username = r.username AND u.sub = r.sub \
     WHERE u.pool_id = $1 AND (u.username = $2 OR u.login = $2) \
       AND r.created_at >= u.updated_at LIMIT 1";

/// Whether the user `named` signed in (with a password) since it was confirmed: then the
/// confirmation's sign-in session is spent, since it is good for the first sign-in after
/// confirmation only. The client's secret hash is checked first, as the loop would, so a
/// wrong one is told as such.
async fn signed_in_since_confirmation(
    app: &App,
    client: &Client,
    named: &str,
    secret_hash: Option<&str>,
) -> Result<bool, Answer> {
    client
        .app_client()
        .authorize(&client.id, named, secret_hash)
        .map_err(Answer::from)?;
    let params = vec![Param::text(&client.pool_id), Param::text(named)];
    let rows = app.store.rows(SIGNED_IN_SINCE_CHANGE.into(), params).await;
    Ok(!rows.map_err(internal)?.is_empty())
}

/// `flow` as one of [`AUTH_FLOWS`] (it is one: checked before).
fn static_flow(flow: &str) -> &'static str {
    AUTH_FLOWS
        .iter()
        .find(|known| **known == flow)
        .copied()
        .unwrap_or("USER_AUTH")
}
