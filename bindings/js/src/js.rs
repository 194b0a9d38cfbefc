//! The JavaScript surface: values across the boundary, randomness from the runtime's
//! `crypto.getRandomValues`, and every error as a JavaScript `Error` whose `name` says
//! what failed, with the HTTP status and the AWS JSON body to answer with.
//!
//! The doc comments here become the JSDoc of the TypeScript declarations, so each says in
//! words what it throws rather than under a Rust `# Errors` heading.
#![expect(
    clippy::missing_errors_doc,
    reason = "these docs are the declarations' JSDoc; each says what it throws in words"
)]

use alloc::{
    borrow::ToOwned,
    format,
    rc::Rc,
    string::{String, ToString},
    vec,
    vec::Vec,
};

use confirmation_flow::{
    ENTROPY_LEN, Timestamp,
    cognito::{ClientSecret as CrateClientSecret, TriggerOutcome},
};
use js_sys::{JSON, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, prelude::*};

use crate::{
    clock,
    error::{Error, MAX_SAFE_INTEGER},
    outcome,
    pool::{KeyInput, PoolData, Settings},
    request::{self, Fresh},
    served::Served,
    state,
};

#[wasm_bindgen(inline_js = r"
export function outcome(json) {
  const { write, reply, after } = JSON.parse(json);
  return { write, applied: () => ({ reply, after }) };
}
")]
extern "C" {
    /// An outcome's JSON as JavaScript gets it (`Outcome` in the declarations), in the
    /// core's order: `write`, and the reply and what follows only from `applied()`. A
    /// snippet beside the glue: a class or a closure would add to the module. It throws only
    /// for text that is not JSON, which `outcome::json` never writes.
    #[wasm_bindgen(catch, js_name = outcome)]
    fn ordered(json: &str) -> Result<JsValue, JsValue>;
}

#[wasm_bindgen]
extern "C" {
    /// A moment as JavaScript gives it: a `Date`, or milliseconds since the Unix epoch
    /// (`Date.now()`); never seconds (see `clock`).
    #[wasm_bindgen(typescript_type = "Date | number")]
    pub type Moment;

    /// The runtime's CSPRNG.
    #[wasm_bindgen(catch, js_namespace = crypto, js_name = getRandomValues)]
    fn get_random_values(buffer: &mut [u8]) -> Result<(), JsValue>;

    /// `Date.prototype.getTime.call(value)`: a `Date`'s time value in milliseconds, read
    /// from its internal slot (a subclass's `getTime`, or a `Date` of another realm, makes
    /// no difference); it throws for anything that is not a `Date`.
    #[wasm_bindgen(catch, js_namespace = ["Date", "prototype", "getTime"], js_name = call)]
    fn time_value(value: &JsValue) -> Result<f64, JsValue>;
}

/// `N` bytes from `crypto.getRandomValues`.
fn random<const N: usize>() -> Result<[u8; N], JsValue> {
    let mut bytes = [0_u8; N];
    fill_random(&mut bytes)?;
    Ok(bytes)
}

/// Fills `bytes` from `crypto.getRandomValues`.
fn fill_random(bytes: &mut [u8]) -> Result<(), JsValue> {
    get_random_values(bytes).map_err(|error| {
        let reason = error.dyn_ref::<js_sys::Error>().map_or_else(
            || "it threw".to_owned(),
            |error| String::from(error.message()),
        );
        thrown(&Error::Random(format!(
            "crypto.getRandomValues failed: {reason}"
        )))
    })
}

/// `error` as the JavaScript error thrown for it (a `TypeError` for [`Error::Type`]).
fn thrown(error: &Error) -> JsValue {
    let message = error.to_string();
    let js: js_sys::Error = match error {
        Error::Type(_) => js_sys::TypeError::new(&message).unchecked_into(),
        Error::Range(_) => js_sys::RangeError::new(&message).unchecked_into(),
        _ => js_sys::Error::new(&message),
    };
    js.set_name(error.name());
    let body = Object::new();
    // Setting a member of a new plain object cannot fail.
    let _ = Reflect::set(&body, &"__type".into(), &error.body_type().into());
    let _ = Reflect::set(&body, &"message".into(), &error.body_message().into());
    let _ = Reflect::set(&js, &"httpStatus".into(), &error.http_status().into());
    let _ = Reflect::set(&js, &"body".into(), &body);
    js.into()
}

