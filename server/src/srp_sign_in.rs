//! `USER_SRP_AUTH`, Amplify's default sign-in: `InitiateAuth` with `SRP_A` answers the
//! `PASSWORD_VERIFIER` challenge (`SALT`, `SRP_B`, `SECRET_BLOCK`, `USERNAME`,
//! `USER_ID_FOR_SRP`); `RespondToAuthChallenge` with the claim the client signed under the
//! session key answers tokens. The math is `srp.rs`'s.
//!
//! The secret block is 32 random bytes. The server's secret `b` is derived from it under a key
//! of the ring (HMAC-SHA256), never stored; the challenge's row, keyed by another keyed hash of
//! it, keeps `A`, the verifier and who it is for, lives the client's `AuthSessionValidity`, and
//! is deleted by the answer that uses it — on any number of processes one answer gets to check
//! its claim, so a claim seen once cannot be replayed. The attempt is counted before the claim
//! is checked, in the same lock-out as `USER_PASSWORD_AUTH` (`lockout.rs`).
//!
//! An unknown user under `PreventUserExistenceErrors`, and a user who signed up before
//! verifiers were kept, get a challenge made the same way from a salt and verifier derived
//! under the ring from the pool and the name: stable across tries, as a real user's are, and
//! no claim matches it.

use base64::{Engine as _, engine::general_purpose::STANDARD};
use confirmation_flow::cognito::Exception;
use confirmation_flow_store::Param;
use serde_json::json;
use subtle::ConstantTimeEq as _;

use crate::{
    App,
    admin_request::invalid,
    answer::{Answer, Outcome, internal},
    exceptions::ServerException,
    lockout::{self, Subject},
    password_sign_in::{self, INCORRECT, LOCKED_OUT, User},
    pools::Client,
    srp,
    srp_challenges::{Challenge, FIND, INSERT, SPEND},
    throttle::too_many_requests,
};

/// What `InitiateAuth` sends for the flow.
pub struct Start<'a> {
    pub username: Option<&'a str>,
    pub srp_a: Option<&'a str>,
    pub secret_hash: Option<&'a str>,
}

/// A keyed hash (hex) of `parts` under the ring's current key, for `purpose`.
fn keyed(app: &App, purpose: &str, parts: &[&str]) -> String {
    app.keys
        .refresh
        .current(&format!("srp-{purpose}\0{}", parts.join("\0")))
}

/// The server's secret `b` for the secret block `block`.
///
/// # Errors
/// The keyed hash is not 32 bytes of hex (it always is): never a `b` of zero, which would
/// make every claim computable.
fn secret_b(app: &App, block: &[u8]) -> Result<[u8; 32], Answer> {
    let hashed = keyed(app, "b", &[&hex::encode(block)]);
    let mut b = [0; 32];
    hex::decode_to_slice(hashed, &mut b).map_err(internal)?;
    Ok(b)
}

