//! Users seen from outside the loop: `AdminGetUser`, `ListUsers` (with the service's
//! `Filter` syntax), `AdminDeleteUser` and `AdminUserGlobalSignOut`.

use confirmation_flow::cognito::Exception;
use confirmation_flow_store::UserRow;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::{
    App,
    admin_request::{
        first_page, invalid, page_size, page_start, page_token, required, stored_pool,
        username_shaped,
    },
    answer::{Answer, Outcome, decode, internal},
    refresh_tokens,
    user_directory::{self, Column, UserFilter},
};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UserRequest {
    user_pool_id: Option<String>,
    username: Option<String>,
}

/// The username a request names in `pool_id`: in a pool with `UsernameAttributes` it may
/// be the user's email or phone number.
pub(crate) async fn username(app: &App, pool_id: &str, named: &str) -> Result<String, Answer> {
    username_shaped(named)?;
    let stored = user_directory::username_of(&app.store, pool_id, named)
        .await
        .map_err(internal)?;
    Ok(stored.unwrap_or_else(|| named.to_owned()))
}

/// The pool a request names, which must exist, and the username of the user it names there.
async fn named_user(app: &App, request: UserRequest) -> Result<(String, String), Answer> {
    let pool_id = required(request.user_pool_id, "userPoolId")?;
    let named = required(request.username, "username")?;
    stored_pool(app, &pool_id).await?;
    let username = username(app, &pool_id, &named).await?;
    Ok((pool_id, username))
}

/// `AdminGetUser`: the user's status and attributes, `sub` and `*_verified` included.
pub(crate) async fn admin_get_user(app: &App, body: &[u8]) -> Outcome {
    let request: UserRequest = decode("AdminGetUser", body)?;
    let (pool_id, username) = named_user(app, request).await?;
    let user = app
        .store
        .load(&pool_id, &username)
        .await
        .map_err(internal)?
        .ok_or(Exception::AdminUserNotFound)?;
    let mut answer = user_json(&user);
    answer["UserAttributes"] = answer["Attributes"].take();
    if let Value::Object(members) = &mut answer {
        members.remove("Attributes");
    }
    Ok(Answer::Ok(answer.to_string()))
}

/// `AdminDeleteUser`.
pub(crate) async fn admin_delete_user(app: &App, body: &[u8]) -> Outcome {
    let request: UserRequest = decode("AdminDeleteUser", body)?;
    let (pool_id, username) = named_user(app, request).await?;
    if !user_directory::delete_user(&app.store, &pool_id, &username)
        .await
        .map_err(internal)?
    {
        return Err(Exception::AdminUserNotFound.into());
    }
    Ok(Answer::Ok("{}".into()))
}

