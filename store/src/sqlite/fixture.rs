//! The kit's [`Fixture`] on SQLite: a pool with one app client (a client id already in
//! another pool moves to this one), and the deletions, as plain rows with empty settings
//! (the server keeps its pools' settings there; the kit needs none). An embedder on this
//! backend can make its pools and clients through it too.

use crate::{Param, Result, kit::Fixture, sqlite::Sqlite};

const ADD_POOL: &str = "INSERT INTO pools (pool_id, name, settings, created_at) \
                        VALUES ($1, $1, '{}', 0) ON CONFLICT DO NOTHING";
/// A client id is unique across pools: the kit's one client moves to each new pool.
const ADD_CLIENT: &str = "INSERT INTO clients (client_id, pool_id, name, settings, created_at) \
                          VALUES ($2, $1, $2, '{}', 0) \
                          ON CONFLICT (client_id) DO UPDATE SET pool_id = excluded.pool_id";
/// The pool first: a sign-up racing the deletion then finds no pool to insert into.
const DELETE_POOL: [&str; 5] = [
    "DELETE FROM pools WHERE pool_id = $1",
    "DELETE FROM clients WHERE pool_id = $1",
    "DELETE FROM users WHERE pool_id = $1",
    "DELETE FROM phantoms WHERE pool_id = $1",
    "DELETE FROM destination_budgets WHERE pool_id = $1",
];
const DELETE_USER: &str = "DELETE FROM users WHERE pool_id = $1 AND username = $2";

impl Fixture for Sqlite {
    async fn add_pool(&self, pool_id: &str, client_id: &str) -> Result<()> {
        let pool = (ADD_POOL.to_owned(), vec![Param::text(pool_id)]);
        let ids = vec![Param::text(pool_id), Param::text(client_id)];
        let client = (ADD_CLIENT.to_owned(), ids);
        self.transaction(vec![pool, client]).await.map(drop)
    }

    async fn delete_pool(&self, pool_id: &str) -> Result<()> {
        let statements = DELETE_POOL.map(|sql| (sql.to_owned(), vec![Param::text(pool_id)]));
        self.transaction(statements.into()).await.map(drop)
    }

    async fn delete_user(&self, pool_id: &str, username: &str) -> Result<()> {
        let key = vec![Param::text(pool_id), Param::text(username)];
        self.transaction(vec![(DELETE_USER.to_owned(), key)])
            .await
            .map(drop)
    }
}