/// `InitiateAuth` with `USER_SRP_AUTH` through `client` (which allows it: checked before).
pub(crate) async fn start(app: &App, client: &Client, sent: &Start<'_>) -> Outcome {
    let missing = |name: &str| invalid(format!("Missing required parameter {name}"));
    let named = sent.username.ok_or_else(|| missing("USERNAME"))?;
    let srp_a = sent.srp_a.ok_or_else(|| missing("SRP_A"))?;
    client
        .app_client()
        .authorize(&client.id, named, sent.secret_hash)
        .map_err(Answer::from)?;
    let a = srp::parse_public(srp_a).ok_or_else(|| invalid("SRP_A is not a valid value"))?;
    let pool_id = client.pool_id.as_str();
    // A name no username can be names nobody: answered at once, without a challenge to store
    // (an unknown name's challenge would echo it, up to the body's size).
    if !password_sign_in::could_name_a_user(named) {
        return Err(if client.prevent_user_existence_errors {
            Answer::refuse(ServerException::NotAuthorized, INCORRECT)
        } else {
            Exception::AdminUserNotFound.into()
        });
    }
    // The exponentiations wait in the hasher's queue, as a password's hash does.
    let place = app.passwords.reserve().ok_or_else(too_many_requests)?;
    let user = password_sign_in::find(app, client, named).await?;
    let stored = user
        .as_ref()
        .and_then(|user| user.srp_verifier.as_deref())
        .and_then(srp::parse_stored);
    let (user_id, subject) = match &user {
        Some(user) => (
            user.identity.username.clone(),
            Subject::User(user.identity.username.clone()),
        ),
        None if client.prevent_user_existence_errors => (
            stand_in_id(app, client, named).await?,
            Subject::unknown(&app.keys.refresh, pool_id, named),
        ),
        None => return Err(Exception::AdminUserNotFound.into()),
    };
    // No verifier (unknown, or signed up before verifiers were kept): a stable stand-in, made
    // for every challenge so that a real user's costs the same.
    let mut salt = [0; 16];
    let keyed_salt = keyed(app, "salt", &[pool_id, &user_id]);
    hex::decode_to_slice(keyed_salt.get(..32).unwrap_or_default(), &mut salt).map_err(internal)?;
    let salt = hex::encode(srp::salt(salt));
    let password = keyed(app, "password", &[pool_id, &user_id]);
    let block = crate::random::random_bytes::<32>();
    let b = secret_b(app, &block)?;
    let (pool_name, id) = (srp::pool_name(pool_id).to_owned(), user_id.clone());
    let made = place.compute(move || {
        let salt_bytes = hex::decode(&salt).unwrap_or_default();
        let stand_in = srp::verifier(&pool_name, &id, &password, &salt_bytes);
        let (salt, v) = stored.unwrap_or((salt, stand_in));
        let b_public = srp::public_b(&v, &b);
        (salt, v, b_public)
    });
    let (salt, v, b_public) = made.await.map_err(internal)?;
    let (_, now) = app.clock.now();
    let expires_at = now.saturating_add(client.challenge_lifetime());
    let params = vec![
        Param::Text(Some(keyed(app, "challenge", &[&hex::encode(block)]))),
        Param::text(pool_id),
        Param::text(&client.id),
        Param::Text(user.as_ref().map(|user| user.identity.username.clone())),
        Param::text(&user_id),
        Param::Text(Some(subject.key())),
        Param::Text(Some(srp::to_hex(&a))),
        Param::Text(Some(srp::to_hex(&v))),
        Param::Int(expires_at),
    ];
    app.store
        .transaction(vec![(INSERT.into(), params)])
        .await
        .map_err(internal)?;
    let body = json!({
        "ChallengeName": "PASSWORD_VERIFIER",
        "ChallengeParameters": {
            "SALT": salt,
            "SECRET_BLOCK": STANDARD.encode(block),
            "SRP_B": srp::to_hex(&b_public),
            "USERNAME": user_id,
            "USER_ID_FOR_SRP": user_id,
        },
    });
    Ok(Answer::Ok(body.to_string()))
}

/// The id an unknown name is given: the name itself, or in a pool with `UsernameAttributes`
/// (where a user's id is a UUID) a UUID derived from it under the ring.
async fn stand_in_id(app: &App, client: &Client, named: &str) -> Result<String, Answer> {
    let pool = app
        .directory
        .pool(&app.store, &client.pool_id)
        .await
        .map_err(internal)?;
    let uuids = pool.is_some_and(|pool| {
        pool.username_attributes.email || pool.username_attributes.phone_number
    });
    if !uuids {
        return Ok(named.to_owned());
    }
    let mut bytes = [0; 16];
    hex::decode_to_slice(
        keyed(app, "id", &[&client.pool_id, named])
            .get(..32)
            .unwrap_or_default(),
        &mut bytes,
    )
    .map_err(internal)?;
    Ok(uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .hyphenated()
        .to_string())
}

