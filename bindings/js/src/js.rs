//! The JavaScript surface: values across the boundary, randomness from the runtime's
//! `crypto.getRandomValues`, and every error as a JavaScript `Error` whose `name` says
//! what failed, with the HTTP status and the AWS JSON body to answer with.
//!
//! The exported classes and functions are its children: [`pool`] (`Pool`, `ClientSecret`,
//! `issue`, `readState`) and [`operation`] (`decode`, `signIn`, `Operation`,
//! `afterTrigger`); this module holds what they share.
//!
//! The doc comments of these modules become the JSDoc of the TypeScript declarations, so
//! each says in words what it throws rather than under a Rust `# Errors` heading.
#![expect(
    clippy::missing_errors_doc,
    reason = "these docs are the declarations' JSDoc; each says what it throws in words"
)]

use alloc::{
    borrow::ToOwned,
    format,
    string::{String, ToString},
};

use confirmation_flow::Timestamp;
use js_sys::{JSON, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, prelude::*};

use crate::{
    clock,
    error::{Error, MAX_SAFE_INTEGER},
    pool::KeyInput,
};

pub mod operation;
pub mod pool;

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
