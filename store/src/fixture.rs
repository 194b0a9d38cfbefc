//! The kit's [`Fixture`] on the SQL backends, SQLite and PostgreSQL: a pool with one app
//! client (a client id already in another pool moves to this one), and the deletions, as
//! plain rows with empty settings (the server keeps its pools' settings there; the kit needs
//! none). The statements are written once, in PostgreSQL's dialect (`$n`; SQLite's
//! `transaction` converts them), and each operation is one transaction on either backend.
//! An embedder on these backends can make its pools and clients through it too.

use crate::{Param, Result, kit::Fixture};

/// A pool's row, named after its id; an existing one is kept.
const ADD_POOL: &str = "INSERT INTO pools (pool_id, name, settings, created_at) \
                        VALUES ($1, $1, '{}', 0) ON CONFLICT DO NOTHING";
/// A client id is unique across pools: the kit's one client moves to each new pool.
const ADD_CLIENT: &str = "INSERT INTO clients (client_id, pool_id, name, settings, created_at) \
                          VALUES ($2, $1, $2, '{}', 0) \
                          ON CONFLICT (client_id) DO UPDATE SET pool_id = excluded.pool_id";
/// The pool first: a sign-up racing the deletion then finds no pool to insert into.
const DELETE_POOL: [&str; 6] = [
    "DELETE FROM pools WHERE pool_id = $1",
    "DELETE FROM clients WHERE pool_id = $1",
    "DELETE FROM users WHERE pool_id = $1",
    "DELETE FROM phantoms WHERE pool_id = $1",
    "DELETE FROM destination_budgets WHERE pool_id = $1",
    "DELETE FROM refresh_tokens WHERE pool_id = $1",
];
/// One user of one pool, with its refresh tokens.
const DELETE_USER: [&str; 2] = [
    "DELETE FROM users WHERE pool_id = $1 AND username = $2",
    "DELETE FROM refresh_tokens WHERE pool_id = $1 AND username = $2",
];

/// Statements with their parameters, as both backends' `transaction` takes them.
type Statements = Vec<(String, Vec<Param>)>;

/// [`Fixture::add_pool`]'s statements: the pool, then its client.
fn add_pool(pool_id: &str, client_id: &str) -> Statements {
    let pool = (ADD_POOL.to_owned(), vec![Param::text(pool_id)]);
    let ids = vec![Param::text(pool_id), Param::text(client_id)];
    vec![pool, (ADD_CLIENT.to_owned(), ids)]
}

/// [`Fixture::delete_pool`]'s statements.
fn delete_pool(pool_id: &str) -> Statements {
    DELETE_POOL
        .map(|sql| (sql.to_owned(), vec![Param::text(pool_id)]))
        .into()
}

/// [`Fixture::delete_user`]'s statements.
fn delete_user(pool_id: &str, username: &str) -> Statements {
    let key = vec![Param::text(pool_id), Param::text(username)];
    DELETE_USER.map(|sql| (sql.to_owned(), key.clone())).into()
}

#[cfg(feature = "sqlite")]
impl Fixture for crate::sqlite::Sqlite {
    async fn add_pool(&self, pool_id: &str, client_id: &str) -> Result<()> {
        self.transaction(add_pool(pool_id, client_id))
            .await
            .map(drop)
    }

    async fn delete_pool(&self, pool_id: &str) -> Result<()> {
        self.transaction(delete_pool(pool_id)).await.map(drop)
    }

    async fn delete_user(&self, pool_id: &str, username: &str) -> Result<()> {
        self.transaction(delete_user(pool_id, username))
            .await
            .map(drop)
    }
}

#[cfg(feature = "postgres")]
impl Fixture for crate::postgres::Postgres {
    async fn add_pool(&self, pool_id: &str, client_id: &str) -> Result<()> {
        self.transaction(&add_pool(pool_id, client_id))
            .await
            .map(drop)
    }

    async fn delete_pool(&self, pool_id: &str) -> Result<()> {
        self.transaction(&delete_pool(pool_id)).await.map(drop)
    }

    async fn delete_user(&self, pool_id: &str, username: &str) -> Result<()> {
        self.transaction(&delete_user(pool_id, username))
            .await
            .map(drop)
    }
}
