//! What every admin handler checks in its request, as the service checks it: members that
//! must be there, the model's shapes (`UserPoolId`, names), and pages of a list.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use confirmation_flow::cognito::Exception;
use serde::Deserialize;

use std::sync::Arc;

use crate::{
    App,
    answer::{Answer, internal},
    directory::{self, PoolRecord},
    exceptions::ServerException,
    pools::Pool,
};

/// The most items a list answers with.
pub(crate) const MAX_RESULTS: i64 = 60;

/// `InvalidParameterException` with `message`.
pub(crate) fn invalid(message: impl Into<String>) -> Answer {
    Answer::refuse(ServerException::InvalidParameter, message)
}

/// A required member, or the service's validation error naming it (lowerCamelCase).
pub(crate) fn required<T>(value: Option<T>, member: &str) -> Result<T, Answer> {
    value.ok_or_else(|| {
        invalid(format!(
            "1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null"
        ))
    })
}

/// The id a page starts after, from a `NextToken` this server gave (empty: the first page).
pub(crate) fn page_start(token: Option<&str>) -> Result<String, Answer> {
    let Some(token) = token else {
        return Ok(String::new());
    };
    URL_SAFE_NO_PAD
        .decode(token)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .filter(|start| !start.contains(char::is_control))
        .ok_or_else(|| invalid("The pagination token is not one this server gave"))
}

/// The first `size` of `rows` (read with one more than a page holds), and whether more
/// followed.
pub(crate) fn first_page<T>(mut rows: Vec<T>, size: i64) -> (Vec<T>, bool) {
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    let more = rows.len() > size;
    rows.truncate(size);
    (rows, more)
}

/// The token for the page after `last`, if more followed it.
pub(crate) fn page_token(more: bool, last: Option<&str>) -> Option<String> {
    last.filter(|_| more)
        .map(|last| URL_SAFE_NO_PAD.encode(last.as_bytes()))
}

/// A page size in 1..=60 (`default` when absent), else the service's validation error.
pub(crate) fn page_size(value: Option<i64>, member: &str, default: i64) -> Result<i64, Answer> {
    let bound = match value.unwrap_or(default) {
        size @ 1..=MAX_RESULTS => return Ok(size),
        size if size < 1 => "greater than or equal to 1".to_owned(),
        _ => format!("less than or equal to {MAX_RESULTS}"),
    };
    let size = value.unwrap_or(default);
    Err(invalid(format!(
        "1 validation error detected: Value '{size}' at '{member}' failed to satisfy constraint: Member must have value {bound}"
    )))
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct PoolRequest {
    pub(crate) user_pool_id: Option<String>,
    pub(crate) client_id: Option<String>,
    pub(crate) max_results: Option<i64>,
    pub(crate) next_token: Option<String>,
}

/// `value` if it has the model's shape: `length` characters at most, every one `allowed`;
/// else the service's validation error (nothing malformed reaches the database).
pub(crate) fn shaped<'v>(
    value: &'v str,
    member: &str,
    pattern: &str,
    length: usize,
    allowed: impl Fn(char) -> bool,
) -> Result<&'v str, Answer> {
    let count = value.chars().count();
    if (1..=length).contains(&count) && value.chars().all(allowed) {
        return Ok(value);
    }
    Err(invalid(format!(
        "1 validation error detected: Value at '{member}' failed to satisfy constraint: Member must satisfy regular expression pattern: {pattern} and have length between 1 and {length}"
    )))
}

/// A `UserPoolId` of the model's shape, `[\w-]+_[0-9a-zA-Z]+`.
pub(crate) fn pool_id_shaped(id: &str) -> Result<&str, Answer> {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let split = id.rsplit_once('_').is_some_and(|(head, tail)| {
        !head.is_empty() && !tail.is_empty() && tail.chars().all(|c| c.is_ascii_alphanumeric())
    });
    let pattern = "[\\w-]+_[0-9a-zA-Z]+";
    shaped(id, "userPoolId", pattern, 55, |c| split && word(c))
}

/// The pool a request names, as stored, or `ResourceNotFoundException`.
pub(crate) async fn stored_pool(app: &App, user_pool_id: &str) -> Result<PoolRecord, Answer> {
    pool_id_shaped(user_pool_id)?;
    directory::pool(&app.store, user_pool_id)
        .await
        .map_err(internal)?
        .ok_or_else(|| Exception::UserPoolNotFound { user_pool_id }.into())
}

/// The pool a request names, as this process reads it for a decision (cached, seen anew
/// after any change), or `ResourceNotFoundException`.
pub(crate) async fn live_pool(app: &App, user_pool_id: &str) -> Result<Arc<Pool>, Answer> {
    pool_id_shaped(user_pool_id)?;
    known_pool(app, user_pool_id)
        .await?
        .ok_or_else(|| Exception::UserPoolNotFound { user_pool_id }.into())
}

/// The pool `pool_id` as this process reads it for a decision, if it exists.
///
/// # Errors
/// A database error, or a stored pool that does not load.
pub(crate) async fn known_pool(app: &App, pool_id: &str) -> Result<Option<Arc<Pool>>, Answer> {
    app.directory
        .pool(&app.store, pool_id)
        .await
        .map_err(internal)
}

/// A pool or client name: 1 to 128 of the service's characters.
pub(crate) fn check_name(name: &str, member: &str) -> Result<(), Answer> {
    let length = name.chars().count();
    let allowed =
        |c: char| c.is_alphanumeric() || c == '_' || c.is_whitespace() || "+=,.@-".contains(c);
    if (1..=128).contains(&length) && name.chars().all(allowed) {
        return Ok(());
    }
    Err(invalid(format!(
        "1 validation error detected: Value at '{member}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+ and have length between 1 and 128"
    )))
}

/// The `ClientId` a request names, in the model's shape (`[\w+]+`, 128 characters at most).
///
/// # Errors
/// The service's validation message.
pub(crate) fn client_id(value: Option<String>) -> Result<String, Answer> {
    let id = required(value, "clientId")?;
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '+';
    shaped(&id, "clientId", "[\\w+]+", 128, word)?;
    Ok(id)
}

/// `value` if it is one of `allowed`, the model's enumeration for `member`.
///
/// # Errors
/// The service's validation message, listing `allowed`.
pub(crate) fn one_of(value: String, member: &str, allowed: &[&str]) -> Result<String, Answer> {
    if allowed.contains(&value.as_str()) {
        return Ok(value);
    }
    Err(invalid(format!(
        "1 validation error detected: Value '{value}' at '{member}' failed to satisfy \
         constraint: Member must satisfy enum value set: [{}]",
        allowed.join(", ")
    )))
}

/// The app client `client_id`, or the service's `ResourceNotFoundException` for it.
///
/// # Errors
/// The client does not exist, or a database error.
pub(crate) async fn known_client(
    app: &App,
    client_id: &str,
) -> Result<Arc<crate::pools::Client>, Answer> {
    app.directory
        .client(&app.store, client_id)
        .await
        .map_err(internal)?
        .ok_or_else(|| Exception::ClientNotFound { client_id }.into())
}

/// `named`, if it has the model's shape for a `Username`.
pub(crate) fn username_shaped(named: &str) -> Result<&str, Answer> {
    let pattern = "[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+";
    shaped(named, "username", pattern, 128, |c| {
        !c.is_control() && !c.is_whitespace()
    })
}
