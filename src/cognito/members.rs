//! The member tables: each operation lists its members once, by wire name, and the one
//! validation here runs over that list — for requests built in code and for decoded bodies
//! alike, so the two can never disagree.

use super::{
    Exception, Pairs, Valid,
    validation::{
        ATTRIBUTE_NAME, ATTRIBUTE_VALUE, AttributePart, CLIENT_ID, CONFIRMATION_CODE, Facts,
        Member, PASSWORD, SECRET_HASH, SESSION, Shape, USER_POOL_ID, USERNAME, ValidationErrors,
    },
};

/// A request member of any operation, as the wire names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Slot {
    ClientId,
    SecretHash,
    Username,
    ConfirmationCode,
    Session,
    UserPoolId,
    Password,
    UserAttributes,
    ValidationData,
    ForceAliasCreation,
    ClientMetadata,
    AnalyticsMetadata,
    UserContextData,
}

/// What the model constrains about a member.
enum Rule {
    /// A string with this shape.
    Text(Member, Shape),
    /// A list of `AttributeType` entries; the function names an entry's member.
    Entries(fn(u16, AttributePart) -> Member),
    /// Nothing.
    Free,
}

impl Slot {
    /// The member's name in a JSON body.
    #[cfg(feature = "serde")]
    pub(crate) const fn wire_name(self) -> &'static str {
        match self {
            Self::ClientId => "ClientId",
            Self::SecretHash => "SecretHash",
            Self::Username => "Username",
            Self::ConfirmationCode => "ConfirmationCode",
            Self::Session => "Session",
            Self::UserPoolId => "UserPoolId",
            Self::Password => "Password",
            Self::UserAttributes => "UserAttributes",
            Self::ValidationData => "ValidationData",
            Self::ForceAliasCreation => "ForceAliasCreation",
            Self::ClientMetadata => "ClientMetadata",
            Self::AnalyticsMetadata => "AnalyticsMetadata",
            Self::UserContextData => "UserContextData",
        }
    }

    const fn rule(self) -> Rule {
        match self {
            Self::ClientId => Rule::Text(Member::ClientId, CLIENT_ID),
            Self::SecretHash => Rule::Text(Member::SecretHash, SECRET_HASH),
            Self::Username => Rule::Text(Member::Username, USERNAME),
            Self::ConfirmationCode => Rule::Text(Member::ConfirmationCode, CONFIRMATION_CODE),
            Self::Session => Rule::Text(Member::Session, SESSION),
            Self::UserPoolId => Rule::Text(Member::UserPoolId, USER_POOL_ID),
            Self::Password => Rule::Text(Member::Password, PASSWORD),
            Self::UserAttributes => {
                Rule::Entries(|position, part| Member::UserAttribute { position, part })
            }
            Self::ValidationData => {
                Rule::Entries(|position, part| Member::ValidationData { position, part })
            }
            Self::ForceAliasCreation
            | Self::ClientMetadata
            | Self::AnalyticsMetadata
            | Self::UserContextData => Rule::Free,
        }
    }
}

/// A member's value as validation sees it.
pub(crate) enum Value<'v> {
    /// A string member: what was kept of it and the facts of all of it, if present.
    Text(Option<(&'v str, Facts)>),
    /// A list of `AttributeType` entries, if present.
    Entries(Option<Pairs<'v>>),
    /// A member the model does not constrain.
    Free,
}

impl<'v> Value<'v> {
    /// A string member held whole.
    pub(crate) fn text(value: Option<&'v str>) -> Self {
        Self::Text(value.map(|text| (text, Facts::of(text))))
    }
}

/// Checks every member of `members`, in order, against the model.
pub(crate) fn validate<'v>(
    members: &[Slot],
    value: impl Fn(Slot) -> Value<'v>,
) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::default();
    for &slot in members {
        match (slot.rule(), value(slot)) {
            (Rule::Text(member, shape), Value::Text(text)) => errors.check(member, shape, text),
            (Rule::Entries(member), Value::Entries(Some(entries))) => {
                for (index, (name, text)) in entries.iter().enumerate() {
                    let position = u16::try_from(index.saturating_add(1)).unwrap_or(u16::MAX);
                    let name = Some((name, Facts::of(name)));
                    errors.check(member(position, AttributePart::Name), ATTRIBUTE_NAME, name);
                    let text = Some((text, Facts::of(text)));
                    errors.check(
                        member(position, AttributePart::Value),
                        ATTRIBUTE_VALUE,
                        text,
                    );
                }
            }
            _ => {}
        }
    }
    errors.into_result()
}

/// `request`, once every member of `members` (read with `value`) passes the model: the one
/// way a request becomes [`Valid`].
pub(crate) fn validated<'v, T>(
    request: T,
    members: &[Slot],
    value: fn(&T, Slot) -> Value<'v>,
) -> Result<Valid<T>, Exception<'static>> {
    validate(members, |slot| value(&request, slot)).map_err(Exception::Validation)?;
    Ok(Valid::checked(request))
}
