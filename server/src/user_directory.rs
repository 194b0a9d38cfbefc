//! The users as the admin operations list, find and delete them (`ListUsers`,
//! `AdminDeleteUser`, a login's username), and the count that holds a pool to its cap. Its
//! statements are written once, in PostgreSQL's `$n` form, for both backends.

use std::time::Duration;

use confirmation_flow_store::{
    Param, Result, SqlStore, UserRow, Value,
    types::{state, status},
};

/// Which users `ListUsers` returns: a column equal to, or starting with, a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UserFilter {
    Equals(Column, String),
    StartsWith(Column, String),
}

/// The columns a `ListUsers` filter may name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    Username,
    Sub,
    Email,
    PhoneNumber,
    Status,
}

impl Column {
    const fn sql(self) -> &'static str {
        match self {
            Self::Username => "username",
            Self::Sub => "sub",
            Self::Email => "email",
            Self::PhoneNumber => "phone_number",
            Self::Status => "status",
        }
    }
}

const COUNT_USERS: &str = "SELECT COUNT(*) FROM users WHERE pool_id = $1";

/// How many users the pool `$1` holds, counting no further than `$2`: at most `$2` entries
/// of the users' primary key are read, however large the pool.
const HOLDS_AT_LEAST: &str = "SELECT COUNT(*) FROM \
     (SELECT 1 FROM users WHERE pool_id = $1 LIMIT $2) AS counted";

const USERS: &str = "
SELECT username, sub, status, email, email_verified, phone_number, phone_number_verified,
       state, created_at, updated_at
FROM users WHERE pool_id = $1 AND username > $2";

const LOGIN: &str = "SELECT username FROM users WHERE pool_id = $1 AND login = $2";

const DELETE_USER: &str = "DELETE FROM users WHERE pool_id = $1 AND username = $2";

/// Whether the pool `id` holds `cap` users or more: a read of at most `cap` index entries,
/// stopped after `within`.
///
/// # Errors
/// A database error, or the read ran longer than `within`.
pub async fn holds_at_least(
    store: &SqlStore,
    id: &str,
    cap: i64,
    within: Duration,
) -> Result<bool> {
    let params = vec![Param::text(id), Param::Int(cap)];
    let rows = store.scan(HOLDS_AT_LEAST.into(), params, within).await?;
    match rows.first().map(Vec::as_slice) {
        Some([Value::Int(count)]) => Ok(*count >= cap),
        _ => Err("COUNT returned no number".into()),
    }
}

/// How many users the pool `id` holds (a read of the whole pool, stopped after `within`).
///
/// # Errors
/// A database error, or the read ran longer than `within`.
pub async fn count_users(store: &SqlStore, id: &str, within: Duration) -> Result<i64> {
    let rows = store
        .scan(COUNT_USERS.into(), vec![Param::text(id)], within)
        .await?;
    match rows.first().map(Vec::as_slice) {
        Some([Value::Int(count)]) => Ok(*count),
        _ => Err("COUNT returned no number".into()),
    }
}

/// Up to `limit` users of the pool `pool_id` whose usernames sort after `after` and who
/// match `filter`, in order: a filter on a column without an index reads the whole pool,
/// which is stopped after `within`.
///
/// # Errors
/// A database error, a stored row that does not load, or the read ran longer than `within`.
pub async fn users(
    store: &SqlStore,
    pool_id: &str,
    filter: Option<&UserFilter>,
    after: &str,
    limit: i64,
    within: Duration,
) -> Result<Vec<UserRow>> {
    let mut params = vec![Param::text(pool_id), Param::text(after), Param::Int(limit)];
    // The column comes from a closed list, the value is a parameter: nothing the caller
    // sent becomes SQL.
    let condition = match filter {
        None => String::new(),
        Some(UserFilter::Equals(column, value)) => {
            params.push(Param::text(value.as_str()));
            format!(" AND {} = $4", column.sql())
        }
        Some(UserFilter::StartsWith(column, prefix)) => {
            params.push(Param::text(prefix.as_str()));
            format!(
                " AND substr({0}, 1, length(CAST($4 AS TEXT))) = $4",
                column.sql()
            )
        }
    };
    let sql = format!("{USERS}{condition} ORDER BY username LIMIT $3");
    let rows = store.scan(sql, params, within).await?;
    rows.into_iter().map(user_row).collect()
}

/// The username of the user of the pool `pool_id` who signs in as `login` (an email or
/// phone number in a pool with `UsernameAttributes`), if any.
///
/// # Errors
/// A database error.
pub async fn username_of(store: &SqlStore, pool_id: &str, login: &str) -> Result<Option<String>> {
    let params = vec![Param::text(pool_id), Param::text(login)];
    let rows = store.rows(LOGIN.into(), params).await?;
    match rows.into_iter().next().map(|row| row.into_iter().next()) {
        None => Ok(None),
        Some(Some(Value::Text(username))) => Ok(Some(username)),
        Some(_) => Err("a stored username is not text".into()),
    }
}

/// Deletes the user `username` of the pool `pool_id` with their password reset, refresh
/// tokens and failed sign-ins, in one transaction; whether the user existed.
///
/// # Errors
/// A database error.
pub async fn delete_user(store: &SqlStore, pool_id: &str, username: &str) -> Result<bool> {
    let params = vec![Param::text(pool_id), Param::text(username)];
    let tokens = crate::refresh_tokens::DELETE_USER_TOKENS;
    let failures = crate::lockout::DELETE_USER_FAILURES;
    // The resets first: they are found through the user's row.
    let resets = crate::password_resets::DELETE_USER_RESETS;
    let statements = vec![
        (resets.into(), params.clone()),
        (DELETE_USER.into(), params.clone()),
        (tokens.into(), params.clone()),
        (failures.into(), params),
    ];
    let changed = store.transaction(statements).await?;
    Ok(changed.get(1) == Some(&1))
}

/// A user from [`USERS`]' columns. Booleans arrive as SQLite's integers or PostgreSQL's
/// booleans.
fn user_row(row: Vec<Value>) -> Result<UserRow> {
    let text = |value: Value| match value {
        Value::Text(text) => Ok(Some(text)),
        Value::Null => Ok(None),
        _ => Err("a stored text column is not text"),
    };
    let flag = |value: &Value| match value {
        Value::Bool(flag) => Ok(*flag),
        Value::Int(int) => Ok(*int != 0),
        _ => Err("a stored flag is not a boolean"),
    };
    let Ok(
        [
            username,
            sub,
            status_name,
            email,
            email_verified,
            phone_number,
            phone_number_verified,
            state_json,
            Value::Int(created_at),
            Value::Int(updated_at),
        ],
    ) = <[Value; 10]>::try_from(row)
    else {
        return Err("a stored user row does not load".into());
    };
    let required = |value| text(value)?.ok_or("a stored user lacks a required column");
    Ok(UserRow {
        username: required(username)?,
        sub: required(sub)?,
        status: status(&required(status_name)?)?,
        email: text(email)?,
        email_verified: flag(&email_verified)?,
        phone_number: text(phone_number)?,
        phone_number_verified: flag(&phone_number_verified)?,
        state: state(&required(state_json)?)?,
        created_at,
        updated_at,
    })
}
