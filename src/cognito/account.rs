//! The account a public operation acts on: the user the request names, or, when the
//! client hides unknown users, the phantom in that user's place — chosen so that the work
//! after the choice is the same for both.

use super::{
    AliasAttribute, CodeDeliveryDetails, Destination, Exception, Expected, Lookup, PhantomId, Pool,
    Target, UserRecord, UserStatus, Write,
};
use core::hint::black_box;

use crate::{Confirmation, Timestamp};

/// A user, or a phantom, as the operations see it; `'s` borrows the look-up (or the
/// stand-in), so the chosen state is read in place, not copied.
#[derive(Clone, Copy)]
pub(crate) struct Account<'a, 's> {
    pub(crate) target: Target<'a>,
    pub(crate) expected: Expected,
    pub(crate) state: &'s Confirmation,
    /// The user's `sub` (a phantom's is its id, see [`Self::subject`]).
    user_subject: &'a str,
    pub(crate) username: &'a str,
    pub(crate) status: UserStatus,
    /// Where codes go: the user's destination, or, for a phantom, the pool's medium with an
    /// empty value (so both take the same path; a phantom's code is never delivered).
    pub(crate) destination: Option<Destination<'a>>,
    pub(crate) attributes: &'a [(&'a str, &'a str)],
    /// The phantom id of the username (for a user too: deriving it is part of the work).
    id: PhantomId,
    /// Whether this is the phantom.
    phantom: bool,
}

/// The record a new phantom starts from: shaped like a typical user of the pool (one
/// value, of the pool's medium), so that choosing its destination takes a user's path (the
/// value is never used), with a new phantom's state. Built for every request, user or not.
pub(crate) fn stand_in<'a>(pool: &Pool<'a>, username: &'a str, now: Timestamp) -> UserRecord<'a> {
    let medium = pool.auto_verified.medium();
    let placeholder = |attribute| (medium == Some(attribute)).then_some("-");
    UserRecord {
        username,
        subject: "",
        status: UserStatus::Unconfirmed,
        confirmation: Confirmation::unmatchable(pool.policy, pool.keys.current().id(), now),
        email: placeholder(AliasAttribute::Email),
        phone_number: placeholder(AliasAttribute::PhoneNumber),
        attributes: &[],
    }
}

impl<'a, 's> Account<'a, 's> {
    /// Steps 2 to 4 of the public operations: the client `client_id` names is known and
    /// [`AppClient::authorize`](super::AppClient::authorize) lets the request through, then
    /// the account the username names: the user, if the store has one; else, when the client
    /// hides unknown users, the phantom stored under `phantom` (its id), or a new one
    /// (`stand_in`, from [`stand_in`], which holds the username).
    ///
    /// The three candidates are all built, and one is taken by index rather than by a
    /// branch on which exists, so that choosing costs the same whichever it is.
    ///
    /// # Errors
    /// What [`Lookup::authorized_client`] refuses with; [`Exception::UserNotFound`] for an
    /// unknown user when the client does not hide them.
    // Inlined into each operation's decision: out of line, the `Result<Account, _>` it
    // returns is moved once more (86 instructions per decision, `.ci/icount-gate`).
    #[inline]
    pub(crate) fn resolve(
        pool: &Pool<'a>,
        phantom: Option<PhantomId>,
        lookup: &'s Lookup<'a>,
        stand_in: &'s UserRecord<'a>,
        client_id: &'a str,
        secret_hash: Option<&str>,
    ) -> Result<Self, Exception<'a>> {
        let client = lookup.authorized_client(client_id, stand_in.username, secret_hash)?;
        let missing = lookup.user.is_none();
        // Both sides computed as bytes the optimiser cannot see through, so that deciding
        // costs the same whether or not the user exists.
        let hides = client.prevent_user_existence_errors;
        let reveal = black_box(u8::from(missing)) & black_box(u8::from(!hides)) == 1;
        if reveal {
            return Err(Exception::UserNotFound);
        }
        let Some(id) = phantom else {
            return Err(Exception::InternalError);
        };
        let medium = pool.auto_verified.medium();
        let fresh = &stand_in.confirmation;
        // Candidates are picked by reference: one copy of the chosen state, whichever it is.
        let user = pick(
            &[lookup.user.as_ref(), Some(stand_in)],
            usize::from(missing),
        )
        .flatten()
        .unwrap_or(stand_in);
        let no_phantom = lookup.phantom.is_none();
        let stored = pick(
            &[lookup.phantom.as_ref(), Some(fresh)],
            usize::from(no_phantom),
        )
        .flatten()
        .unwrap_or(fresh);
        let new = missing & no_phantom;
        // 0: the user; 1: the stored phantom; 2: a new phantom.
        let index = usize::from(missing).saturating_add(usize::from(new));
        let state = pick(&[&user.confirmation, stored, fresh], index).unwrap_or(fresh);
        let real = Target::User {
            username: user.username,
            subject: user.subject,
            attributes: None,
        };
        let made = medium.map(|attribute| Destination {
            attribute,
            value: "",
        });
        let destination = pool
            .auto_verified
            .destination(user.email, user.phone_number);
        let version = Expected::Version(state.version());
        Ok(Self {
            target: pick(&[real, Target::Phantom(id), Target::Phantom(id)], index).unwrap_or(real),
            expected: pick(&[version, version, Expected::Absent], index).unwrap_or(version),
            state,
            user_subject: user.subject,
            username: user.username,
            status: user.status,
            destination: pick(&[destination, made], usize::from(missing)).unwrap_or(made),
            attributes: user.attributes,
            id,
            phantom: missing,
        })
    }

    /// Bound into the account's code tags: the user's `sub`, or the phantom's id (the same
    /// length as a UUID `sub`, so tagging costs the same).
    pub(crate) fn subject(&self) -> &[u8] {
        let user = self.user_subject.as_bytes();
        pick(&[user, self.id.as_bytes()], usize::from(self.phantom)).unwrap_or(user)
    }

    /// The user's `sub` as text (a phantom's stand-in's: never used for a phantom, which
    /// never confirms).
    pub(crate) const fn user_subject(&self) -> &'a str {
        self.user_subject
    }

    /// Whether this is a user, not a phantom.
    pub(crate) const fn is_user(&self) -> bool {
        !self.phantom
    }

    /// The write of `state` to the account's row: nothing else changes.
    pub(crate) const fn write(&self, state: Confirmation) -> Write<'a> {
        Write {
            target: self.target,
            expected: self.expected,
            state,
            status: None,
            verify: None,
            alias: None,
        }
    }

    /// `CodeDeliveryDetails` as a reply shows them: the user's masked destination, or for
    /// a phantom the pool's medium and a destination made from its opaque id.
    pub(crate) fn details(&self) -> Option<CodeDeliveryDetails<'a>> {
        let destination = self.destination?;
        Some(if self.phantom {
            CodeDeliveryDetails::made(destination.attribute, self.id.shown())
        } else {
            destination.details()
        })
    }
}

/// The item at `index`: every candidate is built first, and the choice is a read. The
/// index is hidden from the optimiser, which would otherwise turn the read back into a
/// branch on which candidate it is (`.ci/ct-gate` checks the result).
fn pick<T: Copy>(candidates: &[T], index: usize) -> Option<T> {
    candidates.get(black_box(index)).copied()
}
