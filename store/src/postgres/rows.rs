//! Rows on PostgreSQL: running one statement of a transaction, telling a lost race from a
//! failure, and taking a column (for the shared decoder, `columns.rs`, and for a directory
//! statement).

use tokio_postgres::{
    Row as PgRow,
    error::SqlState,
    types::{ToSql, Type},
};

use crate::{
    Result,
    columns::Columns,
    types::{Param, Value},
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

impl Columns for PgRow {
    fn value(&self, index: usize) -> Result<Value> {
        value(self, index)
    }
}

impl Param {
    pub(super) fn as_sql(&self) -> &(dyn ToSql + Sync) {
        match self {
            Self::Text(text) => text,
            Self::Int(int) => int,
            Self::MaybeInt(int) => int,
        }
    }
}

/// Column `index` of `row`, by its type.
pub(super) fn value(row: &PgRow, index: usize) -> Result<Value> {
    let kind = row
        .columns()
        .get(index)
        .ok_or_else(|| format!("column {index}: the row has {} columns", row.len()))?
        .type_();
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
