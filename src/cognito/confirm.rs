//! `ConfirmSignUp`: DESIGN §3's checks, in order, as one pure function.

use super::{
    AliasAttribute, AppClient, ConfirmSignUp, Exception, PostConfirmationEvent, Rejection, Session,
    SessionError, SessionPurpose, UserRecord, UserStatus,
    context::{Pool, check_client, exception_for},
};
use crate::{Confirmation, Timestamp};

/// What the caller looked up for a `ConfirmSignUp` request.
#[derive(Clone, Copy, Debug, Default)]
#[expect(clippy::exhaustive_structs, reason = "a plain set of look-up results")]
pub struct ConfirmLookup<'a> {
    /// The app client named by `ClientId`, if it exists.
    pub client: Option<AppClient<'a>>,
    /// The user named by `Username`, if it exists.
    pub user: Option<UserRecord<'a>>,
    /// Another user who holds the user's destination value as a verified alias, if any.
    pub alias_owner: Option<&'a str>,
}

/// A confirmed sign-up: everything the caller must write, in one transaction, with
/// compare-and-swap on the old state's version; then the trigger to invoke.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignUpConfirmed<'a> {
    /// The user's new state (status `Confirmed`).
    pub state: Confirmation,
    /// The attribute that became verified: set its `*_verified` to `true`.
    pub verified: Option<AliasAttribute>,
    /// With `ForceAliasCreation`, the user who held the alias: set their `*_verified` for
    /// the same attribute to `false` (they keep the value, not the alias).
    pub alias_taken_from: Option<&'a str>,
    /// The `PostConfirmation` event, to send after the write.
    pub event: PostConfirmationEvent<'a>,
    /// When the request carried a `Session`: a new sign-in session if it verified, or why
    /// it did not (the confirmation stands either way).
    pub session: Option<Result<Session, SessionError>>,
}

/// Runs `ConfirmSignUp`: validation, client, secret hash, user, status, then the code
/// (rate window, attempt budget, deadline, constant-time match), the alias conflict, and the
/// commit. `session_nonce` is 16 bytes from the caller's CSPRNG, used only if a sign-in
/// session is minted.
///
/// # Errors
/// A [`Rejection`]: the exception to answer with and, when the request was counted, the
/// state to persist before answering. Under `PreventUserExistenceErrors` an unknown user is
/// answered exactly like a wrong code, after the same work: one tag over
/// [`Pool::decoy_subject`] and one constant-time comparison.
pub fn confirm_sign_up<'a>(
    pool: &Pool<'a>,
    request: &ConfirmSignUp<'a>,
    lookup: &ConfirmLookup<'a>,
    now: Timestamp,
    session_nonce: &[u8; 16],
) -> Result<SignUpConfirmed<'a>, Rejection<'a>> {
    request.validate()?;
    let client_id = request.client_id;
    check_client(
        client_id,
        request.secret_hash,
        request.username,
        lookup.client.as_ref(),
    )?;
    let hides_users = lookup
        .client
        .is_some_and(|client| client.prevent_user_existence_errors);
    // An unknown user under PreventUserExistenceErrors walks the same path as a real one,
    // with a decoy whose tag no code matches: the same work, and a wrong code's answer.
    // The decoy is built either way and chosen by index, not by branch, so a real user and
    // an unknown one cost the same instructions.
    #[expect(
        clippy::needless_bitwise_bool,
        reason = "both sides evaluated: no branch on whether the user exists"
    )]
    let reveal_unknown = lookup.user.is_none() & !hides_users;
    if reveal_unknown {
        return Err(Exception::UserNotFound.into());
    }
    let candidates = [lookup.user, Some(UserRecord::decoy(pool, now))];
    let chosen = candidates
        .get(usize::from(lookup.user.is_none()))
        .copied()
        .flatten();
    let Some(user) = chosen else {
        return Err(Exception::InternalError.into());
    };
    if user.status != UserStatus::Unconfirmed {
        return Err(Exception::CannotConfirm {
            status: user.status,
        }
        .into());
    }
    let conflict = user
        .destination
        .zip(lookup.alias_owner.filter(|owner| *owner != user.username))
        .map(|(destination, owner)| (destination.attribute, owner));
    let (code, policy, key) = (request.confirmation_code, pool.policy, pool.key);
    let before = user.confirmation;
    let step = match conflict {
        Some(_) if !request.force_alias_creation => {
            before.submit_without_confirming(policy, key, user.subject, code, now)
        }
        _ => before.submit(policy, key, user.subject, code, now),
    };
    // Nothing to store for a user who does not exist; chosen by index, not by branch.
    let counted = step.changed(&before).then_some(step.state);
    let counted = [counted, None]
        .get(usize::from(lookup.user.is_none()))
        .copied()
        .flatten();
    if let Err(refusal) = step.outcome {
        return Err(Rejection {
            exception: exception_for(refusal),
            state: counted,
        });
    }
    if let (Some((attribute, _)), false) = (conflict, request.force_alias_creation) {
        return Err(Rejection {
            exception: Exception::AliasExists { attribute },
            state: counted,
        });
    }
    // A decoy cannot match (its tag is all zeros); should a hash ever say otherwise, a user
    // who does not exist is still never confirmed.
    if lookup.user.is_none() {
        return Err(Exception::CodeMismatch.into());
    }
    let verified = user.destination.map(|destination| destination.attribute);
    Ok(SignUpConfirmed {
        state: step.state,
        verified,
        alias_taken_from: conflict.map(|(_, owner)| owner),
        event: PostConfirmationEvent {
            region: pool.region,
            user_pool_id: pool.user_pool_id,
            user_name: user.username,
            client_id,
            stored_attributes: user.attributes,
            verified,
            client_metadata: request.client_metadata,
        },
        session: request.session.map(|token| {
            let purpose = SessionPurpose::ConfirmSignUp;
            Session::verify(key, token, purpose, user.username, client_id, now).map(|_| {
                let purpose = SessionPurpose::SignIn;
                Session::mint(
                    key,
                    purpose,
                    user.username,
                    client_id,
                    now,
                    pool.session_ttl,
                    session_nonce,
                )
            })
        }),
    })
}
