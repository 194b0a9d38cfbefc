//! The AWS JSON 1.1 wire (feature `serde`). All of the crate's JSON code is here: request
//! bodies decoded through each operation's member table ([`Body`]), reply and error bodies
//! ([`ReplyBody`], [`ErrorBody`]), and the `PostConfirmation` event. Nothing allocates
//! unless feature `alloc` lifts the bounds on the lists.

mod body;
mod event;
mod lists;
mod replies;
mod text;

pub use body::Body;
pub use replies::{ErrorBody, ReplyBody};
