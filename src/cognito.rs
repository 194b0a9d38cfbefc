//! The Cognito surface: `ConfirmSignUp`, `AdminConfirmSignUp` and `ResendConfirmationCode`
//! as the service answers them — request validation, `SecretHash`, alias conflicts, the
//! exception taxonomy, the `PostConfirmation` event and the sign-in `Session`.
//!
//! Each operation is one pure function. The caller decodes the request, looks up what it
//! names (the app client, the user, who owns the alias), calls the function, writes the
//! returned state with compare-and-swap, and answers.

mod admin;
mod confirm;
mod context;
mod exception;
mod metadata;
mod pattern;
mod request;
mod resend;
mod secret_hash;
mod session;
mod trigger;
mod validation;
#[cfg(feature = "serde")]
mod wire;
#[cfg(feature = "serde")]
mod wire_bodies;
#[cfg(feature = "serde")]
mod wire_out;

pub use admin::{AdminConfirmed, admin_confirm_sign_up};
pub use confirm::{ConfirmLookup, SignUpConfirmed, confirm_sign_up};
pub use context::{AppClient, Destination, Pool, Rejection, UserRecord};
pub use exception::{AliasAttribute, Exception, UserStatus};
pub use metadata::{
    ClientMetadata, METADATA_ENTRIES, METADATA_KEY_CAP, METADATA_VALUE_CAP, MetadataIter,
};
pub use pattern::Pattern;
pub use request::{
    AdminConfirmSignUp, AnalyticsMetadata, ConfirmSignUp, ResendConfirmationCode, UserContextData,
};
pub use resend::{CodeDeliveryDetails, CodeResent, MaskedDestination, resend_confirmation_code};
pub use secret_hash::{ClientSecret, SECRET_HASH_LEN};
pub use session::{SESSION_LEN, Session, SessionError, SessionPurpose, VerifiedSession};
pub use trigger::{CLIENT_ID_NOT_APPLICABLE, PostConfirmationEvent, TriggerOutcome};
pub use validation::{Constraint, MAX_VIOLATIONS, Member, ValidationErrors, Violation};
#[cfg(feature = "serde")]
pub use wire::{MetadataBody, Text};
#[cfg(feature = "serde")]
pub use wire_bodies::{AdminConfirmSignUpBody, ConfirmSignUpBody, ResendConfirmationCodeBody};
#[cfg(feature = "serde")]
pub use wire_out::{ConfirmSignUpResponse, EmptyResponse, ErrorBody, ResendResponse};
