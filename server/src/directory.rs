//! The directory: user pools as stored (their app clients are `client_directory`'s, their
//! users `user_directory`'s).
//! Its statements are written once, in PostgreSQL's `$n` form, for both backends
//! ([`SqlStore::rows`], [`SqlStore::transaction`]); none of them is on a request's hot path.

use confirmation_flow_store::{Param, Result, SqlStore, Value};

use crate::client_directory::{ClientRecord, UPSERT_CLIENT, client_params};

/// A user pool as stored: its settings are the service's JSON shape (`settings.rs`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolRecord {
    pub id: String,
    pub name: String,
    pub settings: String,
    pub created_at: i64,
}

/// Only while fewer than `$5` pools are stored (`limits.pools`). SQLite's one writer makes
/// the count exact; on PostgreSQL concurrent creations each count what was committed when
/// they started, so the cap may be passed by the creations in flight at once.
const INSERT_POOL: &str = "
INSERT INTO pools (pool_id, name, settings, created_at)
SELECT CAST($1 AS TEXT), CAST($2 AS TEXT), CAST($3 AS TEXT), CAST($4 AS BIGINT)
WHERE (SELECT COUNT(*) FROM pools) < $5
ON CONFLICT DO NOTHING";

const UPSERT_POOL: &str = "
INSERT INTO pools (pool_id, name, settings, created_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (pool_id) DO UPDATE SET name = excluded.name, settings = excluded.settings";

const POOL: &str = "SELECT pool_id, name, settings, created_at FROM pools WHERE pool_id = $1";

const POOLS: &str = "
SELECT pool_id, name, settings, created_at FROM pools WHERE pool_id > $1
ORDER BY pool_id LIMIT $2";

const COUNT_POOLS: &str = "SELECT COUNT(*) FROM pools";

const POOL_IDS: &str = "SELECT pool_id FROM pools ORDER BY pool_id";

/// The pool's row first: on PostgreSQL that waits for inserts holding it (`FOR KEY SHARE`)
/// and makes later ones find it gone, so the users and clients deleted next are all of them.
const DELETE_POOL: &str = "DELETE FROM pools WHERE pool_id = $1";

const DELETE_POOL_CLIENTS: &str = "DELETE FROM clients WHERE pool_id = $1";

const DELETE_POOL_USERS: &str = "DELETE FROM users WHERE pool_id = $1";

/// Its unknown users' phantoms too: nothing of a deleted pool is kept.
const DELETE_POOL_PHANTOMS: &str = "DELETE FROM phantoms WHERE pool_id = $1";

/// And its destination budgets (`destinations.rs`).
const DELETE_POOL_BUDGETS: &str = "DELETE FROM destination_budgets WHERE pool_id = $1";

/// Stores `pool` if its id is free and fewer than `cap` pools are stored; whether it was.
///
/// # Errors
/// A database error.
pub async fn create_pool(store: &SqlStore, pool: &PoolRecord, cap: i64) -> Result<bool> {
    let mut params = pool_params(pool);
    params.push(Param::Int(cap));
    let changed = store
        .transaction(vec![(INSERT_POOL.into(), params)])
        .await?;
    Ok(changed == [1])
}

/// How many pools are stored.
///
/// # Errors
/// A database error.
pub async fn count_pools(store: &SqlStore) -> Result<i64> {
    let rows = store.rows(COUNT_POOLS.into(), Vec::new()).await?;
    match rows.first().map(Vec::as_slice) {
        Some([Value::Int(count)]) => Ok(*count),
        _ => Err("COUNT returned no number".into()),
    }
}

/// Every pool's id.
///
/// # Errors
/// A database error.
pub async fn pool_ids(store: &SqlStore) -> Result<Vec<String>> {
    let rows = store.rows(POOL_IDS.into(), Vec::new()).await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| match row.into_iter().next() {
            Some(Value::Text(pool)) => Some(pool),
            _ => None,
        })
        .collect())
}

/// Stores `pool` and `clients` as the config file describes them, replacing what is
/// stored under their ids (every process starting with the config does the same).
///
/// # Errors
/// A database error.
pub async fn seed(store: &SqlStore, pool: &PoolRecord, clients: &[ClientRecord]) -> Result<()> {
    let mut statements = vec![(UPSERT_POOL.to_owned(), pool_params(pool))];
    statements.extend(
        clients
            .iter()
            .map(|client| (UPSERT_CLIENT.to_owned(), client_params(client))),
    );
    // The running processes read the config's pool and clients again.
    statements.push((crate::generation::BUMP.to_owned(), Vec::new()));
    store.transaction(statements).await?;
    Ok(())
}

/// The pool `id`, if it exists.
///
/// # Errors
/// A database error.
pub async fn pool(store: &SqlStore, id: &str) -> Result<Option<PoolRecord>> {
    let rows = store.rows(POOL.into(), vec![Param::text(id)]).await?;
    rows.into_iter().next().map(pool_record).transpose()
}

/// Up to `limit` pools whose ids sort after `after`, in order.
///
/// # Errors
/// A database error.
pub async fn pools(store: &SqlStore, after: &str, limit: i64) -> Result<Vec<PoolRecord>> {
    let params = vec![Param::text(after), Param::Int(limit)];
    let rows = store.rows(POOLS.into(), params).await?;
    rows.into_iter().map(pool_record).collect()
}

/// Deletes the pool `id` with its clients, users, phantoms, budgets and refresh tokens, in one
/// transaction; whether it existed.
///
/// # Errors
/// A database error.
pub async fn delete_pool(store: &SqlStore, id: &str) -> Result<bool> {
    let statements = [
        DELETE_POOL,
        DELETE_POOL_CLIENTS,
        DELETE_POOL_USERS,
        DELETE_POOL_PHANTOMS,
        DELETE_POOL_BUDGETS,
        crate::refresh_tokens::DELETE_POOL_TOKENS,
        crate::lockout::DELETE_POOL_FAILURES,
        crate::srp_challenges::DELETE_POOL_CHALLENGES,
        crate::password_challenges::DELETE_POOL_CHALLENGES,
        crate::password_resets::DELETE_POOL_RESETS,
    ]
    .into_iter()
    .map(|sql| (sql.to_owned(), vec![Param::text(id)]))
    .chain([(crate::generation::BUMP.to_owned(), Vec::new())])
    .collect();
    let changed = store.transaction(statements).await?;
    Ok(changed.first() == Some(&1))
}

fn pool_params(pool: &PoolRecord) -> Vec<Param> {
    vec![
        Param::text(pool.id.as_str()),
        Param::text(pool.name.as_str()),
        Param::text(pool.settings.as_str()),
        Param::Int(pool.created_at),
    ]
}

fn pool_record(row: Vec<Value>) -> Result<PoolRecord> {
    match <[Value; 4]>::try_from(row) {
        Ok(
            [
                Value::Text(id),
                Value::Text(name),
                Value::Text(settings),
                Value::Int(created_at),
            ],
        ) => Ok(PoolRecord {
            id,
            name,
            settings,
            created_at,
        }),
        _ => Err("a stored pool row does not load".into()),
    }
}
