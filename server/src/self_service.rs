//! What a signed-in user asks with their access token: `GetUser`.

use confirmation_flow::cognito::Exception;
use serde::Deserialize;
use serde_json::json;

use crate::{
    App,
    access_token::{self, Refused},
    admin_request::required,
    answer::{Answer, Outcome, decode, internal},
    clock::now,
    exceptions::ServerException,
    users::user_json,
};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetUser {
    access_token: Option<String>,
}

/// `GetUser`: the user the access token names, with its attributes, while the token is
/// valid and the user it was issued to (the same `sub`) still exists.
pub(crate) async fn get_user(app: &App, body: &[u8]) -> Outcome {
    let request: GetUser = decode("GetUser", body)?;
    let token = required(request.access_token, "accessToken")?;
    let keys = app.signing_keys().await.map_err(internal)?;
    let (_, now) = now();
    let presented =
        access_token::verify(keys, &app.public_url, &token, now).map_err(|refused: Refused| {
            Answer::refuse(ServerException::NotAuthorized, refused.message())
        })?;
    let user = app
        .store
        .load(&presented.pool_id, &presented.username)
        .await
        .map_err(internal)?
        .filter(|user| user.sub == presented.sub)
        .ok_or(Exception::AdminUserNotFound)?;
    let attributes = user_json(&user)["Attributes"].take();
    Ok(Answer::Ok(
        json!({ "Username": user.username, "UserAttributes": attributes }).to_string(),
    ))
}
