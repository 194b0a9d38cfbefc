//! Who a password reset acts on: the user a request names, with where their code goes, or,
//! when the client hides unknown users, the phantom in their place (`password_reset.rs`).

use confirmation_flow::cognito::{
    AliasAttribute, AttributeSet, CodeDeliveryDetails, Destination, Exception, PhantomId,
};

use crate::{
    App,
    admin_request::invalid,
    answer::Answer,
    exceptions::ServerException,
    password_sign_in::find,
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
    /// The name the request sent, when it is an address (see [`Account::phantom_details`]).
    pub named_address: Option<(AliasAttribute, String)>,
}

/// A user a reset code goes to.
pub(crate) struct Recipient {
    pub sub: String,
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
    /// be sent (`ForgotPassword`), not redeemed.
    ///
    /// Under `PreventUserExistenceErrors`, a user with nothing verified to send a code to and
    /// one who has not taken their invitation are answered as nobody is, in both operations,
    /// their codes counted on the phantom's row as nobody's are. Without it, sending them a
    /// code is refused as the service refuses it, and a redemption counts on their own row.
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
        let user = match user {
            None if hides => None,
            None => return Err(Exception::UserNotFound.into()),
            Some(user) => {
                let identity = &user.identity;
                let destination = verified_destination(
                    (identity.email.as_deref(), identity.email_verified),
                    (
                        identity.phone_number.as_deref(),
                        identity.phone_number_verified,
                    ),
                );
                let invited = user.status == "FORCE_CHANGE_PASSWORD";
                let to = |(attribute, destination)| Recipient {
                    sub: identity.sub.clone(),
                    username: identity.username.clone(),
                    attribute,
                    destination,
                };
                match (destination, invited) {
                    (None, _) | (_, true) if hides => None,
                    (_, true) if for_code => {
                        return Err(Answer::refuse(ServerException::NotAuthorized, NOT_NOW));
                    }
                    (None, _) if for_code => return Err(invalid(NOTHING_VERIFIED)),
                    (None, _) => Some(to((medium, String::new()))),
                    (Some(destination), _) => Some(to(destination)),
                }
            }
        };
        Ok(Self {
            key: user
                .as_ref()
                .map_or_else(|| phantom.as_str().to_owned(), |user| user.sub.clone()),
            user,
            medium,
            phantom,
            named_address: address(pool, named),
        })
    }

    /// What a reply shows for a phantom: the name itself, when it is an address the pool
    /// signs users in or aliases with (what a user it named would show, masked), else symbols
    /// made from the phantom's id.
    pub(crate) fn phantom_details(&self) -> CodeDeliveryDetails<'_> {
        match &self.named_address {
            Some((attribute, value)) => Destination {
                attribute: *attribute,
                value,
            }
            .details(),
            None => CodeDeliveryDetails::of_phantom(self.medium, &self.phantom),
        }
    }
}

/// `named` as an email address or phone number, if it has that shape and the pool signs
/// users in or aliases with it.
fn address(pool: &Pool, named: &str) -> Option<(AliasAttribute, String)> {
    let (logins, aliases) = (pool.username_attributes, pool.aliases);
    let email = (logins.email || aliases.email) && named.contains('@');
    let digits = named
        .strip_prefix('+')
        .is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit()));
    let phone = (logins.phone_number || aliases.phone_number) && digits;
    let attribute = match (email, phone) {
        (true, _) => AliasAttribute::Email,
        (_, true) => AliasAttribute::PhoneNumber,
        _ => return None,
    };
    Some((attribute, named.to_owned()))
}

/// Where a user's reset code goes: their verified phone number, else their verified email
/// (the crate's rule for where codes go, over the attributes the user has verified).
pub(crate) fn verified_destination(
    (email, email_verified): (Option<&str>, bool),
    (phone_number, phone_number_verified): (Option<&str>, bool),
) -> Option<(AliasAttribute, String)> {
    let verified = AttributeSet {
        email: email_verified,
        phone_number: phone_number_verified,
    };
    let destination = verified.destination(email, phone_number)?;
    Some((destination.attribute, destination.value.to_owned()))
}