/// JSON text as a JavaScript value.
fn parsed(json: &str) -> Result<JsValue, JsValue> {
    JSON::parse(json)
}

/// A JavaScript value as JSON text, for the core; `what` names it in errors.
fn stringified(value: &JsValue, what: &str) -> Result<String, JsValue> {
    let text = JSON::stringify(value)
        .map_err(|_| thrown(&Error::type_error(what, "a value JSON.stringify accepts")))?;
    text.as_string()
        .ok_or_else(|| thrown(&Error::type_error(what, "an object")))
}

/// A member of `object`; `undefined` when there is none.
fn member(object: &JsValue, name: &str, path: &str) -> Result<JsValue, JsValue> {
    if !object.is_object() {
        return Err(thrown(&Error::type_error(path, "an object")));
    }
    Reflect::get(object, &name.into()).map_err(|_| {
        thrown(&Error::type_error(
            path,
            "an object whose members can be read",
        ))
    })
}

/// A whole number in `0..=max` (`max` at most 2⁵³ − 1, so every such number is exact).
fn whole(value: &JsValue, max: u64, path: &str) -> Result<u64, JsValue> {
    let refused = || thrown(&Error::type_error(path, "a whole number, not negative"));
    let number = value.as_f64().ok_or_else(refused)?;
    let limit = max.min(MAX_SAFE_INTEGER);
    #[expect(
        clippy::cast_precision_loss,
        reason = "limit ≤ 2⁵³ − 1, which an f64 holds exactly"
    )]
    // NaN and the infinities are outside every range.
    let in_range = (0.0..=limit as f64).contains(&number);
    if !in_range {
        return Err(refused());
    }
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "checked above: a number in 0..=2⁵³ − 1, whose cast drops only a fraction"
    )]
    let whole = number as u64;
    // (`f64::fract` is not in `core`.)
    #[expect(
        clippy::cast_precision_loss,
        clippy::float_cmp,
        reason = "whole ≤ 2⁵³ − 1 converts back exactly: equal exactly when there was no fraction"
    )]
    let had_no_fraction = whole as f64 == number;
    if !had_no_fraction {
        return Err(refused());
    }
    Ok(whole)
}

/// The moment `value`, a `Date` or a number of milliseconds (`Date.now()`), or the runtime's
/// clock when it is `undefined` or `null`, in whole seconds. A number in the range seconds
/// of 2000 to 9999 would have is refused as seconds: no count of milliseconds from 2000 on is
/// that small, so the two units cannot be mistaken for each other.
fn now(value: Option<&Moment>) -> Result<Timestamp, JsValue> {
    let Some(given) = value else {
        return clock::from_millis(js_sys::Date::now(), "the runtime's clock")
            .map_err(|error| thrown(&error));
    };
    let millis = match JsValue::as_f64(given) {
        Some(number) if clock::looks_like_seconds(number) => {
            return Err(thrown(&Error::Range(format!(
                "now: {number} looks like seconds: pass milliseconds (Date.now()) or a Date"
            ))));
        }
        Some(number) => number,
        None => time_value(given).map_err(|_| {
            thrown(&Error::type_error(
                "now",
                "a Date or a number of milliseconds",
            ))
        })?,
    };
    clock::from_millis(millis, "now").map_err(|error| thrown(&error))
}

/// A `ServerKey` object.
fn key(value: &JsValue, path: &str) -> Result<KeyInput, JsValue> {
    let id = whole(
        &member(value, "id", path)?,
        u64::from(u32::MAX),
        &format!("{path}.id"),
    )?;
    let secret = member(value, "secret", path)?
        .dyn_into::<Uint8Array>()
        .map_err(|_| {
            thrown(&Error::type_error(
                &format!("{path}.secret"),
                "a Uint8Array",
            ))
        })?;
    let mut bytes = [0_u8; 32];
    if secret.length() != 32 {
        return Err(thrown(&Error::type_error(
            &format!("{path}.secret"),
            "32 bytes",
        )));
    }
    secret.copy_to(&mut bytes);
    Ok(KeyInput {
        id: u32::try_from(id).map_err(|_| thrown(&Error::type_error(path, "a 32-bit id")))?,
        secret: bytes,
    })
}

/// A user pool: its settings, policy and keys, checked once. Make one per deployment and
/// decode every request with it.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Pool {
    data: Rc<PoolData>,
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

/// A request decoded and validated once, bound to its pool: what to look up
/// (`needs`), and the decision on what was found (`decide`), as often as a lost race asks.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Operation {
    request: request::Request,
}

