//! One request through the loop: `decode` (or `signIn`) makes an `Operation`, whose `needs`
//! say what to look up and whose `decide` gives the outcome; `afterTrigger` turns a failed
//! `PostConfirmation` trigger into the reply.

use alloc::{borrow::ToOwned, format, rc::Rc, string::String, vec, vec::Vec};

use confirmation_flow::cognito::TriggerOutcome;
use js_sys::{JSON, Uint8Array};
use wasm_bindgen::{JsCast, prelude::*};

use super::{Moment, fill_random, member, now, ordered, parsed, pool::Pool, stringified, thrown};
use crate::{error::Error, fresh::Fresh, outcome, request, served::Served};

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
/// (Its TypeScript declaration is written out in `declarations.rs`, with the types:
/// wasm-bindgen would make `serves` required.)
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