/// `AdminUserGlobalSignOut`: every refresh token of the user revoked, and with them the
/// access tokens of their sessions.
pub(crate) async fn admin_user_global_sign_out(app: &App, body: &[u8]) -> Outcome {
    let request: UserRequest = decode("AdminUserGlobalSignOut", body)?;
    let (pool_id, username) = named_user(app, request).await?;
    let user = app
        .store
        .load(&pool_id, &username)
        .await
        .map_err(internal)?;
    if user.is_none() {
        return Err(Exception::AdminUserNotFound.into());
    }
    let (_, now) = app.clock.now();
    refresh_tokens::revoke_user(&app.store, &pool_id, &username, now)
        .await
        .map_err(internal)?;
    Ok(Answer::Ok("{}".into()))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListUsers {
    user_pool_id: Option<String>,
    attributes_to_get: Option<Vec<String>>,
    limit: Option<i64>,
    pagination_token: Option<String>,
    filter: Option<String>,
}

/// What a `Filter` selects.
#[derive(Debug, PartialEq, Eq)]
enum Selection {
    All,
    Nobody,
    Matching(UserFilter),
}

/// `ListUsers`.
pub(crate) async fn list_users(app: &App, body: &[u8]) -> Outcome {
    let request: ListUsers = decode("ListUsers", body)?;
    let pool_id = required(request.user_pool_id, "userPoolId")?;
    // The service reads a `Limit` of 0 as "the default".
    let limit = page_size(request.limit.filter(|&limit| limit != 0), "limit", 60)?;
    let after = page_start(request.pagination_token.as_deref())?;
    let selection = parse_filter(request.filter.as_deref().unwrap_or(""))?;
    stored_pool(app, &pool_id).await?;
    let filter = match &selection {
        Selection::Nobody => return Ok(Answer::Ok(json!({ "Users": [] }).to_string())),
        Selection::All => None,
        Selection::Matching(filter) => Some(filter),
    };
    let (_turn, within) = crate::throttle::scan_turn(app).await?;
    let users = user_directory::users(&app.store, &pool_id, filter, &after, limit + 1, within)
        .await
        .map_err(internal)?;
    let (users, more) = first_page(users, limit);
    let wanted = request.attributes_to_get;
    let listed: Vec<_> = users
        .iter()
        .map(|user| {
            let mut listed = user_json(user);
            if let (Some(wanted), Value::Array(attributes)) = (&wanted, &mut listed["Attributes"]) {
                attributes.retain(|attribute| {
                    attribute["Name"]
                        .as_str()
                        .is_some_and(|name| wanted.iter().any(|wanted| wanted == name))
                });
            }
            listed
        })
        .collect();
    let mut answer = json!({ "Users": listed });
    if let Some(token) = page_token(more, users.last().map(|user| user.username.as_str())) {
        answer["PaginationToken"] = json!(token);
    }
    Ok(Answer::Ok(answer.to_string()))
}

/// A user's email and phone number, each followed by its `*_verified` (`"true"` or
/// `"false"`), as the service lists them: for those the user has.
pub(crate) fn contacts(
    email: (Option<&str>, bool),
    phone_number: (Option<&str>, bool),
) -> Vec<(String, String)> {
    [("email", email), ("phone_number", phone_number)]
        .into_iter()
        .filter_map(|(name, (value, verified))| {
            let value = value?;
            Some([
                (name.to_owned(), value.to_owned()),
                (format!("{name}_verified"), verified.to_string()),
            ])
        })
        .flatten()
        .collect()
}

/// The service's `UserType` for `user`.
pub(crate) fn user_json(user: &UserRow) -> Value {
    let mut attributes = vec![json!({"Name": "sub", "Value": user.sub})];
    let held = contacts(
        (user.email.as_deref(), user.email_verified),
        (user.phone_number.as_deref(), user.phone_number_verified),
    );
    for (name, value) in held {
        attributes.push(json!({"Name": name, "Value": value}));
    }
    json!({
        "Username": user.username,
        "Attributes": attributes,
        "UserCreateDate": user.created_at,
        "UserLastModifiedDate": user.updated_at,
        "Enabled": true,
        "UserStatus": user.status.as_str(),
    })
}

/// Reads `name = "value"` or `name ^= "value"` (a backslash escapes a quote or itself);
/// empty selects everybody.
fn parse_filter(filter: &str) -> Result<Selection, Answer> {
    let filter = filter.trim();
    if filter.is_empty() {
        return Ok(Selection::All);
    }
    let unparsable = || invalid("Error while parsing filter.");
    let name_end = filter
        .find(|c: char| c.is_whitespace() || c == '=' || c == '^')
        .ok_or_else(unparsable)?;
    let (name, rest) = filter.split_at(name_end);
    let rest = rest.trim_start();
    let (prefix, rest) = if let Some(rest) = rest.strip_prefix("^=") {
        (true, rest)
    } else if let Some(rest) = rest.strip_prefix('=') {
        (false, rest)
    } else {
        return Err(unparsable());
    };
    let quoted = rest
        .trim()
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
        .ok_or_else(unparsable)?;
    let mut value = String::with_capacity(quoted.len());
    let mut characters = quoted.chars();
    while let Some(c) = characters.next() {
        match c {
            '\\' => value.push(characters.next().ok_or_else(unparsable)?),
            // A NUL is no value any user holds (PostgreSQL cannot even compare one).
            '"' | '\0' => return Err(unparsable()),
            c => value.push(c),
        }
    }
    let column = match name {
        "username" => Column::Username,
        "sub" => Column::Sub,
        "email" => Column::Email,
        "phone_number" => Column::PhoneNumber,
        // Case-insensitive, as the service reads it.
        "cognito:user_status" => {
            value = value.to_uppercase();
            Column::Status
        }
        // `Enabled` or `Disabled`; every user here is enabled.
        "status" => {
            let enabled = if prefix {
                "Enabled".starts_with(value.as_str())
            } else {
                value == "Enabled"
            };
            return Ok(if enabled {
                Selection::All
            } else {
                Selection::Nobody
            });
        }
        other => return Err(invalid(format!("Invalid search attribute: {other}"))),
    };
    Ok(Selection::Matching(if prefix {
        UserFilter::StartsWith(column, value)
    } else {
        UserFilter::Equals(column, value)
    }))
}

#[cfg(test)]
mod tests {
    use super::{Column, Selection, UserFilter, parse_filter};

    #[test]
    fn filters_read_as_the_service_documents_them() {
        let matching = |filter| Selection::Matching(filter);
        for (text, selection) in [
            ("", Selection::All),
            (
                "email = \"a@example.com\"",
                matching(UserFilter::Equals(Column::Email, "a@example.com".into())),
            ),
            (
                "username ^= \"al\"",
                matching(UserFilter::StartsWith(Column::Username, "al".into())),
            ),
            (
                "cognito:user_status=\"unconfirmed\"",
                matching(UserFilter::Equals(Column::Status, "UNCONFIRMED".into())),
            ),
            (
                "phone_number = \"+1\\\"5\"",
                matching(UserFilter::Equals(Column::PhoneNumber, "+1\"5".into())),
            ),
            ("status = \"Enabled\"", Selection::All),
            ("status = \"Disabled\"", Selection::Nobody),
        ] {
            assert_eq!(parse_filter(text).ok(), Some(selection), "{text}");
        }
        for bad in [
            "email",
            "email = a",
            "email == \"a\"",
            "email = \"a\" x",
            "email = \"a\"b\"",
            "given_name = \"a\"",
            "email = \"a\\\"",
            "email = \"a\0b\"",
        ] {
            assert!(parse_filter(bad).is_err(), "{bad}");
        }
    }
}
