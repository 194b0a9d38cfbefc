//! Users seen from outside the loop: `AdminGetUser`, and the outbox codes are delivered to.

use std::io::Write;

use confirmation_flow::cognito::Exception;
use serde_json::{Value, json};

use crate::{
    App,
    api::{Answer, Outcome, decode, internal},
    serve::Delivery,
};

/// Appends the code to the outbox as one JSON line, in one write under the lock.
pub(crate) fn deliver(app: &App, delivery: &Delivery) {
    let mut line = json!({
        "username": delivery.username,
        "attribute": delivery.attribute,
        "destination": delivery.destination,
        "code": delivery.code,
    })
    .to_string();
    line.push('\n');
    let _guard = app
        .outbox_lock
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&app.outbox)
        .and_then(|mut file| file.write_all(line.as_bytes()));
    if let Err(error) = written {
        eprintln!(
            "could not deliver a code to {}: {error}",
            app.outbox.display()
        );
    }
}

pub(crate) fn admin_get_user(app: &App, body: &[u8]) -> Outcome {
    let request: Value = decode("AdminGetUser", body)?;
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
        "UserStatus": user.status.as_str(),
    })))
}
