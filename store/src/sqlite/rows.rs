//! Reading rows on SQLite: a request's snapshot in one statement, a stored user, and the
//! directory's plain statements (written in PostgreSQL's dialect, `$n`, for both backends).

use rusqlite::{
    Connection, Row, params, params_from_iter,
    types::{ToSqlOutput, ValueRef},
};

use crate::{
    Read, Result, Snapshot, UserRow,
    plan::sqlite_dialect,
    sqlite_sql as sql,
    types::{Param, Value, state, status},
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

pub(super) fn read_snapshot(db: &Connection, read: &Read) -> Result<Snapshot> {
    let mut statement = db.prepare_cached(sql::READ)?;
    let row = statement.query_row(
        params![
            read.pool_id,
            read.username,
            read.phantom,
            read.email_owner,
            read.phone_number_owner,
            read.client_id
        ],
        |row| {
            Ok((
                user_row(row)?,
                row.get::<_, Option<String>>(10)?,
                row.get::<_, Option<String>>(11)?,
                row.get::<_, Option<String>>(12)?,
                row.get::<_, bool>(13)?,
            ))
        },
    )?;
    let (user, phantom, email_owner, phone_number_owner, live) = row;
    Ok(Snapshot {
        live,
        user: user.transpose()?,
        phantom: phantom.as_deref().map(state).transpose()?,
        email_owner,
        phone_number_owner,
    })
}

/// The user in columns 0 to 9, if the row has one; stored values go through the crate's
/// validating load.
pub(super) fn user_row(row: &Row<'_>) -> rusqlite::Result<Option<Result<UserRow>>> {
    let Some(username) = row.get::<_, Option<String>>(0)? else {
        return Ok(None);
    };
    let (status_name, state_json): (String, String) = (row.get(2)?, row.get(7)?);
    let load = || -> Result<UserRow> {
        Ok(UserRow {
            username,
            sub: row.get(1)?,
            status: status(&status_name)?,
            email: row.get(3)?,
            email_verified: row.get(4)?,
            phone_number: row.get(5)?,
            phone_number_verified: row.get(6)?,
            state: state(&state_json)?,
            created_at: row.get(8)?,
            updated_at: row.get(9)?,
        })
    };
    Ok(Some(load()))
}

impl rusqlite::ToSql for Param {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Self::Text(text) => match text {
                Some(text) => ToSqlOutput::Borrowed(ValueRef::Text(text.as_bytes())),
                None => ToSqlOutput::Borrowed(ValueRef::Null),
            },
            Self::Int(int) => ToSqlOutput::Borrowed(ValueRef::Integer(*int)),
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
