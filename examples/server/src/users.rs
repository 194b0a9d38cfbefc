//! Users: `SignUp`, `AdminGetUser`, and how a stored user looks to the crate.

use std::io::Write;

use confirmation_flow::{
    Confirmation, ENTROPY_LEN,
    cognito::{AliasAttribute, Destination, Exception, UserRecord, UserStatus},
};
use serde_json::{Value, json};

use crate::{
    App,
    api::{Answer, Outcome, decode, internal, now},
    store::UserRow,
};
use axum::http::StatusCode;

/// The attribute a code goes to and that confirming verifies: the email if there is one.
pub(crate) fn destination(user: &UserRow) -> Option<Destination<'_>> {
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

pub(crate) fn record(user: &UserRow) -> UserRecord<'_> {
    UserRecord {
        username: &user.username,
        subject: user.sub.as_bytes(),
        status: status_of(user),
        confirmation: user.state,
        destination: destination(user),
        attributes: &[],
    }
}

pub(crate) fn deliver(app: &App, user: &UserRow, code: &str) -> Result<(), Answer> {
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

pub(crate) fn sign_up(app: &App, body: &[u8]) -> Outcome {
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

pub(crate) fn admin_get_user(app: &App, body: &[u8]) -> Outcome {
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
