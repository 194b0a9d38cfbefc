//! The settings generation: a counter every change to a pool's or client's settings (an
//! update or a deletion) bumps in the same transaction. Each process caches pools and
//! clients (`pools.rs`) and reads the counter once per request: a change made by any process
//! empties the cache of every other by their next request.
//!
//! Its statements are written once, in PostgreSQL's `$n` form, for both backends.

use confirmation_flow_store::{Param, Result, SqlStore, Value};

/// Bumps the generation (`$n`-free: run with the change it announces).
pub const BUMP: &str = "INSERT INTO settings_generation AS g (id, n) VALUES (1, 1) \
     ON CONFLICT (id) DO UPDATE SET n = g.n + 1";

const READ: &str = "SELECT n FROM settings_generation WHERE id = 1";

const UPDATE_POOL: &str = "UPDATE pools SET name = $2, settings = $3 WHERE pool_id = $1";

const UPDATE_CLIENT: &str =
    "UPDATE clients SET name = $3, settings = $4 WHERE client_id = $1 AND pool_id = $2";

/// The generation now (0 before the first change).
///
/// # Errors
/// A database error.
pub async fn read(store: &SqlStore) -> Result<i64> {
    let rows = store.rows(READ.into(), Vec::new()).await?;
    Ok(
        match rows
            .into_iter()
            .next()
            .and_then(|row| row.into_iter().next())
        {
            Some(Value::Int(n)) => n,
            _ => 0,
        },
    )
}

/// Replaces the name and settings of the client `client_id` of the pool `pool_id`, and bumps
/// the generation, in one transaction; whether the client existed.
///
/// # Errors
/// A database error.
pub async fn update_client(
    store: &SqlStore,
    pool_id: &str,
    client_id: &str,
    name: &str,
    settings: String,
) -> Result<bool> {
    let params = vec![
        Param::text(client_id),
        Param::text(pool_id),
        Param::text(name),
        Param::Text(Some(settings)),
    ];
    update(store, UPDATE_CLIENT, params).await
}

/// Replaces the name and settings of the pool `pool_id`, and bumps the generation, in one
/// transaction; whether the pool existed.
///
/// # Errors
/// A database error.
pub async fn update_pool(
    store: &SqlStore,
    pool_id: &str,
    name: &str,
    settings: String,
) -> Result<bool> {
    let params = vec![
        Param::text(pool_id),
        Param::text(name),
        Param::Text(Some(settings)),
    ];
    update(store, UPDATE_POOL, params).await
}

/// Runs the update `sql` with `params` and bumps the generation, in one transaction;
/// whether the update changed a row.
async fn update(store: &SqlStore, sql: &str, params: Vec<Param>) -> Result<bool> {
    let changed = store
        .transaction(vec![(sql.into(), params), (BUMP.into(), Vec::new())])
        .await?;
    Ok(changed.first() == Some(&1))
}
