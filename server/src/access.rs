//! Who may call what: every operation the endpoint serves and the caller it is served to, in
//! one table, and the check of that caller. Public operations are unsigned, as in the service;
//! every other one needs a SigV4 signature by a configured access key, and is never served to
//! a browser (an `Origin` header), whatever it carries: the local test key is well known, so
//! a web page could sign with it.

use std::time::SystemTime;

use axum::http::{HeaderMap, StatusCode, Uri, header};

use crate::exceptions::ServerException;
use confirmation_flow::cognito::{Exception, OperationName};

use crate::sigv4::{Signed, Verifier};

/// A request refused before it is served: the service's exception, message and status.
#[derive(Debug, PartialEq, Eq)]
pub struct Refused {
    pub exception: &'static str,
    pub message: String,
    pub status: StatusCode,
}

impl Refused {
    fn new(exception: ServerException, message: impl Into<String>) -> Self {
        Self {
            exception: exception.name(),
            message: message.into(),
            status: exception.status(),
        }
    }
}

/// Who an operation is served to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Caller {
    /// Anyone: the app's users, unsigned.
    Public,
    /// A server holding a configured access key: SigV4-signed, never from a browser.
    Admin,
}

/// Every operation the endpoint serves, and its caller. An operation not listed here is
/// `UnknownOperationException`, signed or not.
pub const OPERATIONS: &[(&str, Caller)] = &[
    ("SignUp", Caller::Public),
    ("ConfirmSignUp", Caller::Public),
    ("ResendConfirmationCode", Caller::Public),
    ("InitiateAuth", Caller::Public),
    ("RespondToAuthChallenge", Caller::Public),
    ("GetUser", Caller::Public),
    ("RevokeToken", Caller::Public),
    ("GlobalSignOut", Caller::Public),
    ("ForgotPassword", Caller::Public),
    ("ConfirmForgotPassword", Caller::Public),
    ("AdminInitiateAuth", Caller::Admin),
    ("AdminConfirmSignUp", Caller::Admin),
    ("AdminCreateUser", Caller::Admin),
    ("AdminSetUserPassword", Caller::Admin),
    ("AdminResetUserPassword", Caller::Admin),
    ("AdminRespondToAuthChallenge", Caller::Admin),
    ("AdminGetUser", Caller::Admin),
    ("AdminDeleteUser", Caller::Admin),
    ("AdminUserGlobalSignOut", Caller::Admin),
    ("ListUsers", Caller::Admin),
    ("CreateUserPool", Caller::Admin),
    ("DescribeUserPool", Caller::Admin),
    ("ListUserPools", Caller::Admin),
    ("UpdateUserPool", Caller::Admin),
    ("DeleteUserPool", Caller::Admin),
    ("CreateUserPoolClient", Caller::Admin),
    ("DescribeUserPoolClient", Caller::Admin),
    ("ListUserPoolClients", Caller::Admin),
    ("DeleteUserPoolClient", Caller::Admin),
    ("UpdateUserPoolClient", Caller::Admin),
];

/// The operation `target` (the whole `X-Amz-Target`) names, and its caller.
///
/// # Errors
/// `UnknownOperationException` for a target that is not one of [`OPERATIONS`] with the
/// service's prefix.
pub fn operation(target: &str) -> Result<(&'static str, Caller), Refused> {
    target
        .strip_prefix(OperationName::TARGET_PREFIX)
        .and_then(|name| OPERATIONS.iter().find(|(known, _)| *known == name))
        .copied()
        .ok_or_else(|| {
            let unknown = Exception::UnknownOperation { target };
            Refused {
                exception: unknown.name(),
                message: unknown.to_string(),
                status: StatusCode::BAD_REQUEST,
            }
        })
}

/// Admits a request for `operation` from `caller`: an admin request must come from outside
/// a browser and be signed by a configured key; with the `local_test_key`, not through a
/// proxy either.
///
/// # Errors
/// `AccessDeniedException` (403) for a browser, or for the local test key through a proxy;
/// the service's SigV4 exceptions (400).
pub fn admit(
    verifier: &Verifier,
    local_test_key: bool,
    (operation, caller): (&str, Caller),
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), Refused> {
    if caller == Caller::Public {
        return Ok(());
    }
    if headers.contains_key(header::ORIGIN) {
        return Err(Refused::new(
            ServerException::AccessDenied,
            format!("{operation} is not served to browsers"),
        ));
    }
    // The local test key is for a developer's own machine: a request a proxy forwarded came
    // from elsewhere, where the well-known key proves nothing.
    let proxied = ["forwarded", "x-forwarded-for", "x-real-ip"]
        .iter()
        .any(|name| headers.contains_key(*name));
    if local_test_key && proxied {
        return Err(Refused::new(
            ServerException::AccessDenied,
            "The local test key is not accepted through a proxy (a Forwarded, X-Forwarded-For \
             or X-Real-IP header): configure admin_credentials",
        ));
    }
    let request = Signed {
        method: "POST",
        path: uri.path(),
        query: uri.query().unwrap_or(""),
        headers,
        body,
    };
    match verifier.verify(&request, SystemTime::now()) {
        Ok(access_key_id) => {
            tracing::debug!(access_key_id, operation, "signed admin call");
            Ok(())
        }
        Err(refusal) => {
            let exception = refusal.exception();
            tracing::info!(
                exception = exception.name(),
                operation,
                "admin call refused"
            );
            Err(Refused::new(exception, refusal.message()))
        }
    }
}

#[cfg(test)]
mod tests {
    use confirmation_flow::cognito::OperationName;

    use super::{Caller, OPERATIONS, operation};

    #[test]
    fn the_crates_operations_are_served_and_only_admin_confirmation_is_signed() {
        for name in [
            OperationName::SignUp,
            OperationName::ConfirmSignUp,
            OperationName::AdminConfirmSignUp,
            OperationName::ResendConfirmationCode,
        ] {
            let target = format!("{}{}", OperationName::TARGET_PREFIX, name.as_str());
            let (_, caller) = operation(&target).unwrap_or_else(|_| panic!("{target}"));
            let admin = name.as_str().starts_with("Admin");
            assert_eq!(caller == Caller::Admin, admin, "{target}");
        }
    }

    #[test]
    fn bare_names_and_other_services_are_unknown() {
        for (name, _) in OPERATIONS {
            assert!(operation(name).is_err(), "{name} without its prefix");
            assert!(operation(&format!("AWSCognitoIdentityService.{name}")).is_err());
            assert!(operation(&format!("{}{name} ", OperationName::TARGET_PREFIX)).is_err());
        }
        assert!(operation("").is_err());
    }

    #[test]
    fn only_the_user_operations_are_public() {
        let public: Vec<_> = OPERATIONS
            .iter()
            .filter(|(_, caller)| *caller == Caller::Public)
            .map(|(name, _)| *name)
            .collect();
        assert_eq!(
            public,
            [
                "SignUp",
                "ConfirmSignUp",
                "ResendConfirmationCode",
                "InitiateAuth",
                "RespondToAuthChallenge",
                "GetUser",
                "RevokeToken",
                "GlobalSignOut",
                "ForgotPassword",
                "ConfirmForgotPassword"
            ]
        );
    }
}
