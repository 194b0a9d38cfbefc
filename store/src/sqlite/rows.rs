//! Reading rows on SQLite: a request's snapshot in one statement, a stored user, and the
//! directory's plain statements (written in PostgreSQL's dialect, `$n`, for both backends).

use rusqlite::{
    Connection, Row, params, params_from_iter,
    types::{ToSqlOutput, ValueRef},
};

use crate::{
    Read, Result, Snapshot, UserRow,
    columns::{self, Columns},
    plan::sqlite_dialect,
    sqlite_sql as sql,
    types::{Param, Value},
};

/// The rows `sql` (in PostgreSQL's dialect) returns with `params`.
pub(super) fn query_rows(db: &Connection, sql: &str, params: &[Param]) -> Result<Vec<Vec<Value>>> {
    let mut statement = db.prepare_cached(&sqlite_dialect(sql))?;
    let count = statement.column_count();
    let mut rows = statement.query(params_from_iter(params))?;
    let mut found = Vec::new();
    while let Some(row) = rows.next()? {
        found.push(
            (0..count)
                .map(|index| value(row, index))
                .collect::<Result<_>>()?,
        );
    }
    Ok(found)
}

/// What a request needs, in one statement (one row, always).
pub(super) fn read_snapshot(db: &Connection, read: &Read) -> Result<Snapshot> {
    let mut statement = db.prepare_cached(sql::READ)?;
    let mut rows = statement.query(params![
        read.pool_id,
        read.username,
        read.phantom,
        read.email_owner,
        read.phone_number_owner,
        read.client_id
    ])?;
    let row = rows.next()?.ok_or("the read returned no row")?;
    columns::snapshot(row)
}

/// The stored user `username` of `pool_id`, if there is one.
pub(super) fn load_user(db: &Connection, pool_id: &str, username: &str) -> Result<Option<UserRow>> {
    let mut statement = db.prepare_cached(sql::LOAD)?;
    let mut rows = statement.query(params![pool_id, username])?;
    match rows.next()? {
        Some(row) => columns::user(row),
        None => Ok(None),
    }
}

impl Columns for Row<'_> {
    fn value(&self, index: usize) -> Result<Value> {
        value(self, index)
    }
}

impl rusqlite::ToSql for Param {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Self::Text(text) => match text {
                Some(text) => ToSqlOutput::Borrowed(ValueRef::Text(text.as_bytes())),
                None => ToSqlOutput::Borrowed(ValueRef::Null),
            },
            Self::Int(int) | Self::MaybeInt(Some(int)) => {
                ToSqlOutput::Borrowed(ValueRef::Integer(*int))
            }
            Self::MaybeInt(None) => ToSqlOutput::Borrowed(ValueRef::Null),
        })
    }
}

/// Column `index` of `row` (SQLite keeps booleans as integers: the reader says which).
fn value(row: &Row<'_>, index: usize) -> Result<Value> {
    Ok(match row.get_ref(index)? {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(int) => Value::Int(int),
        ValueRef::Text(text) => Value::Text(String::from_utf8(text.to_vec())?),
        ValueRef::Real(_) | ValueRef::Blob(_) => {
            return Err(format!("column {index}: a type no directory statement returns").into());
        }
    })
}
