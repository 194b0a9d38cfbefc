//! Refresh tokens as stored: opaque (32 bytes from the operating system's CSPRNG, base64url),
//! kept only as a keyed hash, HMAC-SHA256 under a key derived from each ring key with HKDF
//! (its own label, then the key's id, as the signing keys are: `signing.rs`). The token
//! itself is never stored: a copy of the database gives no token, and without the ring its
//! hashes cannot be checked against guesses. A token is looked up by its hash under every
//! ring key, so it keeps working across a rotation for as long as its key is kept.
//!
//! Its statements are written once, in PostgreSQL's `$n` form, for both backends.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use confirmation_flow_store::{Param, Result, SqlStore, Value};
use hkdf::Hkdf;
use hmac::{Hmac, KeyInit as _, Mac as _};
use sha2::Sha256;

/// The HKDF label of the hashing key; a new version is a new key (every token forgotten).
const LABEL: &[u8] = b"confirmation-flow/v1/refresh-token-hmac-sha256";

/// Only for a user who still exists, as signed in (the same `sub`), the row locked on
/// PostgreSQL against a concurrent deletion (SQLite's one writer serialises the two).
const INSERT: &str = "
INSERT INTO refresh_tokens (token_hash, pool_id, client_id, username, sub, origin_jti,
                            auth_time, expires_at, revoked_at, created_at)
SELECT CAST($1 AS TEXT), CAST($2 AS TEXT), CAST($3 AS TEXT), CAST($4 AS TEXT),
       CAST($5 AS TEXT), CAST($6 AS TEXT), CAST($7 AS BIGINT), CAST($8 AS BIGINT), NULL,
       CAST($9 AS BIGINT)
WHERE EXISTS (SELECT 1 FROM users WHERE pool_id = $2 AND username = $4 AND sub = $5
              FOR KEY SHARE)";

/// The token and its user, if the user still exists as signed in (the same `sub`).
const FIND: &str = "
SELECT r.token_hash, r.pool_id, r.client_id, r.username, r.sub, r.origin_jti, r.auth_time,
       r.expires_at, r.revoked_at, u.status, u.email, u.email_verified, u.phone_number,
       u.phone_number_verified
FROM refresh_tokens r
LEFT JOIN users u ON u.pool_id = r.pool_id AND u.username = r.username AND u.sub = r.sub
WHERE r.token_hash = $1";

const REVOKE: &str = "
UPDATE refresh_tokens SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL";

/// Every token of a user (`$1` pool, `$2` username): a global sign-out.
const REVOKE_USER: &str = "
UPDATE refresh_tokens SET revoked_at = $3
WHERE pool_id = $1 AND username = $2 AND revoked_at IS NULL";

/// A batch of expired tokens, along the `expires_at` index.
const PRUNE: &str = "
DELETE FROM refresh_tokens WHERE token_hash IN
    (SELECT token_hash FROM refresh_tokens WHERE expires_at <= $1 LIMIT $2)";

/// A user's tokens: run with the user's deletion.
pub const DELETE_USER_TOKENS: &str =
    "DELETE FROM refresh_tokens WHERE pool_id = $1 AND username = $2";

/// A client's tokens: run with the client's deletion (a read of the pool's tokens, along the
/// `(pool_id, username)` index; a client id seeded again from the config starts afresh).
pub const DELETE_CLIENT_TOKENS: &str =
    "DELETE FROM refresh_tokens WHERE pool_id = $1 AND client_id = $2";

/// A pool's tokens: run with the pool's deletion.
pub const DELETE_POOL_TOKENS: &str = "DELETE FROM refresh_tokens WHERE pool_id = $1";

/// The keys tokens are hashed under: the current ring key's first, then the older ones'.
pub struct HashKeys {
    keys: Vec<[u8; 32]>,
}

impl std::fmt::Debug for HashKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HashKeys")
            .field("keys", &self.keys.len())
            .finish_non_exhaustive()
    }
}

/// The hashing key of the ring key `id` whose bytes are `secret`.
#[must_use]
pub fn derive(id: u32, secret: &[u8; 32]) -> [u8; 32] {
    let mut info = LABEL.to_vec();
    info.extend_from_slice(&id.to_be_bytes());
    let mut key = [0; 32];
    // 32 bytes are well within HKDF-SHA256's 8160: this cannot fail.
    Hkdf::<Sha256>::new(None, secret)
        .expand(&info, &mut key)
        .unwrap_or_else(|_| unreachable!());
    key
}

impl HashKeys {
    /// The current key's hashing key, and the older ones'.
    #[must_use]
    pub fn new(current: [u8; 32], older: Vec<[u8; 32]>) -> Self {
        let mut keys = vec![current];
        keys.extend(older);
        Self { keys }
    }

    /// `token`'s hash under the current key (hex).
    #[must_use]
    pub fn current(&self, token: &str) -> String {
        self.all(token).next().unwrap_or_default()
    }

