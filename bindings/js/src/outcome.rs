//! An [`Outcome`] as JSON: the write as data, the reply with the body to answer with, and
//! what follows the write. JavaScript gets it as `Outcome` (`js::ordered`), the reply and
//! what follows behind `applied()`.

use alloc::{
    borrow::ToOwned,
    string::{String, ToString},
};

use confirmation_flow::cognito::{
    After, AliasAttribute, AliasClaim, ErrorBody, Expected, Outcome, PostConfirmationEvent, Reply,
    ReplyBody, Target, TriggerOutcome, UserStatus, Write,
};
use confirmation_flow::{Confirmation, Policy};
use serde::{Serialize, Serializer};

use crate::error::{Error, MAX_SAFE_INTEGER};

#[derive(Serialize)]
struct OutcomeJson<'o> {
    write: Option<WriteJson<'o>>,
    reply: ReplyJson<'o>,
    after: AfterJson<'o>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WriteJson<'o> {
    target: TargetJson<'o>,
    expected: ExpectedJson,
    /// The stored state's JSON, to keep as it is.
    state: String,
    version: u64,
    status: Option<&'static str>,
    verify: Option<&'static str>,
    alias: Option<AliasJson<'o>>,
}

#[derive(Serialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
enum TargetJson<'o> {
    User {
        username: &'o str,
        subject: &'o str,
        /// A new user's email and phone number; `null` on an update.
        attributes: Option<AttributesJson<'o>>,
    },
    Phantom {
        id: String,
        /// When the row may be deleted: its code has expired and its rate windows have
        /// passed (a phantom holds nothing of value; a new one answers the same).
        prune_after_unix_seconds: u64,
    },
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AttributesJson<'o> {
    email: Option<&'o str>,
    phone_number: Option<&'o str>,
}

/// A version, or `"absent"` for an insert.
enum ExpectedJson {
    Version(u64),
    Absent,
}

impl Serialize for ExpectedJson {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Version(version) => serializer.serialize_u64(*version),
            Self::Absent => serializer.serialize_str("absent"),
        }
    }
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
enum AliasJson<'o> {
    MustBeFree {
        attribute: &'static str,
        value: &'o str,
    },
    TakeFrom {
        attribute: &'static str,
        value: &'o str,
        owner: &'o str,
    },
}

#[derive(Serialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
enum ReplyJson<'o> {
    Success {
        http_status: u16,
        body: ReplyBody<'o, 'o>,
    },
    Exception {
        http_status: u16,
        exception: ExceptionJson,
        body: ErrorBody<'o, 'o>,
    },
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExceptionJson {
    name: &'static str,
    message: String,
    http_status: u16,
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
enum AfterJson<'o> {
    Nothing,
    Deliver {
        username: &'o str,
        destination: DestinationJson<'o>,
        code: &'o str,
    },
    PostConfirmation {
        event: &'o PostConfirmationEvent<'o>,
    },
    /// A session sign-in (`signIn`) let the user in: the caller mints the tokens.
    #[serde(rename_all = "camelCase")]
    SignIn {
        username: &'o str,
        subject: &'o str,
        client_id: &'o str,
    },
}

#[derive(Serialize)]
struct DestinationJson<'o> {
    attribute: &'static str,
    value: &'o str,
}

/// The reply, with its body.
fn reply<'o>(reply: &'o Reply<'o>) -> ReplyJson<'o> {
    match reply.exception() {
        Some(exception) => ReplyJson::Exception {
            http_status: exception.http_status(),
            exception: ExceptionJson {
                name: exception.name(),
                message: exception.to_string(),
                http_status: exception.http_status(),
            },
            body: exception.body(),
        },
        None => ReplyJson::Success {
            http_status: reply.http_status(),
            body: reply.body(),
        },
    }
}

