//! The AWS JSON 1.1 endpoint: `POST /` with the operation in `X-Amz-Target`.

use std::{io::Write, sync::Arc, time::SystemTime};

use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use confirmation_flow::{
    Confirmation, ENTROPY_LEN, Timestamp,
    cognito::{
        AdminConfirmSignUpBody, AliasAttribute, ConfirmLookup, ConfirmSignUpBody, Destination,
        Exception, ResendConfirmationCodeBody, UserRecord, UserStatus, admin_confirm_sign_up,
        confirm_sign_up, resend_confirmation_code,
    },
};
use serde_json::{Value, json};

use crate::{
    App,
    store::{Commit, UserRow},
};

const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService.";
/// How often a request re-reads and re-runs after losing a compare-and-swap race.
const RETRIES: usize = 64;

/// What the endpoint answers.
pub enum Answer {
    Ok(Value),
    /// `__type`, message, status.
    Error(String, String, StatusCode),
}

impl From<Exception<'_>> for Answer {
    fn from(exception: Exception<'_>) -> Self {
        let status =
            StatusCode::from_u16(exception.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
        Self::Error(exception.name().to_owned(), exception.to_string(), status)
    }
}

fn internal(error: impl std::fmt::Display) -> Answer {
    eprintln!("internal error: {error}");
    Exception::InternalError.into()
}

pub async fn endpoint(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    let target = headers
        .get("x-amz-target")
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    let operation = target
        .strip_prefix(TARGET_PREFIX)
        .unwrap_or(target)
        .to_owned();
    let app = Arc::clone(&app);
    // SQLite calls block: run each request on the blocking pool.
    let answer = tokio::task::spawn_blocking(move || dispatch(&app, &operation, &body))
        .await
        .unwrap_or_else(internal);
    respond(answer)
}

fn dispatch(app: &App, operation: &str, body: &[u8]) -> Answer {
    let body_json = |body: &[u8]| serde_json::from_slice::<Value>(body);
    if body_json(body).is_err() {
        return Answer::Error(
            "SerializationException".into(),
            "Request body is not valid JSON".into(),
            StatusCode::BAD_REQUEST,
        );
    }
    let result = match operation {
        "SignUp" => sign_up(app, body),
        "ConfirmSignUp" => confirm(app, body),
        "AdminConfirmSignUp" => admin_confirm(app, body),
        "ResendConfirmationCode" => resend(app, body),
        "AdminGetUser" => admin_get_user(app, body),
        _ => {
            return Answer::Error(
                "UnknownOperationException".into(),
                format!("Unknown operation {operation}"),
                StatusCode::BAD_REQUEST,
            );
        }
    };
    result.unwrap_or_else(|answer| answer)
}

fn respond(answer: Answer) -> Response {
    let request_id = crate::uuid();
    let (status, body, error_type) = match answer {
        Answer::Ok(value) => (StatusCode::OK, value, None),
        Answer::Error(name, message, status) => (
            status,
            json!({ "__type": name, "message": message }),
            Some(format!("{name}:")),
        ),
    };
    let mut response = (status, body.to_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-amz-json-1.1"),
    );
    if let Ok(id) = HeaderValue::from_str(&request_id) {
        headers.insert("x-amzn-requestid", id);
    }
    if let Some(error_type) = error_type.and_then(|value| HeaderValue::from_str(&value).ok()) {
        headers.insert("x-amzn-errortype", error_type);
    }
    response
}

type Outcome = Result<Answer, Answer>;

fn decode<T: for<'de> serde::Deserialize<'de>>(body: &[u8]) -> Result<T, Answer> {
    serde_json::from_slice(body).map_err(|error| {
        Answer::Error(
            "SerializationException".into(),
            error.to_string(),
            StatusCode::BAD_REQUEST,
        )
    })
}

fn now() -> (Timestamp, i64) {
    let seconds = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    (
        Timestamp::from_unix_seconds(seconds),
        i64::try_from(seconds).unwrap_or(i64::MAX),
    )
}

/// The attribute a code goes to and that confirming verifies: the email if there is one.
fn destination(user: &UserRow) -> Option<Destination<'_>> {
    match (&user.email, &user.phone_number) {
        (Some(email), _) => Some(Destination {
            attribute: AliasAttribute::Email,
            value: email,
        }),
        (None, Some(phone)) => Some(Destination {
            attribute: AliasAttribute::PhoneNumber,
            value: phone,
        }),
        (None, None) => None,
    }
}