/// What `RespondToAuthChallenge` sends for `PASSWORD_VERIFIER`.
pub struct Claim<'a> {
    pub username: Option<&'a str>,
    pub secret_block: Option<&'a str>,
    pub signature: Option<&'a str>,
    pub timestamp: Option<&'a str>,
    pub secret_hash: Option<&'a str>,
}

/// `RespondToAuthChallenge` with `PASSWORD_VERIFIER` through `client`: the challenge spent,
/// the attempt counted, then the claim checked against the session key.
pub(crate) async fn answer(app: &App, client: &Client, sent: &Claim<'_>) -> Result<User, Answer> {
    let missing = |name: &str| invalid(format!("Missing required parameter {name}"));
    let named = sent.username.ok_or_else(|| missing("USERNAME"))?;
    let block = sent
        .secret_block
        .ok_or_else(|| missing("PASSWORD_CLAIM_SECRET_BLOCK"))?;
    let signature = sent
        .signature
        .ok_or_else(|| missing("PASSWORD_CLAIM_SIGNATURE"))?;
    let timestamp = sent.timestamp.ok_or_else(|| missing("TIMESTAMP"))?;
    client
        .app_client()
        .authorize(&client.id, named, sent.secret_hash)
        .map_err(Answer::from)?;
    let incorrect = || Answer::refuse(ServerException::NotAuthorized, INCORRECT);
    let block = STANDARD.decode(block).map_err(|_| incorrect())?;
    let hash = keyed(app, "challenge", &[&hex::encode(&block)]);
    let params = vec![Param::text(&hash), Param::text(&client.pool_id)];
    let rows = app
        .store
        .rows(FIND.into(), params)
        .await
        .map_err(internal)?;
    let challenge = rows
        .into_iter()
        .next()
        .map(Challenge::of)
        .transpose()
        .map_err(internal)?;
    let (_, now) = app.clock.now();
    let challenge = challenge
        .filter(|found| {
            found.client_id == client.id && found.user_id == named && found.expires_at > now
        })
        .ok_or_else(incorrect)?;
    // Spent by the first answer to reach it, on any process.
    let taken = app
        .store
        .transaction(vec![(SPEND.into(), vec![Param::text(&hash)])])
        .await;
    if taken.map_err(internal)? != [1] {
        return Err(incorrect());
    }
    let subject = Subject::from_key(&challenge.subject);
    let counted = lockout::count(&app.store, &client.pool_id, &subject, app.clock.now_ms()).await;
    if !counted.map_err(internal)? {
        return Err(Answer::refuse(ServerException::NotAuthorized, LOCKED_OUT));
    }
    let b = secret_b(app, &block)?;
    let (a, v) = srp::parse_public(&challenge.a)
        .zip(srp::parse_public(&challenge.verifier))
        .ok_or_else(|| internal("a stored challenge does not load"))?;
    let place = app.passwords.reserve().ok_or_else(too_many_requests)?;
    let key = place
        .compute(move || srp::session_key(&a, &srp::public_b(&v, &b), &v, &b))
        .await
        .map_err(internal)?;
    let pool_name = srp::pool_name(&client.pool_id);
    let expected =
        key.map(|key| srp::claim(&key, pool_name, &challenge.user_id, &block, timestamp));
    let sent_signature = STANDARD.decode(signature).unwrap_or_default();
    let matched = expected.is_some_and(|expected| bool::from(expected.ct_eq(&sent_signature)));
    let Some(username) = challenge.username.filter(|_| matched) else {
        return Err(incorrect());
    };
    lockout::clear(&app.store, &client.pool_id, &subject)
        .await
        .map_err(internal)?;
    // The user the challenge was made for: by its exact username, with the verifier the
    // challenge used (a user deleted and signed up again under the name has another).
    let user = password_sign_in::user_named(app, client, &username)
        .await?
        .filter(|user| {
            let stored = user.srp_verifier.as_deref().and_then(srp::parse_stored);
            stored.is_some_and(|(_, v)| srp::to_hex(&v) == challenge.verifier)
        })
        .ok_or_else(incorrect)?;
    Ok(user)
}
