//! One request through the contract's loop: decoded and validated once, what it needs
//! looked up, and the pure decision on what the caller found.

use alloc::{borrow::ToOwned, rc::Rc, string::String};

use confirmation_flow::cognito::{
    self, Body, BodyFault, Draws, Exception, Operation, OperationName,
};
use serde::Serialize;

use crate::{
    error::Error,
    fresh::{Fresh, uuid_v4},
    lookup, outcome,
    pool::PoolData,
    served::Served,
    sign_in::SignInRequest,
};

type OperationOf<'a> = Operation<'a>;

/// What a request was decoded from: a body of an operation the crate decodes, or a session
/// sign-in's members, which the caller read from `InitiateAuth`'s body.
#[derive(Debug)]
#[expect(
    clippy::large_enum_variant,
    reason = "held once per request on the heap, by the self_cell: boxing the body would add an \
              allocation to every decoded request to save 7.6 KB on a sign-in"
)]
enum Source {
    Body(Body),
    SignIn(SignInRequest),
}

impl Source {
    /// The validated operation, borrowing from this.
    #[expect(
        clippy::result_large_err,
        reason = "the crate's `Body::operation` returns it: the exception is the answer, built once \
                  for a refused request"
    )]
    fn operation(&self) -> Result<Operation<'_>, Exception<'static>> {
        match self {
            Self::Body(body) => body.operation(),
            Self::SignIn(request) => request.operation(),
        }
    }
}

self_cell::self_cell!(
    /// A decoded request and the validated operation that borrows from it.
    struct Decoded {
        owner: Source,

        #[covariant]
        dependent: OperationOf,
    }

    impl {Debug}
);

/// What the caller must look up, as the crate's `Needs` says (`Needs` in the TypeScript
/// declarations).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NeedsView {
    /// The operation's name.
    pub operation: &'static str,
    /// The app client to look up; `null` for admin operations.
    pub client_id: Option<String>,
    /// The user to look up, by username.
    pub username: String,
    /// When the user does not exist, the phantom state to look up under this id.
    pub phantom_id: Option<String>,
    /// For which of the user's attributes to look up the other user who has the same
    /// value verified.
    pub alias_owners: Wanted,
}

/// Which alias attributes' owners to look up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Wanted {
    /// The `email`'s.
    pub email: bool,
    /// The `phone_number`'s.
    pub phone_number: bool,
}

/// A request, decoded and validated once, bound to the pool it is decided in.
#[derive(Debug)]
pub struct Request {
    decoded: Decoded,
    pool: Rc<PoolData>,
    needs: NeedsView,
}

/// The operation `name` names: `ConfirmSignUp`, or the whole `X-Amz-Target` header
/// `AWSCognitoIdentityProviderService.ConfirmSignUp`.
///
/// # Errors
/// [`Error::UnknownOperation`] for any other name.
pub fn operation_name(name: &str) -> Result<OperationName, Error> {
    let full = |name: &str| OperationName::from_target(name);
    let short = |name: &str| {
        let target = [OperationName::TARGET_PREFIX, name].concat();
        OperationName::from_target(&target)
    };
    full(name)
        .or_else(|| short(name))
        .ok_or_else(|| unknown(name))
}

/// `UnknownOperationException` for `name`, as given (kept only as far as its message
/// echoes it).
fn unknown(name: &str) -> Error {
    Error::UnknownOperation {
        target: name
            .chars()
            .take(Exception::MAX_ECHOED_TARGET_CHARS)
            .collect(),
    }
}

/// Decodes `body` (AWS JSON 1.1) as a request of `operation` and validates it once, for
/// `pool`, if `served` has the operation: one that is not served is refused before its
/// body is read.
///
/// # Errors
/// [`Error::UnknownOperation`] for an operation the crate does not decide or `served` does
/// not have, [`Exception::Serialization`] for a body that is not a JSON object of the
/// operation's shape, [`Error::Exception`] (`InvalidParameterException`) for members that
/// break the service model.
pub fn decode(
    pool: Rc<PoolData>,
    operation: &str,
    body: &[u8],
    served: Served,
) -> Result<Request, Error> {
    let name = operation_name(operation)?;
    if !served.serves(name) {
        return Err(unknown(operation));
    }
    let mut json = serde_json::Deserializer::from_slice(body);
    let mut decoded = Body::new(name);
    decoded
        .decode(&mut json)
        .and_then(|()| json.end())
        .map_err(|error| serialization(name, &error))?;
    bound(pool, Source::Body(decoded), name)
}