fn write<'o>(write: &'o Write<'o>, policy: &Policy) -> Result<WriteJson<'o>, Error> {
    let target = match write.target {
        Target::User {
            username,
            subject,
            attributes,
        } => TargetJson::User {
            username,
            subject,
            attributes: attributes.map(|new| AttributesJson {
                email: new.email,
                phone_number: new.phone_number,
            }),
        },
        Target::Phantom(id) => TargetJson::Phantom {
            id: id.as_str().to_owned(),
            prune_after_unix_seconds: prune_after(&write.state, policy),
        },
    };
    let expected = match write.expected {
        Expected::Version(version) => ExpectedJson::Version(version),
        Expected::Absent => ExpectedJson::Absent,
    };
    let alias = match write.alias {
        None => None,
        Some(AliasClaim::MustBeFree { attribute, value }) => Some(AliasJson::MustBeFree {
            attribute: attribute.as_str(),
            value,
        }),
        Some(AliasClaim::TakeFrom {
            attribute,
            value,
            owner,
        }) => Some(AliasJson::TakeFrom {
            attribute: attribute.as_str(),
            value,
            owner,
        }),
    };
    let version = write.state.version();
    // Loaded versions are below 2⁵³ − 1 (see `lookup::load_state`) and a write adds one.
    if version > MAX_SAFE_INTEGER {
        return Err(Error::Unsupported(
            "a version JavaScript cannot count exactly",
        ));
    }
    let state = serde_json::to_string(&write.state)
        .map_err(|_| Error::Unsupported("a state that does not serialize"))?;
    Ok(WriteJson {
        target,
        expected,
        state,
        version,
        status: write.status.map(UserStatus::as_str),
        verify: write.verify.map(AliasAttribute::as_str),
        alias,
    })
}

/// When a phantom's row may be deleted, as the example server computes it: once its code
/// has expired and its rate windows, counted from its last change, have passed. Capped at
/// 2⁵³ − 1, which a JavaScript number holds exactly.
fn prune_after(state: &Confirmation, policy: &Policy) -> u64 {
    let windows_end = state.last_changed_at().saturating_add(policy.window());
    windows_end
        .max(state.expires_at())
        .as_unix_seconds()
        .min(MAX_SAFE_INTEGER)
}

fn after<'o>(after: &'o After<'o>) -> AfterJson<'o> {
    match after {
        After::Nothing => AfterJson::Nothing,
        After::Deliver(delivery) => AfterJson::Deliver {
            username: delivery.username,
            destination: DestinationJson {
                attribute: delivery.destination.attribute.as_str(),
                value: delivery.destination.value,
            },
            code: delivery.code.as_str(),
        },
        After::PostConfirmation(event) => AfterJson::PostConfirmation { event },
        After::SignIn(signed_in) => AfterJson::SignIn {
            username: signed_in.username,
            subject: signed_in.subject,
            client_id: signed_in.client_id,
        },
    }
}

/// The outcome's JSON; `policy` is the pool's, for when a phantom may be pruned.
///
/// # Errors
/// [`Error::Unsupported`] for a version JavaScript cannot count exactly, or a state or
/// outcome that does not serialize. (A kind of write, condition or follow-up added to the
/// crate does not compile here until this binding carries it out: those enums are
/// exhaustive.)
pub fn json(outcome: Outcome<'_>, policy: &Policy) -> Result<String, Error> {
    let written = outcome.write().copied();
    // All three go to JavaScript in one text; there, `reply` and `after` are reachable only
    // from the outcome's `applied()`, as here (`js::ordered`).
    let (reply, after) = outcome.applied();
    let write = written
        .as_ref()
        .map(|change| write(change, policy))
        .transpose()?;
    let json = OutcomeJson {
        write,
        reply: self::reply(&reply),
        after: self::after(&after),
    };
    serde_json::to_string(&json)
        .map_err(|_| Error::Unsupported("an outcome that does not serialize"))
}

/// The reply's JSON once the trigger has run, when its failure replaces the reply (the
/// user stays confirmed either way); `None` when the trigger succeeded and the reply
/// stands.
///
/// # Errors
/// None in practice (a reply this module builds always serializes).
pub fn after_trigger(trigger: TriggerOutcome<'_>) -> Result<Option<String>, Error> {
    let Some(exception) = trigger.exception() else {
        return Ok(None);
    };
    let failed: Reply<'_> = Reply::Exception(exception);
    serde_json::to_string(&reply(&failed))
        .map(Some)
        .map_err(|_| Error::Unsupported("a reply that does not serialize"))
}
