//! What `AdminCreateUser` sends, checked as the service checks it (`invitations.rs` acts on
//! it): the members this server reads, the attributes, the username's format in the pool,
//! and where the invitation goes.

use confirmation_flow::cognito::{AliasAttribute, Exception};
use confirmation_flow_store::{Param, Value};
use serde::Deserialize;

use crate::{
    App,
    admin_request::invalid,
    answer::{Answer, internal},
    logins,
    pools::Pool,
};

#[derive(Deserialize)]
pub(crate) struct Attribute {
    #[serde(rename = "Name")]
    pub(crate) name: String,
    #[serde(rename = "Value")]
    pub(crate) value: Option<String>,
}

/// The members this server reads; `ValidationData` and `ClientMetadata` (for triggers it
/// does not run) are accepted and not acted on.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Request {
    pub(crate) user_pool_id: Option<String>,
    pub(crate) username: Option<String>,
    #[serde(default)]
    pub(crate) user_attributes: Vec<Attribute>,
    pub(crate) temporary_password: Option<String>,
    #[serde(default)]
    pub(crate) force_alias_creation: bool,
    pub(crate) message_action: Option<String>,
    pub(crate) desired_delivery_mediums: Option<Vec<String>>,
}

/// A new user's attributes, checked.
#[derive(Default)]
pub(crate) struct Attributes {
    pub(crate) email: Option<String>,
    pub(crate) phone_number: Option<String>,
    pub(crate) email_verified: bool,
    pub(crate) phone_number_verified: bool,
}

impl Attributes {
    pub(crate) fn value(&self, attribute: AliasAttribute) -> Option<&str> {
        match attribute {
            AliasAttribute::Email => self.email.as_deref(),
            AliasAttribute::PhoneNumber => self.phone_number.as_deref(),
        }
    }

    pub(crate) fn verified(&self, attribute: AliasAttribute) -> Option<&str> {
        let verified = match attribute {
            AliasAttribute::Email => self.email_verified,
            AliasAttribute::PhoneNumber => self.phone_number_verified,
        };
        self.value(attribute).filter(|_| verified)
    }
}

/// The attributes sent, checked: `email` and `phone_number` of their formats, and each of
/// those and their `*_verified` named once.
pub(crate) fn attributes(sent: &[Attribute]) -> Result<Attributes, Answer> {
    let mut checked = Attributes::default();
    for (index, attribute) in sent.iter().enumerate() {
        let value = attribute.value.as_deref().unwrap_or("");
        let repeated = sent[..index]
            .iter()
            .any(|other| other.name == attribute.name);
        let kind = [AliasAttribute::Email, AliasAttribute::PhoneNumber]
            .into_iter()
            .find(|kind| {
                attribute
                    .name
                    .strip_suffix("_verified")
                    .unwrap_or(&attribute.name)
                    == kind.as_str()
            });
        let Some(kind) = kind else { continue };
        if repeated {
            return Err(Exception::AttributeRepeated { attribute: kind }.into());
        }
        if attribute.name.ends_with("_verified") {
            // Any case, as the service reads it (an AWS-verified suite sends `True`).
            let verified = match value.to_ascii_lowercase().as_str() {
                "true" => true,
                "false" => false,
                _ => return Err(invalid(format!("{} must be true or false", attribute.name))),
            };
            match kind {
                AliasAttribute::Email => checked.email_verified = verified,
                AliasAttribute::PhoneNumber => checked.phone_number_verified = verified,
            }
            continue;
        }
        if !kind.accepts(value) {
            return Err(Exception::AttributeFormat { attribute: kind }.into());
        }
        match kind {
            AliasAttribute::Email => checked.email = Some(value.to_owned()),
            AliasAttribute::PhoneNumber => checked.phone_number = Some(value.to_owned()),
        }
    }
    Ok(checked)
}

/// The username the user is stored under, and its login: in a pool with
/// `UsernameAttributes`, a new `sub`, signing in with `named` (which becomes its email or
/// phone number); elsewhere `named`, which must not have the format of an alias.
pub(crate) fn name(
    pool: &Pool,
    named: &str,
    attributes: &mut Attributes,
) -> Result<(String, Option<String>), Answer> {
    let allowed = pool.username_attributes;
    if allowed.email || allowed.phone_number {
        let kind = [AliasAttribute::Email, AliasAttribute::PhoneNumber]
            .into_iter()
            .find(|&kind| allowed.contains(kind) && kind.is_format_of(named))
            .ok_or_else(|| logins::wrong_format(allowed.email, allowed.phone_number))?;
        match kind {
            AliasAttribute::Email => attributes.email = Some(named.to_owned()),
            AliasAttribute::PhoneNumber => attributes.phone_number = Some(named.to_owned()),
        }
        let sub = uuid::Uuid::new_v4().hyphenated().to_string();
        return Ok((sub, Some(named.to_owned())));
    }
    let shadowing = [AliasAttribute::Email, AliasAttribute::PhoneNumber]
        .into_iter()
        .find(|&kind| pool.aliases.contains(kind) && kind.is_format_of(named));
    if let Some(attribute) = shadowing {
        return Err(Exception::UsernameFormat { attribute }.into());
    }
    Ok((named.to_owned(), None))
}

/// Where the invitation goes: the first of `mediums` the user has an attribute for. When
/// the request named none (the default, `SMS`), a user without a phone number is sent
/// nothing, as the service does; when it named them, that is refused.
pub(crate) fn destination(
    mediums: &Mediums,
    attributes: &Attributes,
) -> Result<Option<(AliasAttribute, String)>, Answer> {
    let found = mediums.named.iter().find_map(|medium| {
        let kind = if medium == "EMAIL" {
            AliasAttribute::Email
        } else {
            AliasAttribute::PhoneNumber
        };
        attributes.value(kind).map(|value| (kind, value.to_owned()))
    });
    if found.is_none() && mediums.given {
        return Err(invalid(
            "User has no attribute matching desired delivery mediums",
        ));
    }
    Ok(found)
}

/// `DesiredDeliveryMediums`.
pub(crate) struct Mediums {
    /// `SMS` when the request named none.
    pub(crate) named: Vec<String>,
    /// Whether the request named them.
    pub(crate) given: bool,
}

/// Who else holds `value` verified as `attribute` in the pool.
pub(crate) async fn owner(
    app: &App,
    pool_id: &str,
    attribute: AliasAttribute,
    value: &str,
) -> Result<Option<String>, Answer> {
    let sql = match attribute {
        AliasAttribute::Email => {
            "SELECT username FROM users WHERE pool_id = $1 AND email = $2 AND email_alias"
        }
        AliasAttribute::PhoneNumber => {
            "SELECT username FROM users WHERE pool_id = $1 AND phone_number = $2 AND phone_number_alias"
        }
    };
    let params = vec![Param::text(pool_id), Param::text(value)];
    let rows = app.store.rows(sql.into(), params).await.map_err(internal)?;
    Ok(rows.into_iter().flatten().find_map(|value| match value {
        Value::Text(owner) => Some(owner),
        _ => None,
    }))
}

/// An `AdminCreateUser` request, checked.
pub(crate) struct Invitation {
    pub(crate) pool: std::sync::Arc<Pool>,
    /// The username the user is (or, for `RESEND`, was) stored under.
    pub(crate) username: String,
    /// Its login, in a pool with `UsernameAttributes`.
    pub(crate) login: Option<String>,
    pub(crate) attributes: Attributes,
    pub(crate) temporary: String,
    pub(crate) force: bool,
    /// `DesiredDeliveryMediums`; `None` with `SUPPRESS`.
    pub(crate) mediums: Option<Mediums>,
}
