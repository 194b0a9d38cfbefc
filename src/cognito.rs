//! The Cognito surface: `SignUp`'s code part, `ConfirmSignUp`, `AdminConfirmSignUp`,
//! `ResendConfirmationCode` and the sign-in with the `Session` a confirmation handed out
//! ([`SessionSignIn`]) as the service answers them, through one loop:
//!
//! ```text
//! request ─► Operation (validated once) ─► needs ─► your store's lookup ─► decide
//!   ─► outcome.write() in one transaction (a lost race: look up and decide again)
//!   ─► outcome.applied() ─► trigger ─► reply ─► deliver
//! ```
//!
//! Every operation goes through the same steps with the same types; the crate's README
//! walks through it with a store.

mod account;
mod admin;
mod confirm;
mod delivery;
mod domain;
mod email;
mod exception;
mod exception_message;
mod lookup;
mod members;
mod operation;
mod outcome;
mod pairs;
mod pattern;
mod phantom;
mod request;
mod resend;
mod secret_hash;
mod session;
mod session_sign_in;
mod sign_up;
mod trigger;
mod username_chars;
mod validation;
#[cfg(feature = "serde")]
mod wire;
mod write;

pub use admin::AdminConfirmSignUp;
pub use confirm::ConfirmSignUp;
pub use delivery::{CodeDeliveryDetails, Destination, MaskedDestination};
pub use domain::{AliasAttribute, AttributeSet, UserStatus};
pub use exception::{BodyFault, Exception};
pub use lookup::{AliasOwners, AppClient, Draws, Fresh, Lookup, Pool, UserRecord};
pub use operation::{Needs, Operation, OperationName};
pub use outcome::{After, Delivery, Outcome, Reply, SignedIn};
pub use pairs::{
    ATTRIBUTE_ENTRIES, ATTRIBUTE_NAME_CAP, ATTRIBUTE_VALUE_CAP, ClientMetadata, METADATA_ENTRIES,
    METADATA_KEY_CAP, METADATA_VALUE_CAP, Pairs, PairsIter, UserAttributes,
};
pub use pattern::Pattern;
pub use phantom::{PHANTOM_ID_LEN, PhantomId};
pub use request::{AnalyticsMetadata, UserContextData, Valid};
pub use resend::ResendConfirmationCode;
pub use secret_hash::{ClientSecret, SECRET_HASH_LEN};
pub use session::{SESSION_LEN, Session, SessionError, SessionPurpose, VerifiedSession};
pub use session_sign_in::SessionSignIn;
pub use sign_up::SignUp;
pub use trigger::{CLIENT_ID_NOT_APPLICABLE, PostConfirmationEvent, TriggerOutcome, TriggerSource};
pub use validation::{
    AttributePart, Constraint, MAX_VIOLATIONS, Member, ValidationErrors, Violation,
};
#[cfg(feature = "serde")]
pub use wire::{Body, ErrorBody, ReplyBody};
pub use write::{AliasClaim, Expected, NewAttributes, Target, Write};
