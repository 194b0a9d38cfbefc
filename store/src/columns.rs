//! The one decoder of what the SQL backends read: a stored user in columns 0 to 9, and a
//! request's [`Snapshot`] — the user, then its phantom's state, the verified owners of its
//! email and phone number, and whether the app client (or pool) is still there, in columns
//! 10 to 13 (the `READ` statements of both dialects). A backend only says how to take one
//! column, through [`Columns`]; stored values go through the crate's validating load.

use crate::{
    Result, Snapshot, UserRow,
    types::{Value, state, status},
};

/// One row's columns, as a backend hands them over: each backend says how to take one
/// column as a [`Value`] (the same function its directory statements' rows go through); the
/// typed reads are written once, here.
pub(crate) trait Columns {
    /// Column `index`. (The typed reads below never put a value in an error: a column may
    /// hold an address.)
    ///
    /// # Errors
    /// The database fails, or the column has a type no statement of this crate returns.
    fn value(&self, index: usize) -> Result<Value>;

    /// Column `index` as text; `None` for NULL.
    ///
    /// # Errors
    /// The column is not text.
    fn text(&self, index: usize) -> Result<Option<String>> {
        match self.value(index)? {
            Value::Text(text) => Ok(Some(text)),
            Value::Null => Ok(None),
            _ => Err(format!("column {index}: text expected").into()),
        }
    }

    /// Column `index` as a flag (SQLite keeps it as the integer 0 or 1).
    ///
    /// # Errors
    /// The column is not a flag, or is NULL.
    fn flag(&self, index: usize) -> Result<bool> {
        match self.value(index)? {
            Value::Bool(flag) => Ok(flag),
            Value::Int(0) => Ok(false),
            Value::Int(1) => Ok(true),
            _ => Err(format!("column {index}: a flag expected").into()),
        }
    }

    /// Column `index` as an integer.
    ///
    /// # Errors
    /// The column is not an integer, or is NULL.
    fn int(&self, index: usize) -> Result<i64> {
        match self.value(index)? {
            Value::Int(int) => Ok(int),
            _ => Err(format!("column {index}: an integer expected").into()),
        }
    }
}

/// Column `index`'s text, which must be there.
fn required(row: &impl Columns, index: usize) -> Result<String> {
    row.text(index)?
        .ok_or_else(|| format!("column {index} of a user is NULL").into())
}

/// The user in columns 0 to 9, if the row has one (a read of an unknown user gives NULLs).
///
/// # Errors
/// A column of another type, or a stored status or state that does not load.
pub(crate) fn user(row: &impl Columns) -> Result<Option<UserRow>> {
    let Some(username) = row.text(0)? else {
        return Ok(None);
    };
    Ok(Some(UserRow {
        username,
        sub: required(row, 1)?,
        status: status(&required(row, 2)?)?,
        email: row.text(3)?,
        email_verified: row.flag(4)?,
        phone_number: row.text(5)?,
        phone_number_verified: row.flag(6)?,
        state: state(&required(row, 7)?)?,
        created_at: row.int(8)?,
        updated_at: row.int(9)?,
    }))
}

/// A request's snapshot: the user (columns 0 to 9), then columns 10 to 13.
///
/// # Errors
/// As [`user`], and for the phantom's state.
pub(crate) fn snapshot(row: &impl Columns) -> Result<Snapshot> {
    Ok(Snapshot {
        user: user(row)?,
        phantom: row.text(10)?.as_deref().map(state).transpose()?,
        email_owner: row.text(11)?,
        phone_number_owner: row.text(12)?,
        live: row.flag(13)?,
    })
}
