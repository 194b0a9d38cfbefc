//! Where a code goes (`Destination`, unmasked, for delivery) and how a reply shows it
//! (`CodeDeliveryDetails`, masked).

use core::fmt;

use super::{AliasAttribute, AttributeSet};

impl AttributeSet {
    /// Where codes go in a pool that auto-verifies these attributes, for a user with this
    /// `email` and `phone_number`: the phone when it is auto-verified and the user has one
    /// (as the service does when both are), else the email; `None` when neither applies.
    #[must_use]
    pub fn destination<'a>(
        self,
        email: Option<&'a str>,
        phone_number: Option<&'a str>,
    ) -> Option<Destination<'a>> {
        let present = |value: Option<&'a str>| value.filter(|value| !value.is_empty());
        let phone = present(phone_number)
            .filter(|_| self.phone_number)
            .map(|value| Destination {
                attribute: AliasAttribute::PhoneNumber,
                value,
            });
        let email = present(email)
            .filter(|_| self.email)
            .map(|value| Destination {
                attribute: AliasAttribute::Email,
                value,
            });
        phone.or(email)
    }
}

/// Where a user's confirmation code goes, unmasked: for delivering it, never for replies.
#[derive(Clone, Copy, PartialEq, Eq)]
#[expect(
    clippy::exhaustive_structs,
    reason = "an attribute and its value, nothing more"
)]
pub struct Destination<'a> {
    /// Which attribute.
    pub attribute: AliasAttribute,
    /// Its value, e.g. the email address.
    pub value: &'a str,
}

impl fmt::Debug for Destination<'_> {
    /// Masked, as in replies: a destination is personal data.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Destination({}, {})",
            self.attribute,
            self.details().masked_destination()
        )
    }
}

impl<'a> Destination<'a> {
    /// The `CodeDeliveryDetails` a reply shows for it.
    #[must_use]
    pub const fn details(&self) -> CodeDeliveryDetails<'a> {
        CodeDeliveryDetails {
            attribute: self.attribute,
            shown: Shown::Value(self.value),
        }
    }
}

/// `CodeDeliveryDetails`: where a code went, as a reply shows it (the destination masked).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CodeDeliveryDetails<'a> {
    attribute: AliasAttribute,
    shown: Shown<'a>,
}

/// What a masked destination is made from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shown<'a> {
    /// A real destination's value.
    Value(&'a str),
    /// Four symbols derived from a phantom's opaque id: for an email, the two letters shown;
    /// for a phone number, its last four digits.
    Made([u8; 4]),
}

impl fmt::Debug for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Shown(<personal data>)")
    }
}

impl CodeDeliveryDetails<'_> {
    /// Details for a phantom: `attribute`, shown through symbols made from `bytes` (derived
    /// from its opaque id, so nothing of the username shows and every reply agrees).
    pub(crate) const fn made(attribute: AliasAttribute, bytes: [u8; 4]) -> Self {
        Self {
            attribute,
            shown: Shown::Made(bytes),
        }
    }

    /// Details for the phantom `id` (see [`PhantomId`](super::PhantomId)) of `attribute`:
    /// what a reply shows in place of a user who does not exist, with symbols derived from
    /// the phantom's id, so every reply for the same username agrees and none shows any of it.
    #[must_use]
    pub const fn of_phantom(attribute: AliasAttribute, id: &super::PhantomId) -> Self {
        Self::made(attribute, id.shown())
    }

    /// `AttributeName`: `email` or `phone_number`.
    #[must_use]
    pub const fn attribute(&self) -> AliasAttribute {
        self.attribute
    }

    /// `DeliveryMedium`: `EMAIL` or `SMS`.
    #[must_use]
    pub const fn delivery_medium(&self) -> &'static str {
        self.attribute.delivery_medium()
    }

    /// `Destination` as the service shows it: `j***@e***` for an email,
    /// `+*******1212` for a phone number.
    #[must_use]
    pub const fn masked_destination(&self) -> MaskedDestination<'_> {
        MaskedDestination(self)
    }
}

/// A destination, masked when displayed.
#[derive(Clone, Copy, Debug)]
pub struct MaskedDestination<'d>(&'d CodeDeliveryDetails<'d>);

impl fmt::Display for MaskedDestination<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let first = |text: &str| text.chars().next().unwrap_or('*');
        match (self.0.attribute, self.0.shown) {
            (AliasAttribute::Email, Shown::Value(value)) => match value.split_once('@') {
                Some((local, domain)) => write!(f, "{}***@{}***", first(local), first(domain)),
                None => write!(f, "{}***", first(value)),
            },
            (AliasAttribute::Email, Shown::Made([a, b, ..])) => {
                let letter = |byte: u8| char::from(b'a'.saturating_add(byte % 26));
                write!(f, "{}***@{}***", letter(a), letter(b))
            }
            (AliasAttribute::PhoneNumber, Shown::Value(value)) => {
                let digits = value.chars().count();
                f.write_str("+*******")?;
                value
                    .chars()
                    .skip(digits.saturating_sub(4))
                    .try_for_each(|digit| write!(f, "{digit}"))
            }
            (AliasAttribute::PhoneNumber, Shown::Made(bytes)) => {
                f.write_str("+*******")?;
                bytes.iter().try_for_each(|byte| {
                    write!(f, "{}", char::from(b'0'.saturating_add(byte % 10)))
                })
            }
        }
    }
}
