//! `ConfirmSignUp`: the request, its member table, and DESIGN §3's checks in order.

use core::fmt;

use super::{
    AliasClaim, AnalyticsMetadata, ClientMetadata, Exception, Fresh, Lookup, Outcome, PhantomId,
    Pool, PostConfirmationEvent, Reply, Session, SessionPurpose, TriggerSource, UserContextData,
    UserStatus, Valid, Write,
    account::{Account, stand_in},
    members::{self, Slot, Value},
    outcome::After,
    request::Redacted,
};
use crate::SignInGrant;

/// A `ConfirmSignUp` request, borrowed from wherever the caller decoded it.
///
/// `Debug` shows no code, hash, session or context data.
#[derive(Clone, Copy, Default)]
#[expect(
    clippy::exhaustive_structs,
    reason = "mirrors the service model's members; a new member is a breaking change, as in the SDKs"
)]
pub struct ConfirmSignUp<'a> {
    /// `ClientId` (required).
    pub client_id: &'a str,
    /// `SecretHash`, required in practice when the client has a secret.
    pub secret_hash: Option<&'a str>,
    /// `Username` (required): the user's username as the client knows it.
    pub username: &'a str,
    /// `ConfirmationCode` (required).
    pub confirmation_code: &'a str,
    /// `ForceAliasCreation`: take a verified alias from another user. Defaults to false.
    pub force_alias_creation: bool,
    /// `AnalyticsMetadata`.
    pub analytics_metadata: Option<AnalyticsMetadata<'a>>,
    /// `UserContextData`.
    pub user_context_data: Option<UserContextData<'a>>,
    /// `ClientMetadata`, for the `PostConfirmation` trigger.
    pub client_metadata: Option<ClientMetadata<'a>>,
    /// `Session`, from `SignUp`.
    pub session: Option<&'a str>,
}

/// The members, in the model's order.
pub(crate) const MEMBERS: &[Slot] = &[
    Slot::ClientId,
    Slot::SecretHash,
    Slot::Username,
    Slot::ConfirmationCode,
    Slot::ForceAliasCreation,
    Slot::AnalyticsMetadata,
    Slot::UserContextData,
    Slot::ClientMetadata,
    Slot::Session,
];

impl<'a> ConfirmSignUp<'a> {
    /// Checks every member against the service model.
    ///
    /// # Errors
    /// [`Exception::Validation`] listing every broken rule, in member order.
    pub fn validate(self) -> Result<Valid<Self>, Exception<'static>> {
        members::validated(self, MEMBERS, Self::value)
    }

    fn value(&self, slot: Slot) -> Value<'a> {
        match slot {
            Slot::ClientId => Value::text(Some(self.client_id)),
            Slot::SecretHash => Value::text(self.secret_hash),
            Slot::Username => Value::text(Some(self.username)),
            Slot::ConfirmationCode => Value::text(Some(self.confirmation_code)),
            Slot::Session => Value::text(self.session),
            _ => Value::Free,
        }
    }
}

impl fmt::Debug for ConfirmSignUp<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfirmSignUp")
            .field("client_id", &self.client_id)
            .field("secret_hash", &Redacted::of(self.secret_hash.as_ref()))
            .field("username", &self.username)
            .field("confirmation_code", &Redacted(true))
            .field("force_alias_creation", &self.force_alias_creation)
            .field("analytics_metadata", &self.analytics_metadata)
            .field(
                "user_context_data",
                &Redacted::of(self.user_context_data.as_ref()),
            )
            .field("client_metadata", &self.client_metadata)
            .field("session", &Redacted::of(self.session.as_ref()))
            .finish()
    }
}

