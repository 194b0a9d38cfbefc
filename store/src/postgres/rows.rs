//! Rows on PostgreSQL: running one statement of a transaction, telling a lost race from a
//! failure, and decoding a user and a directory statement's columns.

use tokio_postgres::{
    Row as PgRow,
    error::SqlState,
    types::{ToSql, Type},
};

use crate::{
    Result, UserRow,
    types::{Param, Value, state, status},
};

/// Prepares (once per connection) and runs one statement; how many rows it changed.
pub(super) async fn execute(
    tx: &deadpool_postgres::Transaction<'_>,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> std::result::Result<u64, tokio_postgres::Error> {
    let statement = tx.prepare_cached(sql).await?;
    tx.execute(&statement, params).await
}

/// A violated constraint or a lost lock race: read and decide again.
pub(super) fn lost_race(error: &tokio_postgres::Error) -> bool {
    error.code().is_some_and(|code| {
        [
            SqlState::UNIQUE_VIOLATION,
            SqlState::T_R_SERIALIZATION_FAILURE,
            SqlState::T_R_DEADLOCK_DETECTED,
        ]
        .contains(code)
    })
}

/// The user in columns 0 to 9, if the row has one.
pub(super) fn user_row(row: &PgRow) -> Result<Option<UserRow>> {
    let Some(username) = row.try_get::<_, Option<String>>(0)? else {
        return Ok(None);
    };
    let status_name: String = row.try_get(2)?;
    let state_json: String = row.try_get(7)?;
    Ok(Some(UserRow {
        username,
        sub: row.try_get(1)?,
        status: status(&status_name)?,
        email: row.try_get(3)?,
        email_verified: row.try_get(4)?,
        phone_number: row.try_get(5)?,
        phone_number_verified: row.try_get(6)?,
        state: state(&state_json)?,
        created_at: row.try_get(8)?,
        updated_at: row.try_get(9)?,
    }))
}

impl Param {
    pub(super) fn as_sql(&self) -> &(dyn ToSql + Sync) {
        match self {
            Self::Text(text) => text,
            Self::Int(int) => int,
        }
    }
}

/// Column `index` of `row`, by its type.
pub(super) fn value(row: &PgRow, index: usize) -> Result<Value> {
    let kind = row.columns()[index].type_();
    let value = if *kind == Type::BOOL {
        row.try_get::<_, Option<bool>>(index)?.map(Value::Bool)
    } else if *kind == Type::INT8 {
        row.try_get::<_, Option<i64>>(index)?.map(Value::Int)
    } else if *kind == Type::TEXT || *kind == Type::VARCHAR {
        row.try_get::<_, Option<String>>(index)?.map(Value::Text)
    } else {
        return Err(
            format!("column {index}: type {kind}, which no directory statement returns").into(),
        );
    };
    Ok(value.unwrap_or(Value::Null))
}
