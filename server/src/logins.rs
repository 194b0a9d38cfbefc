//! Pools with `UsernameAttributes`: users sign up and are named by their email or phone
//! number, as the service does it. The stored username is the user's `sub` (a UUID, the
//! stable id `SignUp` answers as `UserSub`); the email or phone number it was signed up
//! with is its login, unique in the pool whether verified or not (a unique index), and a
//! request that names a user by login is rewritten to name it by username before the
//! crate decides. Its `SecretHash` is checked first, over the username the client sent.

use confirmation_flow::cognito::{
    AdminConfirmSignUp, AliasAttribute, ConfirmSignUp, Operation, ResendConfirmationCode,
    SessionSignIn, SignUp, UserAttributes,
};

use crate::{
    App,
    answer::{Answer, internal},
    exceptions::ServerException,
    pools::Pool,
    user_directory,
};

/// How a request in a pool with `UsernameAttributes` is rewritten; empty elsewhere.
#[derive(Debug, Default)]
pub struct Rewrite {
    /// The username the request is rewritten to name.
    pub username: Option<String>,
    /// `SignUp`: the new user's `sub`, which is also its username.
    pub new_sub: Option<String>,
    /// `SignUp`: the email or phone number the new user signs in with, and which it is.
    pub login: Option<(AliasAttribute, String)>,
}

impl Rewrite {
    /// The rewrite `sent` needs in `pool`.
    ///
    /// # Errors
    /// `InvalidParameterException` for a `SignUp` whose username is not of a format the
    /// pool signs in with; `InternalErrorException` for a database error.
    pub async fn plan(app: &App, pool: &Pool, sent: &Operation<'_>) -> Result<Self, Answer> {
        let allowed = pool.username_attributes;
        if !allowed.email && !allowed.phone_number {
            return Ok(Self::default());
        }
        let username = match sent {
            Operation::SignUp(request) => {
                let attribute = [AliasAttribute::Email, AliasAttribute::PhoneNumber]
                    .into_iter()
                    .find(|&kind| allowed.contains(kind) && kind.is_format_of(request.username))
                    .ok_or_else(|| wrong_format(allowed.email, allowed.phone_number))?;
                let sub = uuid::Uuid::new_v4().hyphenated().to_string();
                return Ok(Self {
                    username: Some(sub.clone()),
                    new_sub: Some(sub),
                    login: Some((attribute, request.username.to_owned())),
                });
            }
            Operation::ConfirmSignUp(request) => request.username,
            Operation::ResendConfirmationCode(request) => request.username,
            Operation::AdminConfirmSignUp(request) => request.username,
            Operation::SessionSignIn(request) => request.username,
            _ => return Ok(Self::default()),
        };
        let stored = user_directory::username_of(&app.store, &pool.id, username)
            .await
            .map_err(internal)?;
        Ok(Self {
            username: stored,
            ..Self::default()
        })
    }

    /// `SignUp`'s attributes with the login as its email or phone number (whatever else
    /// the request said it was); empty for other operations.
    #[must_use]
    pub fn attributes<'a>(&self, sent: &Operation<'a>) -> Vec<(&'a str, &'a str)> {
        let (Some((attribute, _)), Operation::SignUp(request)) = (&self.login, sent) else {
            return Vec::new();
        };
        let name = attribute.as_str();
        let mut attributes: Vec<_> = request
            .user_attributes
            .iter()
            .flat_map(UserAttributes::iter)
            .filter(|&(other, _)| other != name)
            .collect();
        attributes.push((name, request.username));
        attributes
    }

    /// `sent`, naming the user by username, with `attributes` for a `SignUp`; `None` when
    /// nothing changes.
    ///
    /// # Errors
    /// The rewritten request does not validate (it does: its values are valid usernames).
    pub fn apply<'p>(
        &'p self,
        sent: &Operation<'p>,
        attributes: &'p [(&'p str, &'p str)],
    ) -> Result<Option<Operation<'p>>, Answer> {
        let Some(username) = self.username.as_deref() else {
            return Ok(None);
        };
        let operation = match *sent {
            Operation::SignUp(request) => Operation::from(
                SignUp {
                    username,
                    user_attributes: Some(UserAttributes::new(attributes)),
                    ..request.into_inner()
                }
                .validate()?,
            ),
            Operation::ConfirmSignUp(request) => Operation::from(
                ConfirmSignUp {
                    username,
                    ..request.into_inner()
                }
                .validate()?,
            ),
            Operation::ResendConfirmationCode(request) => Operation::from(
                ResendConfirmationCode {
                    username,
                    ..request.into_inner()
                }
                .validate()?,
            ),
            Operation::AdminConfirmSignUp(request) => Operation::from(
                AdminConfirmSignUp {
                    username,
                    ..request.into_inner()
                }
                .validate()?,
            ),
            Operation::SessionSignIn(request) => Operation::from(
                SessionSignIn {
                    username,
                    ..request.into_inner()
                }
                .validate()?,
            ),
            _ => return Ok(None),
        };
        Ok(Some(operation))
    }

    /// `UsernameExistsException` when another user already signs in with the login a
    /// `SignUp` would take (checked on every try: a lost race on the login's unique index
    /// ends here).
    ///
    /// # Errors
    /// The login is taken, or a database error.
    pub async fn refuse_taken(&self, app: &App, pool: &Pool) -> Result<(), Answer> {
        let Some((attribute, login)) = &self.login else {
            return Ok(());
        };
        let taken = user_directory::username_of(&app.store, &pool.id, login)
            .await
            .map_err(internal)?;
        match taken {
            None => Ok(()),
            Some(_) => Err(Answer::refuse(
                ServerException::UsernameExists,
                format!(
                    "An account with the given {} already exists.",
                    attribute.as_str()
                ),
            )),
        }
    }
}

/// `InvalidParameterException` for a username that is not an email or phone number as
/// the pool requires, in the service's words.
pub(crate) fn wrong_format(email: bool, phone_number: bool) -> Answer {
    let message = match (email, phone_number) {
        (true, true) => "Username should be either an email or a phone number.",
        (true, false) => "Username should be an email.",
        _ => "Username should be a phone number.",
    };
    Answer::refuse(ServerException::InvalidParameter, message)
}