/// Runs `ConfirmSignUp`: client, secret hash, user (or phantom), status, key, then the
/// code (rate window, attempt budget, deadline, constant-time match), the alias conflict,
/// and the commit.
pub(crate) fn decide<'a>(
    request: &ConfirmSignUp<'a>,
    pool: &Pool<'a>,
    phantom: Option<PhantomId>,
    lookup: &Lookup<'a>,
    fresh: &Fresh<'a>,
) -> Outcome<'a> {
    let (client_id, username) = (request.client_id, request.username);
    let stand_in = stand_in(pool, username, fresh.now);
    let secret_hash = request.secret_hash;
    let account = match Account::resolve(pool, phantom, lookup, &stand_in, client_id, secret_hash) {
        Ok(account) => account,
        Err(exception) => return Outcome::refuse(exception),
    };
    if account.status != UserStatus::Unconfirmed {
        return Outcome::refuse(Exception::CannotConfirm {
            status: account.status,
        });
    }
    let Some(key) = pool.keys.get(account.state.key_id()) else {
        return Outcome::refuse(Exception::InternalError);
    };
    // The attribute this code verifies, when it is an alias of the pool, and who else holds
    // the same value verified.
    let alias = account
        .destination
        .filter(|destination| pool.aliases.contains(destination.attribute));
    let owner = alias
        .and_then(|destination| lookup.alias_owners.of(destination.attribute))
        .filter(|owner| *owner != account.username);
    #[expect(
        clippy::needless_bitwise_bool,
        reason = "both sides evaluated: no branch on the request's flag"
    )]
    let held = owner.is_some() & !request.force_alias_creation;
    // A phantom's tag is never made from a code, and should a hash ever say otherwise, its
    // code is only proven, never confirming: a user who does not exist is never confirmed.
    // `&`: both sides evaluated, no branch on whether the user exists.
    let confirms = !held & account.is_user();
    let before = account.state;
    let subject = account.subject();
    let code = request.confirmation_code;
    // The sign-in session this confirmation hands out, minted beforehand so that the
    // confirmed state records its grant (spent by the one sign-in it allows); handed out
    // only if the code confirms.
    let session = sign_in_session(request, pool, lookup, &account, fresh);
    let grant = session
        .as_ref()
        .map_or(SignInGrant::NONE, |(_, grant)| *grant);
    let step = before.attempt(pool.policy, key, subject, code, fresh.now, confirms, grant);
    let counted = || step.changed(before).then(|| account.write(step.state));
    if let Err(refusal) = step.outcome {
        return Outcome::refuse_after(counted(), Exception::for_refusal(refusal));
    }
    if let (true, Some(destination)) = (held, alias) {
        let attribute = destination.attribute;
        return Outcome::refuse_after(counted(), Exception::AliasExists { attribute });
    }
    if !account.is_user() {
        return Outcome::refuse_after(counted(), Exception::CodeMismatch);
    }
    let verified = account.destination.map(|destination| destination.attribute);
    let claim =
        alias.map(|destination| AliasClaim::on(destination.attribute, destination.value, owner));
    Outcome::new(
        Some(Write {
            status: Some(UserStatus::Confirmed),
            verify: verified,
            alias: claim,
            ..account.write(step.state)
        }),
        Reply::ConfirmSignUp {
            session: session.map(|(session, _)| session),
        },
        After::PostConfirmation(PostConfirmationEvent {
            region: pool.region,
            user_pool_id: pool.user_pool_id,
            user_name: account.username,
            client_id,
            stored_attributes: account.attributes,
            verified,
            client_metadata: request.client_metadata,
            source: TriggerSource::ConfirmSignUp,
        }),
    )
}

/// The sign-in session a `ConfirmSignUp` hands out, from a client that hands sessions out
/// (its settings may have changed since `SignUp`), living the client's
/// `AuthSessionValidity`; and the grant the confirmed state records for it. With the
/// sign-up `Session` it carries, that session must verify for this user and client (one
/// that does not confirms the user all the same, and hands out nothing); without one, as
/// Amplify JS sends it (its `confirmSignUp` passes no `Session` and signs in with the one
/// the answer carries), the code alone stands for the sign-up.
fn sign_in_session<'a>(
    request: &ConfirmSignUp<'a>,
    pool: &Pool<'a>,
    lookup: &Lookup<'a>,
    account: &Account<'a, '_>,
    fresh: &Fresh<'a>,
) -> Option<(Session, SignInGrant)> {
    let ttl = lookup.client.and_then(|client| client.auth_sessions)?;
    let client_id = request.client_id;
    if let Some(token) = request.session {
        let purpose = SessionPurpose::ConfirmSignUp;
        let username = account.username;
        Session::verify(&pool.keys, token, purpose, username, client_id, fresh.now).ok()?;
    }
    // Bound to the user's `sub`, not its username: a user deleted and made again under the
    // same name is another user, and the store's `sub` is the one the tokens will carry.
    let minted = Session::mint(
        pool.keys.current(),
        SessionPurpose::SignIn,
        account.user_subject(),
        client_id,
        fresh.now,
        ttl,
        &fresh.nonce,
    );
    let until = fresh.now.saturating_add(ttl);
    Some((minted, SignInGrant::new(fresh.nonce, until)))
}