fn status_of(user: &UserRow) -> UserStatus {
    if user.status == "CONFIRMED" {
        UserStatus::Confirmed
    } else {
        UserStatus::Unconfirmed
    }
}

fn record(user: &UserRow) -> UserRecord<'_> {
    UserRecord {
        username: &user.username,
        subject: user.sub.as_bytes(),
        status: status_of(user),
        confirmation: user.state,
        destination: destination(user),
        attributes: &[],
    }
}

fn deliver(app: &App, user: &UserRow, code: &str) -> Result<(), Answer> {
    let Some(destination) = destination(user) else {
        return Ok(());
    };
    let line = json!({
        "username": user.username,
        "attribute": destination.attribute.as_str(),
        "destination": destination.value,
        "code": code,
    });
    let _guard = app
        .outbox_lock
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&app.outbox)
        .map_err(internal)?;
    writeln!(file, "{line}").map_err(internal)
}

fn sign_up(app: &App, body: &[u8]) -> Outcome {
    let request: Value = decode(body)?;
    let field = |name: &str| request.get(name).and_then(Value::as_str);
    let (Some(client_id), Some(username)) = (field("ClientId"), field("Username")) else {
        return Err(Answer::Error(
            "InvalidParameterException".into(),
            "ClientId and Username are required".into(),
            StatusCode::BAD_REQUEST,
        ));
    };
    let client = app
        .client(client_id)
        .ok_or(Exception::ClientNotFound { client_id })?;
    if let Some(secret) = &client.1 {
        match field("SecretHash") {
            None => return Err(Exception::SecretHashMissing { client_id }.into()),
            Some(hash) if !secret.verify(username, client_id, hash) => {
                return Err(Exception::SecretHashWrong { client_id }.into());
            }
            Some(_) => {}
        }
    }
    let attribute = |name: &str| {
        request
            .get("UserAttributes")?
            .as_array()?
            .iter()
            .find(|a| a.get("Name").and_then(Value::as_str) == Some(name))?
            .get("Value")?
            .as_str()
            .map(str::to_owned)
    };
    let (now, seconds) = now();
    let sub = crate::uuid();
    let (state, code) = Confirmation::issue(
        &app.policy,
        &app.key,
        sub.as_bytes(),
        now,
        &crate::random_bytes::<ENTROPY_LEN>(),
    )
    .map_err(internal)?;
    let user = UserRow {
        username: username.to_owned(),
        sub: sub.clone(),
        status: "UNCONFIRMED".to_owned(),
        email: attribute("email"),
        email_verified: false,
        phone_number: attribute("phone_number"),
        phone_number_verified: false,
        state,
        created_at: seconds,
        updated_at: seconds,
    };
    // The password is not stored: this example never signs users in.
    if !app.store.insert(&user).map_err(internal)? {
        return Err(Answer::Error(
            "UsernameExistsException".into(),
            "User already exists".into(),
            StatusCode::BAD_REQUEST,
        ));
    }
    deliver(app, &user, code.as_str())?;
    Ok(Answer::Ok(
        json!({ "UserConfirmed": false, "UserSub": sub }),
    ))
}

fn confirm(app: &App, body: &[u8]) -> Outcome {
    let body: ConfirmSignUpBody = decode(body)?;
    let request = body.request()?;
    for _ in 0..RETRIES {
        let (now, seconds) = now();
        let user = app.store.load(request.username).map_err(internal)?;
        let alias_owner = match user.as_ref().and_then(destination) {
            Some(d) if app.is_alias(d.attribute) => app
                .store
                .alias_owner(d.attribute.as_str(), d.value, request.username)
                .map_err(internal)?,
            _ => None,
        };
        let lookup = ConfirmLookup {
            client: app.app_client(request.client_id),
            user: user.as_ref().map(record),
            alias_owner: alias_owner.as_deref(),
        };
        let nonce = crate::random_bytes::<16>();
        let (commit, answer) = match confirm_sign_up(&app.pool(), &request, &lookup, now, &nonce) {
            Ok(done) => {
                let answer = Answer::Ok(serde_json::to_value(done.response()).map_err(internal)?);
                let commit = done.verified.map(|attribute| attribute.as_str());
                (
                    Some((done.state, Some("CONFIRMED"), commit, done.alias_taken_from)),
                    answer,
                )
            }
            Err(rejection) => (
                rejection.state.map(|state| (state, None, None, None)),
                rejection.exception.into(),
            ),
        };
        let (Some((state, status, verify, unverify)), Some(user)) = (commit, &user) else {
            return Ok(answer);
        };
        let commit = Commit {
            username: &user.username,
            expected_version: user.state.version(),
            state,
            status,
            verify,
            unverify,
            now: seconds,
        };
        if app.store.commit(&commit).map_err(internal)? {
            return Ok(answer);
        }
    }
    Err(internal("too many compare-and-swap conflicts"))
}

