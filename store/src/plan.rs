//! One apply logic for both SQL backends: the statements a [`Change`] runs, in order, with
//! their arguments, each of which must change exactly one row. A backend runs them in one
//! transaction and rolls it back as a lost race at the first that changes none (or that a
//! unique index refuses). The statements are written once, in PostgreSQL's dialect; SQLite
//! reads them through [`sqlite_dialect`].

use confirmation_flow::cognito::{AliasAttribute, UserStatus};

use crate::{Change, Row, budget};

/// An argument of a statement.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Arg<'c> {
    Text(Option<&'c str>),
    Int(i64),
    MaybeInt(Option<i64>),
    Bool(bool),
}

/// A statement, its arguments, and whether it must change exactly one row (else the change
/// is a lost race).
#[derive(Debug)]
pub(crate) struct Step<'c> {
    pub(crate) sql: &'static str,
    pub(crate) args: Vec<Arg<'c>>,
    pub(crate) must_change: bool,
}

/// Only into a pool that exists, as [`INSERT_USER`]. No count here: the phantom cap is kept
/// by a background trim, so a new phantom costs what a user's write costs.
const INSERT_PHANTOM: &str = "
INSERT INTO phantoms (id, state, version, updated_at, prune_after, pool_id)
SELECT $1::text, $2::text, $3::bigint, $4::bigint, $5::bigint, $6::text
WHERE EXISTS (SELECT 1 FROM pools WHERE pool_id = $6::text)
ON CONFLICT DO NOTHING";

const UPDATE_PHANTOM: &str = "
UPDATE phantoms SET state = $2, version = $3, updated_at = $4, prune_after = $5
WHERE id = $1 AND version = $6";

const INSERT_USER: &str = "
INSERT INTO users (pool_id, username, sub, status, email, phone_number, state, version,
                   created_at, updated_at, password_hash, login, srp_verifier,
                   password_expires_at)
SELECT $1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text, $8::bigint,
       $9::bigint, $9::bigint, $10::text, $11::text, $12::text, $13::bigint
-- The pool's row is locked against a concurrent DeleteUserPool, which deletes the pool
-- first: either this insert waits and finds it gone, or the delete waits and then sees
-- (and deletes) this user. (SQLite's one writer orders them without a lock.)
WHERE EXISTS (SELECT 1 FROM pools WHERE pool_id = $1 FOR KEY SHARE)
ON CONFLICT DO NOTHING";

/// Compare-and-swap on the user read (its `sub`, at its version), verifying and claiming
/// what the change says; a claimed value must still be the row's.
const UPDATE_USER: &str = "
UPDATE users SET state = $4, version = $5, status = COALESCE($6, status), updated_at = $7,
    email_verified = email_verified OR $8, phone_number_verified = phone_number_verified OR $9,
    email_alias = email_alias OR $10, phone_number_alias = phone_number_alias OR $11
WHERE pool_id = $1 AND username = $2 AND sub = $3 AND version = $12
  AND (NOT $10 OR email = $13) AND (NOT $11 OR phone_number = $13)";

/// Compare-and-swap of the user's state alone, for a change that verifies and claims nothing
/// (an attempt counted, a code reissued): the alias columns, which the partial alias indexes
/// read, are not touched.
const UPDATE_STATE: &str = "
UPDATE users SET state = $4, version = $5, status = COALESCE($6, status), updated_at = $7
WHERE pool_id = $1 AND username = $2 AND sub = $3 AND version = $8";

const TAKE_EMAIL: &str = "
UPDATE users SET email_verified = false, email_alias = false
WHERE pool_id = $1 AND username = $2 AND email = $3 AND email_alias";

const TAKE_PHONE_NUMBER: &str = "
UPDATE users SET phone_number_verified = false, phone_number_alias = false
WHERE pool_id = $1 AND username = $2 AND phone_number = $3 AND phone_number_alias";

/// Every statement a plan may run, by name (the backends' tests read their query plans).
#[cfg(any(test, feature = "sqlite"))]
pub(crate) const ALL: &[(&str, &str)] = &[
    ("INSERT_PHANTOM", INSERT_PHANTOM),
    ("UPDATE_PHANTOM", UPDATE_PHANTOM),
    ("INSERT_USER", INSERT_USER),
    ("UPDATE_USER", UPDATE_USER),
    ("UPDATE_STATE", UPDATE_STATE),
    ("TAKE_EMAIL", TAKE_EMAIL),
    ("TAKE_PHONE_NUMBER", TAKE_PHONE_NUMBER),
    ("SPEND", budget::SPEND),
];

/// A text argument that is there.
const fn text(value: &str) -> Arg<'_> {
    Arg::Text(Some(value))
}

