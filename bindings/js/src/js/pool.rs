//! The pool and the values made from it alone: `Pool` (the JavaScript class over
//! [`crate::pool`]'s checked settings and keys), `ClientSecret`, and a first code (`issue`)
//! or a stored state read (`readState`).

use alloc::{borrow::ToOwned, format, rc::Rc, string::String, vec::Vec};

use confirmation_flow::{ENTROPY_LEN, cognito::ClientSecret as CrateClientSecret};
use js_sys::{Object, Reflect};
use wasm_bindgen::{JsCast, prelude::*};

use super::{Moment, key, member, now, parsed, random, stringified, thrown};
use crate::{
    error::Error,
    pool::{PoolData, Settings},
    state,
};

/// A user pool: its settings, policy and keys, checked once. Make one per deployment and
/// decode every request with it.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Pool {
    pub(super) data: Rc<PoolData>,
}

#[wasm_bindgen]
impl Pool {
    /// Checks `config` and builds the pool. Throws a `ConfigError` for a policy the crate
    /// refuses or two keys with one id, a `TypeError` for a member of the wrong shape.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "PoolConfig")] config: &JsValue,
    ) -> Result<Self, JsValue> {
        let keys = member(config, "keys", "config")?;
        // The settings as JSON, without the keys: secret bytes never become text.
        let settings = Object::assign(&Object::new(), config.unchecked_ref());
        Reflect::delete_property(&settings, &"keys".into())
            .map_err(|_| thrown(&Error::type_error("config", "a plain object")))?;
        let settings: Settings =
            serde_json::from_slice(stringified(&settings, "config")?.as_bytes())
                .map_err(|error| thrown(&Error::Type(format!("config: {error}"))))?;
        let current = key(
            &member(&keys, "current", "config.keys")?,
            "config.keys.current",
        )?;
        let older_value = member(&keys, "older", "config.keys")?;
        let mut older = Vec::new();
        if !older_value.is_undefined() {
            let list = older_value
                .dyn_into::<js_sys::Array>()
                .map_err(|_| thrown(&Error::type_error("config.keys.older", "an array")))?;
            for (index, value) in list.iter().enumerate() {
                older.push(key(&value, &format!("config.keys.older[{index}]"))?);
            }
        }
        let data = PoolData::new(&settings, current, &older).map_err(|error| thrown(&error))?;
        Ok(Self {
            data: Rc::new(data),
        })
    }

    /// The pool's id.
    #[wasm_bindgen(getter, js_name = userPoolId)]
    #[must_use]
    pub fn user_pool_id(&self) -> String {
        self.data.user_pool_id().to_owned()
    }
}

/// An app client's secret, keyed once, for `SecretHash`:
/// `Base64(HMAC-SHA-256(secret, username ‖ clientId))`.
#[wasm_bindgen]
#[derive(Debug)]
pub struct ClientSecret {
    secret: CrateClientSecret,
}

#[wasm_bindgen]
impl ClientSecret {
    /// Keys the HMAC with the client secret (its UTF-8 bytes, as AWS's sample code does).
    #[wasm_bindgen(constructor)]
    #[must_use]
    pub fn new(secret: &str) -> Self {
        Self {
            secret: CrateClientSecret::new(secret),
        }
    }

    /// The `SecretHash` a client sends for `username` and `clientId`.
    #[must_use]
    pub fn compute(
        &self,
        username: &str,
        #[wasm_bindgen(js_name = clientId)] client_id: &str,
    ) -> String {
        self.secret.compute(username, client_id).as_str().to_owned()
    }

    /// Whether `candidate` is the `SecretHash` for `username` and `clientId`, compared in
    /// constant time; only canonical padded base64 of 32 bytes verifies.
    #[must_use]
    pub fn verify(
        &self,
        username: &str,
        #[wasm_bindgen(js_name = clientId)] client_id: &str,
        candidate: &str,
    ) -> bool {
        self.secret.verify(username, client_id, candidate)
    }
}

/// Issues a first code for `subject` (the user's stable id) under the pool's current key
/// and policy, with entropy from `crypto.getRandomValues`, at `now` (a `Date`; default: the
/// runtime's clock; milliseconds too). Store `state`, deliver `code`, forget `code`. Throws a
/// `TypeError` for an empty subject or a `now` that is neither a `Date` nor a number, a
/// `RangeError` for an invalid `Date`, a moment before 2000 or after 9999, or seconds.
#[wasm_bindgen(unchecked_return_type = "Issued")]
#[expect(
    clippy::needless_pass_by_value,
    reason = "wasm-bindgen hands an optional JavaScript value over by value"
)]
pub fn issue(pool: &Pool, subject: &str, now: Option<Moment>) -> Result<JsValue, JsValue> {
    let now = self::now(now.as_ref())?;
    let entropy = random::<ENTROPY_LEN>()?;
    let issued =
        state::issue(&pool.data, subject, now, &entropy).map_err(|error| thrown(&error))?;
    let json = serde_json::to_string(&issued)
        .map_err(|_| thrown(&Error::Unsupported("an issue that does not serialize")))?;
    parsed(&json)
}

/// Loads a stored state's JSON through the crate's validation (stored state is untrusted
/// input) and says what it holds at `now` (a `Date` or milliseconds; default: the runtime's
/// clock). Throws a `StateError` for a state that does not load, a `TypeError` for a `now`
/// that is neither a `Date` nor a number, a `RangeError` for an invalid `Date`, a moment
/// before 2000 or after 9999, or seconds.
#[wasm_bindgen(js_name = readState, unchecked_return_type = "StateInfo")]
#[expect(
    clippy::needless_pass_by_value,
    reason = "wasm-bindgen hands an optional JavaScript value over by value"
)]
pub fn read_state(json: &str, now: Option<Moment>) -> Result<JsValue, JsValue> {
    let info = state::read(json, self::now(now.as_ref())?).map_err(|error| thrown(&error))?;
    let json = serde_json::to_string(&info)
        .map_err(|_| thrown(&Error::Unsupported("a state that does not serialize")))?;
    parsed(&json)
}