/// Decodes `body` (the AWS JSON 1.1 request body, text or bytes) as a request of
/// `operation` — its name, `ConfirmSignUp`, or the whole `X-Amz-Target` header — and
/// validates it once, for `pool`.
///
/// `serves` lists the operations the caller serves, by bare name; by default `SignUp`,
/// `ConfirmSignUp` and `ResendConfirmationCode`. An operation outside it is refused before
/// the body is read, under either spelling, exactly as an operation the crate does not
/// know: `UnknownOperationException`. List `AdminConfirmSignUp` only behind your own
/// authentication of the admin caller (the service asks for a SigV4-signed request; this
/// package checks no signature): served to anyone, it confirms any user without a code.
///
/// Throws `UnknownOperationException`, `SerializationException` (not a JSON object of the
/// operation's shape) or `InvalidParameterException` (members that break the service
/// model), each with `httpStatus` 400 and the `body` to answer with; a `TypeError` for a
/// `serves` that is not an array of operation names.
///
/// (Its TypeScript declaration is written out above, with the types: wasm-bindgen would make `serves`
/// required.)
#[wasm_bindgen(skip_typescript)]
pub fn decode(
    pool: &Pool,
    operation: &str,
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] body: &JsValue,
    serves: Option<js_sys::Array>,
) -> Result<Operation, JsValue> {
    let allowed = match serves {
        None => Served::PUBLIC,
        Some(list) => served(&list)?,
    };
    let bytes = match body.as_string() {
        Some(text) => text.into_bytes(),
        None => body
            .dyn_ref::<Uint8Array>()
            .map(Uint8Array::to_vec)
            .ok_or_else(|| thrown(&Error::type_error("body", "a string or a Uint8Array")))?,
    };
    let request = request::decode(Rc::clone(&pool.data), operation, &bytes, allowed)
        .map_err(|error| thrown(&error))?;
    Ok(Operation { request })
}

/// A session sign-in, validated once, for `pool`: `InitiateAuth` with `AuthFlow` `USER_AUTH`
/// and the `Session` a `ConfirmSignUp` answered with, its members read from the body by the
/// caller (`request`: `{ clientId, username, secretHash?, session }`). Its outcome's `after`
/// is `signIn` when the session let the user in: mint the tokens then.
///
/// Throws `InvalidParameterException` (members that break the service model), a `TypeError`
/// for a `request` of the wrong shape.
#[wasm_bindgen(js_name = signIn)]
pub fn sign_in(
    pool: &Pool,
    #[wasm_bindgen(unchecked_param_type = "SignInRequest")] request: &JsValue,
) -> Result<Operation, JsValue> {
    let members = JSON::stringify(request)
        .ok()
        .and_then(|text| text.as_string())
        .ok_or_else(|| thrown(&Error::type_error("request", "an object")))?;
    let request =
        request::sign_in(Rc::clone(&pool.data), &members).map_err(|error| thrown(&error))?;
    Ok(Operation { request })
}

/// The operations `list` names (`decode`'s `serves`).
fn served(list: &js_sys::Array) -> Result<Served, JsValue> {
    let refused = || thrown(&Error::type_error("serves", "an array of operation names"));
    if !js_sys::Array::is_array(list) {
        return Err(refused());
    }
    let names = list
        .iter()
        .map(|name| name.as_string().ok_or_else(refused))
        .collect::<Result<Vec<String>, JsValue>>()?;
    Served::from_names(names.iter().map(String::as_str), "serves").map_err(|error| thrown(&error))
}

#[wasm_bindgen]
impl Operation {
    /// The operation's name.
    #[wasm_bindgen(getter, unchecked_return_type = "OperationName")]
    #[must_use]
    pub fn name(&self) -> String {
        self.request.operation().to_owned()
    }

    /// For `SignUp`, the value of the attribute `name` (`email`, `phone_number`, …) in the
    /// request's `UserAttributes`. `undefined` for other operations or an attribute the
    /// request does not name. (The email and phone number a `SignUp` write inserts are in
    /// the write itself: `write.target.attributes`.)
    #[must_use]
    pub fn attribute(&self, name: &str) -> Option<String> {
        self.request.attribute(name).map(str::to_owned)
    }