/// The statements that carry out `change`, in order.
pub(crate) fn plan(change: &Change) -> Vec<Step<'_>> {
    use Arg::{Int, Text};
    let pool = text(&change.pool_id);
    let (state, version, now) = (text(&change.state), Int(change.version), Int(change.now));
    let mut steps = Vec::with_capacity(4);
    match (&change.row, change.expected) {
        (Row::Phantom { id }, None) => steps.push(Step {
            must_change: true,
            sql: INSERT_PHANTOM,
            args: vec![text(id), state, version, now, Int(change.prune_after), pool],
        }),
        (Row::Phantom { id }, Some(expected)) => steps.push(Step {
            must_change: true,
            sql: UPDATE_PHANTOM,
            args: vec![
                text(id),
                state,
                version,
                now,
                Int(change.prune_after),
                Int(expected),
            ],
        }),
        (Row::User { username, sub }, None) => {
            let new = &change.new_user;
            let status = change.status.unwrap_or(UserStatus::Unconfirmed).as_str();
            take_alias(change, &mut steps);
            steps.push(Step {
                must_change: true,
                sql: INSERT_USER,
                args: vec![
                    pool,
                    text(username),
                    text(sub),
                    text(status),
                    Text(new.email.as_deref()),
                    Text(new.phone_number.as_deref()),
                    state,
                    version,
                    now,
                    Text(new.password_hash.as_deref()),
                    Text(new.login.as_deref()),
                    Text(new.srp_verifier.as_deref()),
                    Arg::MaybeInt(new.password_expires_at),
                ],
            });
            // A user inserted verified (`AdminCreateUser`): its flags and alias set, and the
            // claim checked, by the same compare-and-swap a confirmation runs, at the version
            // just inserted.
            if change.verify.is_some() || change.claim.is_some() {
                update_user(change, username, sub, change.version, &mut steps);
            }
        }
        (Row::User { username, sub }, Some(expected)) => {
            update_user(change, username, sub, expected, &mut steps);
        }
    }
    if let Some(spend) = &change.spend {
        steps.push(Step {
            must_change: spend.required,
            sql: budget::SPEND,
            args: vec![
                pool,
                text(&spend.key),
                text(spend.kind),
                now,
                Int(spend.window),
                Int(spend.most),
            ],
        });
    }
    steps
}

/// The steps of a change to the user read (`username`, `sub`) at version `expected`: the
/// alias taken from its owner, if any, then the compare-and-swap — of the state alone when
/// the change verifies and claims nothing (an attempt counted, a code reissued), so the
/// partial alias indexes are left alone (docs/PERFORMANCE.md, the writer benchmark).
fn update_user<'c>(
    change: &'c Change,
    username: &'c str,
    sub: &'c str,
    expected: i64,
    steps: &mut Vec<Step<'c>>,
) {
    use Arg::{Bool, Int, Text};
    let pool = text(&change.pool_id);
    let (state, version, now) = (text(&change.state), Int(change.version), Int(change.now));
    if change.expected.is_some() {
        take_alias(change, steps);
    }
    // `$1`–`$7` of both statements: the row read, and what it becomes.
    let status = Text(change.status.map(UserStatus::as_str));
    let row = [pool, text(username), text(sub), state, version, status, now];
    let (sql, rest) = if change.verify.is_none() && change.claim.is_none() {
        (UPDATE_STATE, vec![Int(expected)])
    } else {
        let claimed = change.claim.as_ref().map(|claim| claim.value.as_str());
        let rest = vec![
            Bool(change.verify == Some(AliasAttribute::Email)),
            Bool(change.verify == Some(AliasAttribute::PhoneNumber)),
            Bool(change.claims(AliasAttribute::Email)),
            Bool(change.claims(AliasAttribute::PhoneNumber)),
            Int(expected),
            Text(claimed),
        ];
        (UPDATE_USER, rest)
    };
    steps.push(Step {
        must_change: true,
        sql,
        args: row.into_iter().chain(rest).collect(),
    });
}

/// The step that takes the alias `change` claims from its owner, if it takes one: the owner
/// must still hold it.
fn take_alias<'c>(change: &'c Change, steps: &mut Vec<Step<'c>>) {
    for (attribute, take) in [
        (AliasAttribute::Email, TAKE_EMAIL),
        (AliasAttribute::PhoneNumber, TAKE_PHONE_NUMBER),
    ] {
        if let Some((owner, value)) = change.takes(attribute) {
            steps.push(Step {
                sql: take,
                args: vec![text(&change.pool_id), text(owner), text(value)],
                must_change: true,
            });
        }
    }
}

/// The plan's statement `sql` in SQLite's dialect, converted once for the process: the
/// writer runs these for every change.
#[cfg(feature = "sqlite")]
pub(crate) fn sqlite_statement(sql: &'static str) -> &'static str {
    static CONVERTED: std::sync::LazyLock<Vec<(&str, String)>> = std::sync::LazyLock::new(|| {
        ALL.iter()
            .map(|&(_, sql)| (sql, sqlite_dialect(sql)))
            .collect()
    });
    CONVERTED
        .iter()
        // By content: a `const` has no one address to compare.
        .find(|(written, _)| *written == sql)
        .map_or(sql, |(_, converted)| converted.as_str())
}

/// `sql` in SQLite's dialect: `?n` for `$n`, no casts (SQLite's columns take what they are
/// given), no row locks (its one writer orders every write).
#[cfg(feature = "sqlite")]
pub(crate) fn sqlite_dialect(sql: &str) -> String {
    sql.replace('$', "?")
        .replace(" FOR KEY SHARE", "")
        .replace("::text", "")
        .replace("::bigint", "")
}

#[cfg(test)]
mod tests {
    use super::ALL;

    /// The dialect conversion rewrites `$`, `::` and ` FOR KEY SHARE` as text: safe only
    /// while no string literal of a statement holds them (values are always bound).
    #[test]
    fn no_statement_literal_holds_what_the_dialect_rewrites() {
        for (name, sql) in ALL {
            for (index, literal) in sql.split('\'').enumerate() {
                let inside = index % 2 == 1;
                assert!(
                    !inside || !(literal.contains('$') || literal.contains("::")),
                    "{name}: the literal '{literal}' would be rewritten for SQLite"
                );
            }
        }
    }
}
