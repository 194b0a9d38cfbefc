//! Confirmations: `ConfirmSignUp`, `AdminConfirmSignUp`, `ResendConfirmationCode`. Each reads
//! the user, makes one pure call, and writes with compare-and-swap; a lost race re-runs.

use confirmation_flow::{
    ENTROPY_LEN,
    cognito::{
        AdminConfirmSignUpBody, ConfirmLookup, ConfirmSignUpBody, ResendConfirmationCodeBody,
        admin_confirm_sign_up, confirm_sign_up, resend_confirmation_code,
    },
};

use crate::{
    App,
    api::{Answer, Outcome, RETRIES, decode, internal, now},
    store::Commit,
    users::{deliver, destination, record},
};

pub(crate) fn confirm(app: &App, body: &[u8]) -> Outcome {
    let body: ConfirmSignUpBody = decode(body)?;
    let request = body.request()?;
    for _ in 0..RETRIES {
        let (now, seconds) = now();
        let user = app.store.load(request.username).map_err(internal)?;
        let alias_owner = match user.as_ref().and_then(destination) {
            Some(d) if app.is_alias(d.attribute) => app
                .store
                .alias_owner(d.attribute.as_str(), d.value, request.username)
                .map_err(internal)?,
            _ => None,
        };
        let lookup = ConfirmLookup {
            client: app.app_client(request.client_id),
            user: user.as_ref().map(record),
            alias_owner: alias_owner.as_deref(),
        };
        let nonce = crate::random_bytes::<16>();
        let (commit, answer) = match confirm_sign_up(&app.pool(), &request, &lookup, now, &nonce) {
            Ok(done) => {
                let answer = Answer::Ok(serde_json::to_value(done.response()).map_err(internal)?);
                let commit = done.verified.map(|attribute| attribute.as_str());
                (
                    Some((done.state, Some("CONFIRMED"), commit, done.alias_taken_from)),
                    answer,
                )
            }
            Err(rejection) => (
                rejection.state.map(|state| (state, None, None, None)),
                rejection.exception.into(),
            ),
        };
        let (Some((state, status, verify, unverify)), Some(user)) = (commit, &user) else {
            return Ok(answer);
        };
        let commit = Commit {
            username: &user.username,
            expected_version: user.state.version(),
            state,
            status,
            verify,
            unverify,
            now: seconds,
        };
        if app.store.commit(&commit).map_err(internal)? {
            return Ok(answer);
        }
    }
    Err(internal("too many compare-and-swap conflicts"))
}

pub(crate) fn admin_confirm(app: &App, body: &[u8]) -> Outcome {
    let body: AdminConfirmSignUpBody = decode(body)?;
    let request = body.request()?;
    for _ in 0..RETRIES {
        let (now, seconds) = now();
        let user = app.store.load(request.username).map_err(internal)?;
        let done = admin_confirm_sign_up(
            &app.pool(),
            &request,
            user.as_ref().map(record).as_ref(),
            now,
        )
        .map_err(|r| Answer::from(r.exception))?;
        let Some(user) = &user else {
            return Err(internal("confirmed a missing user"));
        };
        let commit = Commit {
            username: &user.username,
            expected_version: user.state.version(),
            state: done.state,
            status: Some("CONFIRMED"),
            verify: None,
            unverify: None,
            now: seconds,
        };
        if app.store.commit(&commit).map_err(internal)? {
            return Ok(Answer::Ok(
                serde_json::to_value(done.response()).map_err(internal)?,
            ));
        }
    }
    Err(internal("too many compare-and-swap conflicts"))
}

pub(crate) fn resend(app: &App, body: &[u8]) -> Outcome {
    let body: ResendConfirmationCodeBody = decode(body)?;
    let request = body.request()?;
    for _ in 0..RETRIES {
        let (now, seconds) = now();
        let user = app.store.load(request.username).map_err(internal)?;
        let client = app.app_client(request.client_id);
        let entropy = crate::random_bytes::<ENTROPY_LEN>();
        let sent = resend_confirmation_code(
            &app.pool(),
            &request,
            client.as_ref(),
            user.as_ref().map(record).as_ref(),
            now,
            &entropy,
        )
        .map_err(|r| Answer::from(r.exception))?;
        let answer = Answer::Ok(serde_json::to_value(sent.response()).map_err(internal)?);
        let (Some(state), Some(code), Some(user)) = (sent.state, &sent.code, &user) else {
            return Ok(answer);
        };
        let commit = Commit {
            username: &user.username,
            expected_version: user.state.version(),
            state,
            status: None,
            verify: None,
            unverify: None,
            now: seconds,
        };
        if app.store.commit(&commit).map_err(internal)? {
            deliver(app, user, code.as_str())?;
            return Ok(answer);
        }
    }
    Err(internal("too many compare-and-swap conflicts"))
}