fn admin_confirm(app: &App, body: &[u8]) -> Outcome {
    let body: AdminConfirmSignUpBody = decode(body)?;
    let request = body.request()?;
    for _ in 0..RETRIES {
        let (now, seconds) = now();
        let user = app.store.load(request.username).map_err(internal)?;
        let done = admin_confirm_sign_up(
            &app.pool(),
            &request,
            user.as_ref().map(record).as_ref(),
            now,
        )
        .map_err(|r| Answer::from(r.exception))?;
        let Some(user) = &user else {
            return Err(internal("confirmed a missing user"));
        };
        let commit = Commit {
            username: &user.username,
            expected_version: user.state.version(),
            state: done.state,
            status: Some("CONFIRMED"),
            verify: None,
            unverify: None,
            now: seconds,
        };
        if app.store.commit(&commit).map_err(internal)? {
            return Ok(Answer::Ok(
                serde_json::to_value(done.response()).map_err(internal)?,
            ));
        }
    }
    Err(internal("too many compare-and-swap conflicts"))
}

fn resend(app: &App, body: &[u8]) -> Outcome {
    let body: ResendConfirmationCodeBody = decode(body)?;
    let request = body.request()?;
    for _ in 0..RETRIES {
        let (now, seconds) = now();
        let user = app.store.load(request.username).map_err(internal)?;
        let client = app.app_client(request.client_id);
        let entropy = crate::random_bytes::<ENTROPY_LEN>();
        let sent = resend_confirmation_code(
            &app.pool(),
            &request,
            client.as_ref(),
            user.as_ref().map(record).as_ref(),
            now,
            &entropy,
        )
        .map_err(|r| Answer::from(r.exception))?;
        let answer = Answer::Ok(serde_json::to_value(sent.response()).map_err(internal)?);
        let (Some(state), Some(code), Some(user)) = (sent.state, &sent.code, &user) else {
            return Ok(answer);
        };
        let commit = Commit {
            username: &user.username,
            expected_version: user.state.version(),
            state,
            status: None,
            verify: None,
            unverify: None,
            now: seconds,
        };
        if app.store.commit(&commit).map_err(internal)? {
            deliver(app, user, code.as_str())?;
            return Ok(answer);
        }
    }
    Err(internal("too many compare-and-swap conflicts"))
}

fn admin_get_user(app: &App, body: &[u8]) -> Outcome {
    let request: Value = decode(body)?;
    let field = |name: &str| request.get(name).and_then(Value::as_str).unwrap_or("");
    let pool_id = field("UserPoolId");
    if pool_id != app.config.user_pool_id {
        return Err(Exception::UserPoolNotFound {
            user_pool_id: pool_id,
        }
        .into());
    }
    let user = app
        .store
        .load(field("Username"))
        .map_err(internal)?
        .ok_or(Exception::AdminUserNotFound)?;
    let mut attributes = vec![json!({"Name": "sub", "Value": user.sub})];
    for (name, value, verified) in [
        ("email", &user.email, user.email_verified),
        (
            "phone_number",
            &user.phone_number,
            user.phone_number_verified,
        ),
    ] {
        if let Some(value) = value {
            attributes.push(json!({"Name": name, "Value": value}));
            attributes
                .push(json!({"Name": format!("{name}_verified"), "Value": verified.to_string()}));
        }
    }
    Ok(Answer::Ok(json!({
        "Username": user.username,
        "UserAttributes": attributes,
        "UserCreateDate": user.created_at,
        "UserLastModifiedDate": user.updated_at,
        "Enabled": true,
        "UserStatus": user.status,
    })))
}