    /// `token`'s hash under every key, the current key's first.
    pub fn all<'a>(&'a self, token: &'a str) -> impl Iterator<Item = String> + 'a {
        self.keys.iter().map(move |key| {
            // HMAC takes a key of any length: this cannot fail.
            let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
            mac.update(token.as_bytes());
            hex::encode(mac.finalize().into_bytes())
        })
    }
}

/// A new token: 32 random bytes, base64url.
#[must_use]
pub fn new_token() -> String {
    URL_SAFE_NO_PAD.encode(crate::random::random_bytes::<32>())
}

/// What a token is issued for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issued<'a> {
    pub pool_id: &'a str,
    pub client_id: &'a str,
    pub username: &'a str,
    pub sub: &'a str,
    pub origin_jti: &'a str,
    pub auth_time: i64,
    pub expires_at: i64,
    pub now: i64,
}

/// Stores the hash of `token` for `issued`; whether it was stored (not if the user is gone).
///
/// # Errors
/// A database error.
pub async fn store(store: &SqlStore, hash: String, issued: &Issued<'_>) -> Result<bool> {
    let params = vec![
        Param::Text(Some(hash)),
        Param::text(issued.pool_id),
        Param::text(issued.client_id),
        Param::text(issued.username),
        Param::text(issued.sub),
        Param::text(issued.origin_jti),
        Param::Int(issued.auth_time),
        Param::Int(issued.expires_at),
        Param::Int(issued.now),
    ];
    let changed = store.transaction(vec![(INSERT.into(), params)]).await?;
    Ok(changed == [1])
}

/// A stored token, with its user as they are now (`None` if gone).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stored {
    pub token_hash: String,
    pub pool_id: String,
    pub client_id: String,
    pub username: String,
    pub sub: String,
    pub origin_jti: String,
    pub auth_time: i64,
    pub expires_at: i64,
    pub revoked: bool,
    pub user: Option<User>,
}

/// What a refresh needs of the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub status: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub phone_number: Option<String>,
    pub phone_number_verified: bool,
}

/// The token `token`, looked up by its hash under every ring key.
///
/// # Errors
/// A database error, or a stored row that does not load.
pub async fn find(store: &SqlStore, keys: &HashKeys, token: &str) -> Result<Option<Stored>> {
    for hash in keys.all(token) {
        let rows = store
            .rows(FIND.into(), vec![Param::Text(Some(hash))])
            .await?;
        if let Some(row) = rows.into_iter().next() {
            return stored(row).map(Some);
        }
    }
    Ok(None)
}

/// Marks the token stored under `hash` revoked at `now`.
///
/// # Errors
/// A database error.
pub async fn revoke(store: &SqlStore, hash: &str, now: i64) -> Result<()> {
    let params = vec![Param::text(hash), Param::Int(now)];
    store.transaction(vec![(REVOKE.into(), params)]).await?;
    Ok(())
}

/// Marks every token of the user `username` of the pool `pool_id` revoked at `now` (and
/// with them the access tokens of their sessions, which `GetUser` checks): a global
/// sign-out.
///
/// # Errors
/// A database error.
pub async fn revoke_user(store: &SqlStore, pool_id: &str, username: &str, now: i64) -> Result<()> {
    let params = vec![Param::text(pool_id), Param::text(username), Param::Int(now)];
    store
        .transaction(vec![(REVOKE_USER.into(), params)])
        .await?;
    Ok(())
}

/// Deletes the tokens expired at `now`, in bounded batches; how many.
///
/// # Errors
/// A database error.
pub async fn prune(store: &SqlStore, now: i64) -> Result<u64> {
    crate::batches::delete(store, PRUNE, now).await
}

fn stored(row: Vec<Value>) -> Result<Stored> {
    let text = |value: Value| match value {
        Value::Text(text) => Ok(Some(text)),
        Value::Null => Ok(None),
        _ => Err("a stored text column is not text"),
    };
    let required = |value| text(value)?.ok_or("a stored refresh token lacks a column");
    let flag = |value: &Value| match value {
        Value::Bool(flag) => *flag,
        Value::Int(int) => *int != 0,
        _ => false,
    };
    let Ok(
        [
            token_hash,
            pool_id,
            client_id,
            username,
            sub,
            origin_jti,
            Value::Int(auth_time),
            Value::Int(expires_at),
            revoked_at,
            status,
            email,
            email_verified,
            phone_number,
            phone_number_verified,
        ],
    ) = <[Value; 14]>::try_from(row)
    else {
        return Err("a stored refresh token does not load".into());
    };
    let user = match text(status)? {
        None => None,
        Some(status) => Some(User {
            status,
            email: text(email)?,
            email_verified: flag(&email_verified),
            phone_number: text(phone_number)?,
            phone_number_verified: flag(&phone_number_verified),
        }),
    };
    Ok(Stored {
        token_hash: required(token_hash)?,
        pool_id: required(pool_id)?,
        client_id: required(client_id)?,
        username: required(username)?,
        sub: required(sub)?,
        origin_jti: required(origin_jti)?,
        auth_time,
        expires_at,
        revoked: !matches!(revoked_at, Value::Null),
        user,
    })
}
