//! Users seen from outside the loop: `AdminGetUser`.

use confirmation_flow::cognito::Exception;
use serde_json::{Value, json};

use crate::{
    App,
    api::{Answer, Outcome, decode, internal},
};

/// `AdminGetUser`: the user's status and attributes, `sub` and `*_verified` included.
pub(crate) async fn admin_get_user(app: &App, body: &[u8]) -> Outcome {
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
        .await
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
    let answer = json!({
        "Username": user.username,
        "UserAttributes": attributes,
        "UserCreateDate": user.created_at,
        "UserLastModifiedDate": user.updated_at,
        "Enabled": true,
        "UserStatus": user.status.as_str(),
    });
    Ok(Answer::Ok(answer.to_string()))
}
