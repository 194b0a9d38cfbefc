//! What follows an answer that sends something: the code (or reset code, or temporary
//! password) counted against its destination's budget, then written to the outbox, or a line
//! saying it was not sent and why; and, for tests, `POST /_test/deliveries`, which waits for
//! every delivery of a request answered before it.

use std::{sync::Arc, time::Duration};

use axum::{
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::Response,
};
use tokio::sync::OwnedRwLockReadGuard;

use crate::{
    App,
    answer::{Answer, internal, json, respond},
    destinations::{self, Counted},
    exceptions::ServerException,
    outbox::{Delivery, DeliveryKind},
};

/// The longest `POST /_test/deliveries` waits.
const FLUSH_WAIT: Duration = Duration::from_secs(30);

/// Delivers `delivery` once its answer is on its way (the answer does not wait: a phantom's
/// has nothing to wait for), holding `in_flight` until its outbox line is written.
///
/// Within the destination's budget only; past it the code is not sent, and the outbox says
/// so instead (the answer, already given, says nothing of it). An invitation, which only a
/// signed admin call sends, is not held to the budget anyone's `SignUp` can spend.
pub fn send(app: Arc<App>, delivery: Delivery, in_flight: OwnedRwLockReadGuard<()>) {
    tokio::spawn(async move {
        let not_sent = if delivery.kind == DeliveryKind::TemporaryPassword {
            None
        } else {
            let (_, now) = app.clock.now();
            let key =
                crate::destination_keys::of_address(delivery.attribute, &delivery.destination);
            let spent =
                destinations::spend(&app.store, &delivery.pool_id, &key, Counted::Code, now);
            match spent.await {
                Ok(true) => None,
                Ok(false) => {
                    tracing::info!(
                        username = %delivery.username,
                        "a code not delivered: its destination has had its codes for this hour"
                    );
                    Some("its destination has had its codes for this hour")
                }
                Err(error) => {
                    let error = confirmation_flow_store::describe(&*error);
                    tracing::error!(%error, "could not count a delivery");
                    Some("its delivery could not be counted")
                }
            }
        };
        let written = tokio::task::spawn_blocking(move || {
            let written = write(&app, &delivery, not_sent);
            // Written (or not): a flush waiting on it may answer before the print below.
            drop(in_flight);
            if written && not_sent.is_none() && app.config.print_codes {
                print(&app, &delivery);
            }
        });
        drop(written.await);
    });
}

/// `POST /_test/deliveries` (served only with `test_clock`, on loopback): answers `{}` once
/// every code, reset code and temporary password of a request answered before this one is
/// in the outbox, or its line saying it was not sent. A test reads the outbox after it and
/// finds the newest code, never the one a resend replaced. A request a browser sent (one
/// with an `Origin`) is refused, as for the clock.
pub async fn flush(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    if headers.contains_key(header::ORIGIN) {
        let message = "the test endpoints are not called from a browser".to_owned();
        return respond(Answer::refuse(ServerException::AccessDenied, message));
    }
    match tokio::time::timeout(FLUSH_WAIT, app.deliveries.write()).await {
        Ok(all_written) => {
            drop(all_written);
            json(StatusCode::OK, "{}".to_owned())
        }
        Err(_) => respond(internal("the deliveries in flight did not finish in time")),
    }
}

/// Writes `delivery`'s outbox line, or, when it is `not_sent`, a line saying why; whether
/// a line was written.
fn write(app: &App, delivery: &Delivery, not_sent: Option<&str>) -> bool {
    // For a developer watching the log (`RUST_LOG=debug`); never at `info`. A temporary
    // password (an administrator may have chosen it) is in the outbox only.
    if not_sent.is_none() {
        match delivery.kind {
            DeliveryKind::Code | DeliveryKind::PasswordResetCode => tracing::debug!(
                target: "delivery",
                username = %delivery.username,
                destination = %delivery.destination,
                code = %delivery.code,
                kind = ?delivery.kind,
                "delivered a code"
            ),
            DeliveryKind::TemporaryPassword => tracing::debug!(
                target: "delivery",
                username = %delivery.username,
                destination = %delivery.destination,
                "delivered a temporary password"
            ),
        }
    }
    match app.outbox.deliver(delivery, not_sent) {
        Ok(()) => true,
        Err(error) => {
            let outbox = app.outbox.path().display();
            tracing::error!(%error, %outbox, "could not deliver a code");
            false
        }
    }
}

/// `delivery` on stdout, for a developer watching the terminal (`print_codes`).
fn print(app: &App, delivery: &Delivery) {
    use std::io::Write as _;
    let what = match delivery.kind {
        DeliveryKind::Code => "code",
        DeliveryKind::PasswordResetCode => "password reset code",
        DeliveryKind::TemporaryPassword => "temporary password",
    };
    let mut stdout = std::io::stdout().lock();
    // Whoever started the server may have stopped reading: no reason to stop delivering.
    let _ = writeln!(
        stdout,
        "{what} for {} in {} ({}): {} (outbox {})",
        delivery.username,
        delivery.pool_id,
        delivery.destination,
        delivery.code,
        app.outbox.path().display()
    )
    .and_then(|()| stdout.flush());
}
