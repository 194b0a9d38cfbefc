//! The app clients of the directory, as stored. Like the pools' (`directory.rs`), their
//! statements are written once, in PostgreSQL's `$n` form, for both backends; none of them
//! is on a request's hot path (`pools.rs` caches what requests read).

use confirmation_flow_store::{Param, Result, SqlStore, Value};

/// An app client as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientRecord {
    pub id: String,
    pub pool_id: String,
    pub name: String,
    pub settings: String,
    pub created_at: i64,
}

/// Only into a pool that exists, its row locked on PostgreSQL against a concurrent
/// `directory::DELETE_POOL` (SQLite's one writer serialises the two, and drops the lock
/// clause), and holding fewer than `$6` clients (`limits.clients_per_pool`, exact as
/// `directory::INSERT_POOL`'s).
const INSERT_CLIENT: &str = "
INSERT INTO clients (client_id, pool_id, name, settings, created_at)
SELECT CAST($1 AS TEXT), CAST($2 AS TEXT), CAST($3 AS TEXT), CAST($4 AS TEXT),
       CAST($5 AS BIGINT)
WHERE EXISTS (SELECT 1 FROM pools WHERE pool_id = $2 FOR KEY SHARE)
  AND (SELECT COUNT(*) FROM clients WHERE pool_id = $2) < $6
ON CONFLICT DO NOTHING";

/// The config file's clients, replacing what is stored under their ids
/// (`directory::seed`).
pub(crate) const UPSERT_CLIENT: &str = "
INSERT INTO clients (client_id, pool_id, name, settings, created_at) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (client_id) DO UPDATE SET
    pool_id = excluded.pool_id, name = excluded.name, settings = excluded.settings";

const CLIENT: &str = "
SELECT client_id, pool_id, name, settings, created_at FROM clients WHERE client_id = $1";

const CLIENTS: &str = "
SELECT client_id, pool_id, name, settings, created_at FROM clients
WHERE pool_id = $1 AND client_id > $2 ORDER BY client_id LIMIT $3";

const DELETE_CLIENT: &str = "DELETE FROM clients WHERE pool_id = $1 AND client_id = $2";

/// Stores `client` if its id is free, its pool exists and holds fewer than `cap` clients;
/// whether it was stored.
///
/// # Errors
/// A database error.
pub async fn create_client(store: &SqlStore, client: &ClientRecord, cap: i64) -> Result<bool> {
    let mut params = client_params(client);
    params.push(Param::Int(cap));
    let changed = store
        .transaction(vec![(INSERT_CLIENT.into(), params)])
        .await?;
    Ok(changed == [1])
}

/// The client `id`, if it exists (in whichever pool).
///
/// # Errors
/// A database error.
pub async fn client(store: &SqlStore, id: &str) -> Result<Option<ClientRecord>> {
    let rows = store.rows(CLIENT.into(), vec![Param::text(id)]).await?;
    rows.into_iter().next().map(client_record).transpose()
}

/// Up to `limit` clients of the pool `pool_id` whose ids sort after `after`, in order.
///
/// # Errors
/// A database error.
pub async fn clients(
    store: &SqlStore,
    pool_id: &str,
    after: &str,
    limit: i64,
) -> Result<Vec<ClientRecord>> {
    let params = vec![Param::text(pool_id), Param::text(after), Param::Int(limit)];
    let rows = store.rows(CLIENTS.into(), params).await?;
    rows.into_iter().map(client_record).collect()
}

/// Deletes the client `client_id` of the pool `pool_id` with its refresh tokens; whether it
/// existed.
///
/// # Errors
/// A database error.
pub async fn delete_client(store: &SqlStore, pool_id: &str, client_id: &str) -> Result<bool> {
    let params = vec![Param::text(pool_id), Param::text(client_id)];
    let tokens = crate::refresh_tokens::DELETE_CLIENT_TOKENS;
    let statements = vec![
        (DELETE_CLIENT.into(), params.clone()),
        (tokens.into(), params),
        (crate::generation::BUMP.into(), Vec::new()),
    ];
    let changed = store.transaction(statements).await?;
    Ok(changed.first() == Some(&1))
}

/// `client`'s columns, in the order of [`UPSERT_CLIENT`]'s and `INSERT_CLIENT`'s `$n`.
pub(crate) fn client_params(client: &ClientRecord) -> Vec<Param> {
    vec![
        Param::text(client.id.as_str()),
        Param::text(client.pool_id.as_str()),
        Param::text(client.name.as_str()),
        Param::text(client.settings.as_str()),
        Param::Int(client.created_at),
    ]
}

fn client_record(row: Vec<Value>) -> Result<ClientRecord> {
    match <[Value; 5]>::try_from(row) {
        Ok(
            [
                Value::Text(id),
                Value::Text(pool_id),
                Value::Text(name),
                Value::Text(settings),
                Value::Int(created_at),
            ],
        ) => Ok(ClientRecord {
            id,
            pool_id,
            name,
            settings,
            created_at,
        }),
        _ => Err("a stored client row does not load".into()),
    }
}
