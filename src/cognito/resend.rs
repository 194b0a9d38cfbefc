//! `ResendConfirmationCode`: a new code, the old one dead, the rate windows never refunded.

use core::fmt;

use super::{
    AliasAttribute, AppClient, Exception, Rejection, ResendConfirmationCode, UserRecord,
    UserStatus,
    context::{Pool, check_client},
};
use crate::{Code, Confirmation, ENTROPY_LEN, Refusal, Timestamp};

/// A code was (or, for a hidden unknown user, appears to have been) sent again.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CodeResent<'a> {
    /// The user's new state, to write with compare-and-swap; `None` for a hidden unknown user.
    pub state: Option<Confirmation>,
    /// The code to deliver to [`CodeDeliveryDetails::destination`]; `None` for a hidden
    /// unknown user.
    pub code: Option<Code>,
    /// `CodeDeliveryDetails` for the response; `None` if the user has no destination.
    pub delivery: Option<CodeDeliveryDetails<'a>>,
}

/// `CodeDeliveryDetails`: where the code went, with the destination masked on output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CodeDeliveryDetails<'a> {
    /// `AttributeName`.
    pub attribute: AliasAttribute,
    /// The unmasked destination; [`Self::masked_destination`] is what the response shows.
    pub destination: &'a str,
}

impl<'a> CodeDeliveryDetails<'a> {
    /// `DeliveryMedium`: `EMAIL` or `SMS`.
    #[must_use]
    pub const fn delivery_medium(&self) -> &'static str {
        match self.attribute {
            AliasAttribute::Email => "EMAIL",
            AliasAttribute::PhoneNumber => "SMS",
        }
    }

    /// `Destination` as the service shows it: `j***@e***` for an email,
    /// `+*******1212` for a phone number.
    #[must_use]
    pub const fn masked_destination(&self) -> MaskedDestination<'a> {
        MaskedDestination(self.attribute, self.destination)
    }
}

/// A destination, masked when displayed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MaskedDestination<'a>(AliasAttribute, &'a str);

impl fmt::Display for MaskedDestination<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let first = |text: &str| text.chars().next().unwrap_or('*');
        match (self.0, self.1.split_once('@')) {
            (AliasAttribute::Email, Some((local, domain))) => {
                write!(f, "{}***@{}***", first(local), first(domain))
            }
            (AliasAttribute::Email, None) => write!(f, "{}***", first(self.1)),
            (AliasAttribute::PhoneNumber, _) => {
                let digits = self.1.chars().count();
                let mut tail = self.1.chars().skip(digits.saturating_sub(4));
                f.write_str("+*******")?;
                tail.try_for_each(|digit| write!(f, "{digit}"))
            }
        }
    }
}

/// Runs `ResendConfirmationCode`: validation, client, secret hash, user, status, then a new
/// code from `entropy` (32 bytes from the caller's CSPRNG).
///
/// # Errors
/// A [`Rejection`] with the exception to answer; a refused resend never changes the state.
/// Under `PreventUserExistenceErrors` an unknown user gets a normal-looking answer with
/// delivery details derived from the username, and nothing to store or send.
pub fn resend_confirmation_code<'a>(
    pool: &Pool<'a>,
    request: &ResendConfirmationCode<'a>,
    client: Option<&AppClient<'a>>,
    user: Option<&UserRecord<'a>>,
    now: Timestamp,
    entropy: &[u8; ENTROPY_LEN],
) -> Result<CodeResent<'a>, Rejection<'a>> {
    request.validate()?;
    check_client(
        request.client_id,
        request.secret_hash,
        request.username,
        client,
    )?;
    let Some(user) = user else {
        if client.is_some_and(|client| client.prevent_user_existence_errors) {
            let attribute = if request.username.contains('@') {
                AliasAttribute::Email
            } else {
                AliasAttribute::PhoneNumber
            };
            let delivery = CodeDeliveryDetails {
                attribute,
                destination: request.username,
            };
            return Ok(CodeResent {
                state: None,
                code: None,
                delivery: Some(delivery),
            });
        }
        return Err(Exception::UserNotFound.into());
    };
    match user.status {
        UserStatus::Unconfirmed => {}
        UserStatus::Confirmed => return Err(Exception::AlreadyConfirmedResend.into()),
        status => return Err(Exception::CannotConfirm { status }.into()),
    }
    let (state, code) = user
        .confirmation
        .reissue(pool.policy, pool.key, user.subject, now, entropy)
        .map_err(|refusal| match refusal {
            Refusal::AlreadyConfirmed => Exception::AlreadyConfirmedResend,
            Refusal::RateLimited { .. } => Exception::LimitExceeded,
            _ => Exception::InternalError,
        })?;
    let delivery = user.destination.map(|destination| CodeDeliveryDetails {
        attribute: destination.attribute,
        destination: destination.value,
    });
    Ok(CodeResent {
        state: Some(state),
        code: Some(code),
        delivery,
    })
}
