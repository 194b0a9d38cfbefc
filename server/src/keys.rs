//! The server's key ring, kept apart from the data it protects.
//!
//! A key file is JSON: `{"current": 2, "keys": {"1": "<base64 of 32 bytes>", "2": "…"}}`.
//! The ring comes from, in order: the `keys` config value (a path); the environment variable
//! [`KEYS_ENV`] (the same JSON, for secret stores); for a SQLite file, `<database>.keys.json`
//! beside it, made on first start with mode 0600. Several processes starting at once on a
//! new database agree on one key: the file appears whole, once (a hard link of a finished
//! temporary file), and every process reads the file that won. In memory, a key for this
//! process only. PostgreSQL needs one of the first two: its processes must share one ring.
//!
//! Rotate by adding a key, making it `current`, and restarting every process; keep the old
//! key for a code lifetime, since states tagged under it are still checked with it, and for
//! a token lifetime, since the tokens its signing keys signed (`signing.rs`) are still
//! published for verifiers; and for a refresh token lifetime if the refresh tokens hashed
//! under it (`refresh_tokens.rs`) must keep working.

use std::{
    collections::BTreeMap,
    io::Write as _,
    os::unix::fs::OpenOptionsExt,
    path::{Path, PathBuf},
};

use base64::{Engine, engine::general_purpose::STANDARD};
use confirmation_flow::{KeyId, ServerKey};
use serde::Deserialize;

use confirmation_flow_store::{OwnedKeyRing, database::Database};

use crate::{
    pool_keys::LazySigningKeys,
    refresh_tokens::{self, HashKeys},
    signing::{Seed, Seeds},
};

/// The environment variable that may hold the key file's JSON.
pub const KEYS_ENV: &str = "CONFIRMATION_FLOW_KEYS";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    current: u32,
    keys: BTreeMap<String, String>,
}

/// The ring, and where it came from.
pub struct Keys {
    /// The current key and the older ones, checked once.
    pub ring: OwnedKeyRing,
    /// Where the ring came from, for the log.
    pub source: String,
    /// The tokens' signing keys, derived from the ring's keys (`signing.rs`).
    pub signing: LazySigningKeys,
    /// The keys refresh tokens are hashed under, derived from the ring's keys
    /// (`refresh_tokens.rs`).
    pub refresh: HashKeys,
}

impl Keys {
    /// Finds the ring for `database`, as the module documentation says.
    ///
    /// # Errors
    /// A message naming the file or variable and what is wrong with it.
    pub fn load(file: Option<&Path>, database: &Database) -> Result<Self, String> {
        if let Some(path) = file {
            return Self::from_file(path);
        }
        if let Some(text) = std::env::var_os(KEYS_ENV) {
            let text = text
                .into_string()
                .map_err(|_| format!("{KEYS_ENV} is not UTF-8"))?;
            return Self::parse(text.as_bytes(), KEYS_ENV.to_owned());
        }
        match database {
            Database::File(path) => Self::beside(path),
            Database::Memory => {
                let secret = crate::random::random_bytes::<32>();
                Ok(Self {
                    ring: OwnedKeyRing::single(ServerKey::new(KeyId(1), &secret)),
                    source: "a key for this process only (database in memory)".to_owned(),
                    signing: LazySigningKeys::new(Seeds {
                        current: Seed::of(1, &secret),
                        older: Vec::new(),
                    }),
                    refresh: HashKeys::new(refresh_tokens::derive(1, &secret), Vec::new()),
                })
            }
            Database::Postgres(_) => Err(format!(
                "PostgreSQL needs `keys` (a key file) or {KEYS_ENV}: every process must share one key ring"
            )),
        }
    }

    /// Reads and checks a key file.
    ///
    /// # Errors
    /// A message naming the file.
    pub fn from_file(path: &Path) -> Result<Self, String> {
        let named = |problem: String| format!("key file {}: {problem}", path.display());
        // Not through a link, not another user's: a key planted by someone else would let
        // them compute every code.
        // Nor one others can read: with the key, the database gives every code.
        let metadata = confirmation_flow_store::files::owned_file(path).map_err(named)?;
        if confirmation_flow_store::files::open_to_others(&metadata) {
            return Err(named(
                "other users can read it, and with it compute every code: chmod 600 it".into(),
            ));
        }
        let text = std::fs::read(path).map_err(|error| named(error.to_string()))?;
        Self::parse(&text, format!("key file {}", path.display()))
    }

    /// The key file beside a SQLite database, made if there is none yet.
    fn beside(database: &Path) -> Result<Self, String> {
        let mut name = database.as_os_str().to_owned();
        name.push(".keys.json");
        let path = PathBuf::from(name);
        if !path.exists() {
            create(&path).map_err(|error| format!("key file {}: {error}", path.display()))?;
        }
        Self::from_file(&path)
    }

    /// Checks the JSON of a key file; every problem names `source`.
    fn parse(text: &[u8], source: String) -> Result<Self, String> {
        let named = |problem: String| format!("{source}: {problem}");
        // serde's message may quote a value, and a value here may be a key: say where, not what.
        let file: KeyFile = serde_json::from_slice(text).map_err(|error| {
            named(format!(
                "not a key file ({:?} error at line {}, column {})",
                error.classify(),
                error.line(),
                error.column()
            ))
        })?;
        let mut current = None;
        let mut older = Vec::new();
        let mut seeds = (None, Vec::new());
        let mut refresh = (None, Vec::new());
        for (id, secret) in &file.keys {
            let id: u32 = id
                .parse()
                .map_err(|_| named(format!("key id {id:?} is not a number")))?;
            let bytes = STANDARD
                .decode(secret)
                .map_err(|_| named(format!("key {id} is not base64")))?;
            let secret = <[u8; 32]>::try_from(bytes.as_slice())
                .map_err(|_| named(format!("key {id} is not 32 bytes")))?;
            let key = ServerKey::new(KeyId(id), &secret);
            let seed = Seed::of(id, &secret);
            if id == file.current {
                current = Some(key);
                seeds.0 = Some(seed);
                refresh.0 = Some(refresh_tokens::derive(id, &secret));
            } else {
                older.push(key);
                seeds.1.push(seed);
                refresh.1.push(refresh_tokens::derive(id, &secret));
            }
        }
        let missing = || named(format!("the current key {} is not in keys", file.current));
        let current = current.ok_or_else(missing)?;
        let ring = OwnedKeyRing::new(current, older).map_err(|error| named(error.to_string()))?;
        let signing = LazySigningKeys::new(Seeds {
            current: seeds.0.ok_or_else(missing)?,
            older: seeds.1,
        });
        let refresh = HashKeys::new(refresh.0.ok_or_else(missing)?, refresh.1);
        Ok(Self {
            ring,
            source,
            signing,
            refresh,
        })
    }
}

/// Writes a new key file at `path` unless one appears first: the whole file is written under
/// a temporary name, then linked to `path`, which fails if another process linked first.
fn create(path: &Path) -> std::io::Result<()> {
    let secret = STANDARD.encode(crate::random::random_bytes::<32>());
    let text = format!("{{\"current\": 1, \"keys\": {{\"1\": \"{secret}\"}}}}\n");
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(format!(".{}.tmp", uuid::Uuid::new_v4().simple()));
    let temporary = PathBuf::from(temporary);
    let written = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temporary)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        match std::fs::hard_link(&temporary, path) {
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
            linked => linked,
        }
    })();
    let _ = std::fs::remove_file(&temporary);
    written
}
