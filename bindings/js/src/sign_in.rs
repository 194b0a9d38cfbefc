//! `InitiateAuth` with `AuthFlow` `USER_AUTH` and the `Session` a `ConfirmSignUp` answered
//! with: the one sign-in the crate decides. The caller reads the operation's body (its other
//! flows, passwords and refresh tokens, are not this package's) and hands over these four
//! members; the crate validates them as the service does and decides on its own state.

use alloc::string::String;
use core::fmt;

use confirmation_flow::cognito::{Exception, Operation, SessionSignIn};
use serde::Deserialize;

/// The members of a session sign-in, owned: the `Operation` a request holds borrows them.
///
/// `Debug` shows neither the session nor the secret hash.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SignInRequest {
    /// `ClientId`.
    client_id: String,
    /// `AuthParameters.USERNAME`.
    username: String,
    /// `AuthParameters.SECRET_HASH`.
    #[serde(default)]
    secret_hash: Option<String>,
    /// `Session`.
    session: String,
}

impl SignInRequest {
    /// The validated operation.
    ///
    /// # Errors
    /// `InvalidParameterException` listing every member that breaks the service model.
    #[expect(
        clippy::result_large_err,
        reason = "the crate's `Body::operation` returns it: the exception is the answer, built once \
                  for a refused request"
    )]
    pub fn operation(&self) -> Result<Operation<'_>, Exception<'static>> {
        SessionSignIn {
            client_id: &self.client_id,
            secret_hash: self.secret_hash.as_deref(),
            username: &self.username,
            session: &self.session,
        }
        .validate()
        .map(Operation::from)
    }
}

impl fmt::Debug for SignInRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignInRequest")
            .field("client_id", &self.client_id)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::SignInRequest;

    #[test]
    fn members_are_read_strictly_and_validated_as_the_service_does() {
        let parsed = |json: &str| serde_json::from_str::<SignInRequest>(json);
        assert!(parsed(r#"{"clientId":"c","username":"u","session":"s","extra":1}"#).is_err());
        assert!(parsed(r#"{"clientId":"c","username":"u"}"#).is_err());
        let whole = parsed(r#"{"clientId":"c","username":"u","session":"s"}"#);
        assert!(whole.is_ok());
        if let Ok(request) = &whole {
            // A one-letter session breaks the model's minimum length (20).
            assert!(request.operation().is_err());
            assert!(!format!("{request:?}").contains("\"s\""));
        }
    }
}
