//! The server's key ring: from a key file, or one key kept in the database.
//!
//! A key file is JSON: `{"current": 2, "keys": {"1": "<base64 of 32 bytes>", "2": "…"}}`.
//! Rotate by adding a key, making it `current`, and restarting; keep the old key for a code
//! lifetime (a day), since states tagged under it are still checked with it.

use std::{collections::BTreeMap, path::Path};

use base64::{Engine, engine::general_purpose::STANDARD};
use confirmation_flow::{KeyId, KeyRing, ServerKey};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    current: u32,
    keys: BTreeMap<String, String>,
}

/// The current key and the older ones.
pub struct Keys {
    pub current: ServerKey,
    pub older: Vec<ServerKey>,
}

impl Keys {
    /// One key (say, the one kept in the database).
    pub fn single(secret: &[u8; 32]) -> Self {
        Self {
            current: ServerKey::new(KeyId(1), secret),
            older: Vec::new(),
        }
    }

    /// The ring the crate reads.
    pub fn ring(&self) -> Result<KeyRing<'_>, confirmation_flow::KeyRingError> {
        KeyRing::new(&self.current, &self.older)
    }

    /// Reads and checks a key file; every problem is a message naming the file.
    pub fn from_file(path: &Path) -> Result<Self, String> {
        let named = |problem: String| format!("key file {}: {problem}", path.display());
        let text = std::fs::read(path).map_err(|error| named(error.to_string()))?;
        let file: KeyFile =
            serde_json::from_slice(&text).map_err(|error| named(error.to_string()))?;
        let mut current = None;
        let mut older = Vec::new();
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
            if id == file.current {
                current = Some(key);
            } else {
                older.push(key);
            }
        }
        let current = current
            .ok_or_else(|| named(format!("the current key {} is not in keys", file.current)))?;
        let keys = Self { current, older };
        keys.ring().map_err(|error| named(error.to_string()))?;
        Ok(keys)
    }
}
