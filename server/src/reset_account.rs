//! Who a password reset acts on: the user a request names, with where their code goes, or,
//! when the client hides unknown users, the phantom in their place (`password_reset.rs`).

use confirmation_flow::cognito::{AliasAttribute, Exception, PhantomId};

use crate::{
    App,
    admin_request::invalid,
    answer::Answer,
    exceptions::ServerException,
    password_sign_in::{User, find},
    pools::{Client, Pool},
};

/// The service's answer for a user with no verified email or phone number.
pub(crate) const NOTHING_VERIFIED: &str = "Cannot reset password for the user as there is no \
     registered/verified email or phone_number";
/// The service's answer for a user whose status allows no reset (an invitation not taken).
pub(crate) const NOT_NOW: &str = "User password cannot be reset in the current state.";

/// Who a reset acts on.
pub(crate) struct Account {
    /// The reset's row: the user's `sub`, or the phantom's id.
    pub key: String,
    /// The user; `None` for a phantom.
    pub user: Option<Recipient>,
    /// A phantom's medium (the pool's, else email).
    pub medium: AliasAttribute,
    pub phantom: PhantomId,
}

/// A user a reset code goes to.
pub(crate) struct Recipient {
    pub username: String,
    /// Their verified phone number, else email (empty when a code is redeemed, not sent).
    pub attribute: AliasAttribute,
    pub destination: String,
}

impl Account {
    /// Bound into the code's tag.
    pub(crate) fn subject(&self) -> String {
        format!("password-reset:{}", self.key)
    }

    /// The user `named` names through `client`, or their phantom; `for_code`: a code is to
    /// be sent (`ForgotPassword`), so a user with nothing verified to send it to counts as
    /// nobody, and an invitation not taken is refused.
    pub(crate) async fn resolve(
        app: &App,
        client: &Client,
        pool: &Pool,
        named: &str,
        for_code: bool,
    ) -> Result<Self, Answer> {
        let user = find(app, client, named).await?;
        // Derived for a user too: it is part of the work.
        let phantom = PhantomId::derive(app.keys().current(), &pool.id, named);
        let medium = pool.auto_verified.medium().unwrap_or(AliasAttribute::Email);
        let hides = client.prevent_user_existence_errors;
        let recipient = |user: &User, (attribute, destination)| Recipient {
            username: user.identity.username.clone(),
            attribute,
            destination,
        };
        let user = match user {
            Some(user) if for_code && user.status == "FORCE_CHANGE_PASSWORD" => {
                return Err(Answer::refuse(ServerException::NotAuthorized, NOT_NOW));
            }
            Some(user) => match (
                verified_destination(
                    (user.identity.email.as_deref(), user.identity.email_verified),
                    (
                        user.identity.phone_number.as_deref(),
                        user.identity.phone_number_verified,
                    ),
                ),
                for_code,
            ) {
                (Some(destination), _) => {
                    Some((user.identity.sub.clone(), recipient(&user, destination)))
                }
                (None, false) => Some((
                    user.identity.sub.clone(),
                    recipient(&user, (medium, String::new())),
                )),
                (None, true) if hides => None,
                (None, true) => return Err(invalid(NOTHING_VERIFIED)),
            },
            None if hides => None,
            None => return Err(Exception::UserNotFound.into()),
        };
        let (key, user) = match user {
            Some((sub, recipient)) => (sub, Some(recipient)),
            None => (phantom.as_str().to_owned(), None),
        };
        Ok(Self {
            key,
            user,
            medium,
            phantom,
        })
    }
}

/// Where a user's reset code goes: their verified phone number, else their verified email.
pub(crate) fn verified_destination(
    (email, email_verified): (Option<&str>, bool),
    (phone_number, phone_number_verified): (Option<&str>, bool),
) -> Option<(AliasAttribute, String)> {
    let phone = phone_number
        .filter(|_| phone_number_verified)
        .map(|value| (AliasAttribute::PhoneNumber, value.to_owned()));
    let email = email
        .filter(|_| email_verified)
        .map(|value| (AliasAttribute::Email, value.to_owned()));
    phone.or(email)
}