/// A session sign-in (`InitiateAuth` with `USER_AUTH` and a `Session`) from its members as
/// JSON (`{ clientId, username, secretHash?, session }`), validated once, for `pool`.
///
/// # Errors
/// [`Error::Type`] for members of the wrong shape (the caller built them), [`Error::Exception`]
/// (`InvalidParameterException`) for members that break the service model.
pub fn sign_in(pool: Rc<PoolData>, members: &str) -> Result<Request, Error> {
    let request: SignInRequest = serde_json::from_str(members).map_err(|_| {
        Error::type_error(
            "request",
            "{ clientId, username, secretHash?, session }, strings",
        )
    })?;
    bound(pool, Source::SignIn(request), OperationName::InitiateAuth)
}

/// `source`'s operation validated, and what it needs from `pool`'s store.
fn bound(pool: Rc<PoolData>, source: Source, name: OperationName) -> Result<Request, Error> {
    let decoded = Decoded::try_new(source, Source::operation)?;
    let needs = {
        let crate_pool = pool.pool()?;
        let needs = decoded.borrow_dependent().needs(&crate_pool);
        let wanted = needs.alias_owners();
        NeedsView {
            operation: name.as_str(),
            client_id: needs.client_id().map(str::to_owned),
            username: needs.username().to_owned(),
            phantom_id: needs.phantom().map(|id| id.as_str().to_owned()),
            alias_owners: Wanted {
                email: wanted.email,
                phone_number: wanted.phone_number,
            },
        }
    };
    Ok(Request {
        decoded,
        pool,
        needs,
    })
}

/// `SerializationException`: where the body broke and how, never what it held (a value
/// may be a code or a secret hash).
fn serialization(operation: OperationName, error: &serde_json::Error) -> Error {
    let fault = match error.classify() {
        serde_json::error::Category::Data => BodyFault::Member,
        serde_json::error::Category::Eof => BodyFault::Truncated,
        serde_json::error::Category::Syntax | serde_json::error::Category::Io => BodyFault::NotJson,
    };
    Error::from(Exception::Serialization {
        operation: operation.as_str(),
        fault,
        line: error.line(),
        column: error.column(),
    })
}

impl Request {
    /// What to look up before [`decide`](Self::decide).
    #[must_use]
    pub const fn needs(&self) -> &NeedsView {
        &self.needs
    }

    /// Which random values [`decide`](Self::decide) uses, as the crate says
    /// (`Operation::draws`): draw those for every call.
    #[must_use]
    pub fn draws(&self) -> Draws {
        self.decoded.borrow_dependent().draws()
    }

    /// The operation's name.
    #[must_use]
    pub const fn operation(&self) -> &'static str {
        self.needs.operation
    }

    /// For `SignUp`, the value of the attribute `name` in `UserAttributes`: what a store
    /// keeps in the row it inserts. `None` for other operations.
    #[must_use]
    pub fn attribute(&self, name: &str) -> Option<&str> {
        match self.decoded.borrow_dependent() {
            Operation::SignUp(request) => request.attribute(name),
            _ => None,
        }
    }

    /// The one pure decision on what the caller looked up (`lookup`, the `Lookup` JSON of
    /// the TypeScript declarations) with `fresh`: the `Outcome` as JSON.
    ///
    /// The crate's `Needs` borrows the operation and the pool, so it cannot be kept across
    /// calls from JavaScript; it is derived again here, from the same pool, which is
    /// deterministic (the same phantom id) and costs one HMAC.
    ///
    /// # Errors
    /// [`Error::Type`] for a look-up of the wrong shape, [`Error::State`] for a stored
    /// state that does not load, [`Error::Unsupported`] for an outcome this binding cannot
    /// express.
    pub fn decide(&self, lookup: &str, fresh: &Fresh) -> Result<String, Error> {
        let found = lookup::Found::parse(lookup)?;
        let pool = self.pool.pool()?;
        let new_subject = uuid_v4(&fresh.subject);
        let fresh = cognito::Fresh {
            now: fresh.now,
            entropy: fresh.entropy,
            nonce: fresh.nonce,
            new_subject: &new_subject,
        };
        let operation = self.decoded.borrow_dependent();
        let needs = operation.needs(&pool);
        found.with_lookup(|lookup| outcome::json(needs.decide(lookup, &fresh), self.pool.policy()))
    }
}

#[cfg(test)]
mod tests {
    use super::operation_name;
    use crate::error::Error;
    use confirmation_flow::cognito::OperationName;

    #[test]
    fn operations_are_named_alone_or_by_their_target_header() {
        assert_eq!(
            operation_name("ConfirmSignUp"),
            Ok(OperationName::ConfirmSignUp)
        );
        assert_eq!(
            operation_name("AWSCognitoIdentityProviderService.ResendConfirmationCode"),
            Ok(OperationName::ResendConfirmationCode)
        );
        for unknown in [
            "",
            "confirmSignUp",
            "AWSCognitoIdentityProviderService.",
            "InitiateAuth",
        ] {
            assert!(matches!(
                operation_name(unknown),
                Err(Error::UnknownOperation { .. })
            ));
        }
    }
}