    /// What to look up before `decide`.
    #[wasm_bindgen(getter, unchecked_return_type = "Needs")]
    pub fn needs(&self) -> Result<JsValue, JsValue> {
        let json = serde_json::to_string(self.request.needs())
            .map_err(|_| thrown(&Error::Unsupported("needs that do not serialize")))?;
        parsed(&json)
    }

    /// The one pure decision: every check of the operation, in the service's order, on what
    /// was looked up, at `now` (a `Date` or milliseconds; default: the runtime's clock). What the
    /// decision may use is drawn from `crypto.getRandomValues` on every call: a new code's
    /// entropy (`SignUp`, `ResendConfirmationCode`), a session nonce (a `ConfirmSignUp` with a
    /// `Session`) and a new user's `sub` (`SignUp`).
    /// Throws a `StateError` for a stored state that does not load, a `TypeError` for a
    /// look-up of the wrong shape or a `now` that is neither a `Date` nor a number, a
    /// `RangeError` for an invalid `Date`, a moment before 2000 or after 9999, or a number of
    /// seconds (all 500); a refusal of the request is not thrown, it is the
    /// `reply` of the outcome's `applied()` (and may come with a `write` to store first).
    #[wasm_bindgen(unchecked_return_type = "Outcome")]
    #[expect(
        clippy::needless_pass_by_value,
        reason = "wasm-bindgen hands an optional JavaScript value over by value"
    )]
    pub fn decide(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Lookup")] lookup: &JsValue,
        now: Option<Moment>,
    ) -> Result<JsValue, JsValue> {
        let lookup = stringified(lookup, "lookup")?;
        let mut fresh = Fresh {
            now: self::now(now.as_ref())?,
            ..Fresh::default()
        };
        let draws = self.request.draws();
        let parts = [
            (draws.entropy, &mut fresh.entropy[..]),
            (draws.nonce, &mut fresh.nonce[..]),
            (draws.subject, &mut fresh.subject[..]),
        ];
        let wanted: Vec<&mut [u8]> = parts
            .into_iter()
            .filter_map(|(drawn, part)| drawn.then_some(part))
            .collect();
        // One call to the CSPRNG for all of them, none when the decision needs none.
        let length = wanted.iter().map(|part| part.len()).sum::<usize>();
        if length > 0 {
            let mut bytes = vec![0_u8; length];
            fill_random(&mut bytes)?;
            let mut source = bytes.iter();
            for part in wanted {
                part.iter_mut()
                    .zip(source.by_ref())
                    .for_each(|(slot, byte)| *slot = *byte);
            }
        }
        let outcome = self
            .request
            .decide(&lookup, &fresh)
            .map_err(|error| thrown(&error))?;
        ordered(&outcome)
    }
}

/// The reply once the `PostConfirmation` trigger has run: its failure becomes the answer
/// (`UserLambdaValidationException`, `UnexpectedLambdaException`,
/// `InvalidLambdaResponseException`), as the service does; the user stays confirmed either
/// way. A trigger that succeeded leaves `reply` as it is. Throws a `TypeError` for a trigger
/// outcome of another shape.
#[wasm_bindgen(js_name = afterTrigger, unchecked_return_type = "Reply")]
pub fn after_trigger(
    #[wasm_bindgen(unchecked_param_type = "Reply")] reply: JsValue,
    #[wasm_bindgen(unchecked_param_type = "TriggerOutcome")] trigger: &JsValue,
) -> Result<JsValue, JsValue> {
    let text = |name: &str| -> Result<String, JsValue> {
        member(trigger, name, "trigger")?
            .as_string()
            .ok_or_else(|| thrown(&Error::type_error(&format!("trigger.{name}"), "a string")))
    };
    let kind = text("kind")?;
    let (error, reason);
    let trigger = match kind.as_str() {
        "succeeded" => TriggerOutcome::Succeeded,
        "functionError" => {
            error = text("error")?;
            TriggerOutcome::FunctionError { error: &error }
        }
        "invocationFailed" => {
            reason = text("reason")?;
            TriggerOutcome::InvocationFailed { reason: &reason }
        }
        "invalidOutput" => TriggerOutcome::InvalidOutput,
        _ => {
            return Err(thrown(&Error::type_error(
                "trigger.kind",
                "\"succeeded\", \"functionError\", \"invocationFailed\" or \"invalidOutput\"",
            )));
        }
    };
    match outcome::after_trigger(trigger).map_err(|error| thrown(&error))? {
        Some(failed) => parsed(&failed),
        None => Ok(reply),
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
