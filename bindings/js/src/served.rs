//! Which operations a caller serves: [`decode`](crate::request::decode) refuses every other
//! one before it reads the body.

use confirmation_flow::cognito::OperationName;

use crate::error::Error;

/// The operations a caller serves. [`decode`](crate::request::decode) refuses every other
/// one before it reads the body, under its whole `X-Amz-Target` and its bare name alike.
///
/// [`Served::PUBLIC`] is the default: `SignUp`, `ConfirmSignUp` and
/// `ResendConfirmationCode`, which the service answers without a signature.
/// `AdminConfirmSignUp` is served only when a caller names it, and that caller must itself
/// authenticate who calls it (the service asks for an IAM-signed request; this package
/// verifies no `SigV4` signature), or anyone could confirm any user without a code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Served(u8);

impl Served {
    /// No operation at all.
    pub const NONE: Self = Self(0);

    /// `SignUp`, `ConfirmSignUp` and `ResendConfirmationCode`: the default.
    pub const PUBLIC: Self = Self::NONE
        .with(OperationName::SignUp)
        .with(OperationName::ConfirmSignUp)
        .with(OperationName::ResendConfirmationCode);

    /// These operations and `operation`.
    #[must_use]
    pub const fn with(self, operation: OperationName) -> Self {
        Self(self.0 | Self::bit(operation))
    }

    /// Whether `operation` is served.
    #[must_use]
    pub const fn serves(self, operation: OperationName) -> bool {
        let bit = Self::bit(operation);
        bit != 0 && self.0 & bit == bit
    }

    /// The operations named in `names`, each by its bare name (`AdminConfirmSignUp`);
    /// `path` names the list in errors.
    ///
    /// # Errors
    /// [`Error::Type`] for a name that is not one of the crate's operations.
    pub fn from_names<'a>(
        names: impl IntoIterator<Item = &'a str>,
        path: &str,
    ) -> Result<Self, Error> {
        names.into_iter().try_fold(Self::NONE, |served, name| {
            let target = [OperationName::TARGET_PREFIX, name].concat();
            OperationName::from_target(&target)
                .map(|operation| served.with(operation))
                .ok_or_else(|| {
                    Error::type_error(
                        path,
                        "operation names: SignUp, ConfirmSignUp, ResendConfirmationCode or \
                         AdminConfirmSignUp",
                    )
                })
        })
    }

    /// The operation's bit; none for an operation added to the crate after this binding,
    /// which is then never served.
    const fn bit(operation: OperationName) -> u8 {
        match operation {
            OperationName::SignUp => 1,
            OperationName::ConfirmSignUp => 2,
            OperationName::ResendConfirmationCode => 4,
            OperationName::AdminConfirmSignUp => 8,
            _ => 0,
        }
    }
}

impl Default for Served {
    fn default() -> Self {
        Self::PUBLIC
    }
}

#[cfg(test)]
mod tests {
    use super::Served;
    use crate::error::Error;
    use confirmation_flow::cognito::OperationName;

    #[test]
    fn the_public_operations_are_served_by_default_and_admin_ones_only_when_named() {
        assert_eq!(Served::default(), Served::PUBLIC);
        for public in [
            OperationName::SignUp,
            OperationName::ConfirmSignUp,
            OperationName::ResendConfirmationCode,
        ] {
            assert!(Served::PUBLIC.serves(public));
            assert!(!Served::NONE.serves(public));
        }
        assert!(!Served::PUBLIC.serves(OperationName::AdminConfirmSignUp));
        let admin = Served::from_names(["AdminConfirmSignUp"], "serves");
        assert_eq!(
            admin,
            Ok(Served::NONE.with(OperationName::AdminConfirmSignUp))
        );
        assert_eq!(
            Served::from_names(["ConfirmSignUp", "SignUp", "ResendConfirmationCode"], "s"),
            Ok(Served::PUBLIC)
        );
        assert_eq!(Served::from_names([], "serves"), Ok(Served::NONE));
        // A list holds bare names, exactly spelt.
        for wrong in [
            "AWSCognitoIdentityProviderService.SignUp",
            "signUp",
            "",
            "InitiateAuth",
        ] {
            assert!(matches!(
                Served::from_names(["SignUp", wrong], "serves"),
                Err(Error::Type(_))
            ));
        }
    }
}
