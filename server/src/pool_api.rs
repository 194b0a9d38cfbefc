//! Pools and app clients through the API, as emulator users' suites create them:
//! `CreateUserPool`, `DescribeUserPool`, `ListUserPools`, `DeleteUserPool`,
//! `CreateUserPoolClient`, `DescribeUserPoolClient`, `ListUserPoolClients`,
//! `DeleteUserPoolClient`. Members this server does not act on (`UserPoolAddOns`, MFA,
//! OAuth settings…) are accepted and ignored; the ones it keeps are checked as the service
//! checks them.

use axum::http::StatusCode;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use confirmation_flow::cognito::Exception;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::{
    App,
    answer::{Answer, Outcome, decode, internal},
    clock::now,
    directory::{self, ClientRecord, PoolRecord},
    ids,
    pools::{ClientSettings, LambdaConfig, PasswordPolicy, PoolSettings},
    throttle::limit_exceeded,
};

/// The most items a list answers with.
const MAX_RESULTS: i64 = 60;
const AUTH_FLOWS: &[&str] = &[
    "ADMIN_NO_SRP_AUTH",
    "CUSTOM_AUTH_FLOW_ONLY",
    "USER_PASSWORD_AUTH",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_CUSTOM_AUTH",
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
    "ALLOW_USER_AUTH",
];

/// `InvalidParameterException` with `message`.
pub(crate) fn invalid(message: impl Into<String>) -> Answer {
    Answer::Error(
        "InvalidParameterException".into(),
        message.into(),
        StatusCode::BAD_REQUEST,
    )
}

/// A required member, or the service's validation error naming it (lowerCamelCase).
pub(crate) fn required<T>(value: Option<T>, member: &str) -> Result<T, Answer> {
    value.ok_or_else(|| {
        invalid(format!(
            "1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null"
        ))
    })
}

/// The id a page starts after, from a `NextToken` this server gave (empty: the first page).
pub(crate) fn page_start(token: Option<&str>) -> Result<String, Answer> {
    let Some(token) = token else {
        return Ok(String::new());
    };
    URL_SAFE_NO_PAD
        .decode(token)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .filter(|start| !start.contains(char::is_control))
        .ok_or_else(|| invalid("The pagination token is not one this server gave"))
}

/// The first `size` of `rows` (read with one more than a page holds), and whether more
/// followed.
pub(crate) fn first_page<T>(mut rows: Vec<T>, size: i64) -> (Vec<T>, bool) {
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    let more = rows.len() > size;
    rows.truncate(size);
    (rows, more)
}

/// The token for the page after `last`, if more followed it.
pub(crate) fn page_token(more: bool, last: Option<&str>) -> Option<String> {
    last.filter(|_| more)
        .map(|last| URL_SAFE_NO_PAD.encode(last.as_bytes()))
}

/// A page size in 1..=60 (`default` when absent), else the service's validation error.
pub(crate) fn page_size(value: Option<i64>, member: &str, default: i64) -> Result<i64, Answer> {
    let bound = match value.unwrap_or(default) {
        size @ 1..=MAX_RESULTS => return Ok(size),
        size if size < 1 => "greater than or equal to 1".to_owned(),
        _ => format!("less than or equal to {MAX_RESULTS}"),
    };
    let size = value.unwrap_or(default);
    Err(invalid(format!(
        "1 validation error detected: Value '{size}' at '{member}' failed to satisfy constraint: Member must have value {bound}"
    )))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreatePool {
    pool_name: Option<String>,
    policies: Option<Policies>,
    #[serde(default)]
    auto_verified_attributes: Vec<String>,
    #[serde(default)]
    alias_attributes: Vec<String>,
    #[serde(default)]
    username_attributes: Vec<String>,
    #[serde(default)]
    lambda_config: LambdaConfig,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Policies {
    password_policy: Option<PasswordPolicy>,
}

/// `CreateUserPool`.
pub(crate) async fn create_pool(app: &App, body: &[u8]) -> Outcome {
    let request: CreatePool = decode("CreateUserPool", body)?;
    let name = required(request.pool_name, "poolName")?;
    check_name(&name, "poolName")?;
    let allowed = |member: &str, values: &[String], allowed: &[&str]| match values
        .iter()
        .find(|value| !allowed.contains(&value.as_str()))
    {
        Some(value) => Err(invalid(format!(
            "{member} may hold only {}, not {value:?}",
            allowed.join(", ")
        ))),
        None => Ok(()),
    };
    allowed(
        "AutoVerifiedAttributes",
        &request.auto_verified_attributes,
        &["email", "phone_number"],
    )?;
    allowed(
        "AliasAttributes",
        &request.alias_attributes,
        &["email", "phone_number", "preferred_username"],
    )?;
    allowed(
        "UsernameAttributes",
        &request.username_attributes,
        &["email", "phone_number"],
    )?;
    if !request.alias_attributes.is_empty() && !request.username_attributes.is_empty() {
        return Err(invalid(
            "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.",
        ));
    }
    let password_policy = request
        .policies
        .and_then(|policies| policies.password_policy)
        .unwrap_or_else(PasswordPolicy::service_default);
    if !(6..=99).contains(&password_policy.minimum_length)
        || password_policy.temporary_password_validity_days > 365
    {
        return Err(invalid(
            "PasswordPolicy: MinimumLength must be from 6 to 99 and TemporaryPasswordValidityDays from 0 to 365",
        ));
    }
    if let Some(url) = &request.lambda_config.post_confirmation {
        app.triggers.check(url).map_err(|problem| {
            invalid(format!(
                "LambdaConfig.PostConfirmation: this server posts the trigger's event to an \
                 http:// URL its operator allows: {}",
                problem.escape_debug()
            ))
        })?;
    }
    let settings = PoolSettings {
        auto_verified_attributes: request.auto_verified_attributes,
        alias_attributes: request.alias_attributes,
        username_attributes: request.username_attributes,
        policies: crate::pools::Policies { password_policy },
        lambda_config: request.lambda_config,
    };
    let settings = serde_json::to_string(&settings).map_err(internal)?;
    let (_, created_at) = now();
    // A new id until one is free (nine of 62 characters: a collision is a curiosity).
    for _ in 0..8 {
        let record = PoolRecord {
            id: ids::pool_id(&app.config.region),
            name: name.clone(),
            settings: settings.clone(),
            created_at,
        };
        let cap = app.config.limits.pools;
        if directory::create_pool(&app.store, &record, cap)
            .await
            .map_err(internal)?
        {
            return Ok(Answer::Ok(
                json!({ "UserPool": describe_pool(app, &record, 0)? }).to_string(),
            ));
        }
        if directory::count_pools(&app.store).await.map_err(internal)? >= cap {
            return Err(limit_exceeded(format!(
                "This server keeps at most {cap} user pools (limits.pools)."
            )));
        }
    }
    Err(internal("no free pool id"))
}

/// The service's `UserPoolType` for `record` holding `users`.
fn describe_pool(app: &App, record: &PoolRecord, users: i64) -> Result<Value, Answer> {
    let settings: PoolSettings = serde_json::from_str(&record.settings).map_err(internal)?;
    let mut pool = serde_json::to_value(&settings).map_err(internal)?;
    if let Value::Object(members) = &mut pool {
        for (name, value) in [
            ("Id", json!(record.id)),
            ("Name", json!(record.name)),
            ("Arn", json!(ids::pool_arn(&app.config.region, &record.id))),
            ("CreationDate", json!(record.created_at)),
            ("LastModifiedDate", json!(record.created_at)),
            ("EstimatedNumberOfUsers", json!(users)),
            ("MfaConfiguration", json!("OFF")),
        ] {
            members.insert(name.to_owned(), value);
        }
    }
    Ok(pool)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PoolRequest {
    user_pool_id: Option<String>,
    client_id: Option<String>,
    max_results: Option<i64>,
    next_token: Option<String>,
}

/// `value` if it has the model's shape: `length` characters at most, every one `allowed`;
/// else the service's validation error (nothing malformed reaches the database).
pub(crate) fn shaped<'v>(
    value: &'v str,
    member: &str,
    pattern: &str,
    length: usize,
    allowed: impl Fn(char) -> bool,
) -> Result<&'v str, Answer> {
    let count = value.chars().count();
    if (1..=length).contains(&count) && value.chars().all(allowed) {
        return Ok(value);
    }
    Err(invalid(format!(
        "1 validation error detected: Value at '{member}' failed to satisfy constraint: Member must satisfy regular expression pattern: {pattern} and have length between 1 and {length}"
    )))
}

/// A `UserPoolId` of the model's shape, `[\w-]+_[0-9a-zA-Z]+`.
pub(crate) fn pool_id_shaped(id: &str) -> Result<&str, Answer> {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let split = id.rsplit_once('_').is_some_and(|(head, tail)| {
        !head.is_empty() && !tail.is_empty() && tail.chars().all(|c| c.is_ascii_alphanumeric())
    });
    let pattern = "[\\w-]+_[0-9a-zA-Z]+";
    shaped(id, "userPoolId", pattern, 55, |c| split && word(c))
}

/// The pool a request names, as stored, or `ResourceNotFoundException`.
pub(crate) async fn stored_pool(app: &App, user_pool_id: &str) -> Result<PoolRecord, Answer> {
    pool_id_shaped(user_pool_id)?;
    directory::pool(&app.store, user_pool_id)
        .await
        .map_err(internal)?
        .ok_or_else(|| Exception::UserPoolNotFound { user_pool_id }.into())
}

/// `DescribeUserPool`.
pub(crate) async fn describe_user_pool(app: &App, body: &[u8]) -> Outcome {
    let request: PoolRequest = decode("DescribeUserPool", body)?;
    let id = required(request.user_pool_id, "userPoolId")?;
    let record = stored_pool(app, &id).await?;
    let (_turn, within) = crate::throttle::scan_turn(app).await?;
    let users = directory::count_users(&app.store, &id, within)
        .await
        .map_err(internal)?;
    Ok(Answer::Ok(
        json!({ "UserPool": describe_pool(app, &record, users)? }).to_string(),
    ))
}

/// `ListUserPools`.
pub(crate) async fn list_pools(app: &App, body: &[u8]) -> Outcome {
    let request: PoolRequest = decode("ListUserPools", body)?;
    let size = page_size(
        Some(required(request.max_results, "maxResults")?),
        "maxResults",
        0,
    )?;
    let after = page_start(request.next_token.as_deref())?;
    let records = directory::pools(&app.store, &after, size + 1)
        .await
        .map_err(internal)?;
    let (records, more) = first_page(records, size);
    let mut pools = Vec::with_capacity(records.len());
    for record in &records {
        let settings: PoolSettings = serde_json::from_str(&record.settings).map_err(internal)?;
        pools.push(json!({
            "Id": record.id, "Name": record.name, "LambdaConfig": settings.lambda_config,
            "CreationDate": record.created_at, "LastModifiedDate": record.created_at,
        }));
    }
    let mut answer = json!({ "UserPools": pools });
    if let Some(token) = page_token(more, records.last().map(|record| record.id.as_str())) {
        answer["NextToken"] = json!(token);
    }
    Ok(Answer::Ok(answer.to_string()))
}

/// `DeleteUserPool`: the pool, its clients and its users.
pub(crate) async fn delete_pool(app: &App, body: &[u8]) -> Outcome {
    let request: PoolRequest = decode("DeleteUserPool", body)?;
    let user_pool_id = required(request.user_pool_id, "userPoolId")?;
    let deleted = directory::delete_pool(&app.store, &user_pool_id)
        .await
        .map_err(internal)?;
    app.directory.forget_pool(&user_pool_id);
    if !deleted {
        return Err(Exception::UserPoolNotFound {
            user_pool_id: &user_pool_id,
        }
        .into());
    }
    Ok(Answer::Ok("{}".into()))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateClient {
    user_pool_id: Option<String>,
    client_name: Option<String>,
    #[serde(default)]
    generate_secret: bool,
    prevent_user_existence_errors: Option<String>,
    #[serde(default)]
    explicit_auth_flows: Vec<String>,
}

/// `CreateUserPoolClient`.
pub(crate) async fn create_client(app: &App, body: &[u8]) -> Outcome {
    let request: CreateClient = decode("CreateUserPoolClient", body)?;
    let pool_id = required(request.user_pool_id, "userPoolId")?;
    let name = required(request.client_name, "clientName")?;
    check_name(&name, "clientName")?;
    // The API's default; the console's is ENABLED.
    let prevent = request
        .prevent_user_existence_errors
        .unwrap_or_else(|| "LEGACY".to_owned());
    if prevent != "ENABLED" && prevent != "LEGACY" {
        return Err(invalid(format!(
            "1 validation error detected: Value '{prevent}' at 'preventUserExistenceErrors' failed to satisfy constraint: Member must satisfy enum value set: [LEGACY, ENABLED]"
        )));
    }
    if let Some(flow) = request
        .explicit_auth_flows
        .iter()
        .find(|flow| !AUTH_FLOWS.contains(&flow.as_str()))
    {
        return Err(invalid(format!(
            "ExplicitAuthFlows: {flow:?} is not an auth flow"
        )));
    }
    let settings = ClientSettings {
        client_secret: request.generate_secret.then(ids::client_secret),
        prevent_user_existence_errors: prevent,
        explicit_auth_flows: request.explicit_auth_flows,
    };
    let (_, created_at) = now();
    let record = ClientRecord {
        id: ids::client_id(),
        pool_id,
        name,
        settings: serde_json::to_string(&settings).map_err(internal)?,
        created_at,
    };
    let cap = app.config.limits.clients_per_pool;
    if !directory::create_client(&app.store, &record, cap)
        .await
        .map_err(internal)?
    {
        if directory::pool(&app.store, &record.pool_id)
            .await
            .map_err(internal)?
            .is_some()
        {
            return Err(limit_exceeded(format!(
                "A user pool keeps at most {cap} app clients (limits.clients_per_pool)."
            )));
        }
        // The pool does not exist (a 26-character id collides with no other).
        return Err(Exception::UserPoolNotFound {
            user_pool_id: &record.pool_id,
        }
        .into());
    }
    Ok(Answer::Ok(
        json!({ "UserPoolClient": describe_client(&record)? }).to_string(),
    ))
}

/// The service's `UserPoolClientType` for `record`, its secret included.
fn describe_client(record: &ClientRecord) -> Result<Value, Answer> {
    let settings: ClientSettings = serde_json::from_str(&record.settings).map_err(internal)?;
    let mut client = serde_json::to_value(&settings).map_err(internal)?;
    if let Value::Object(members) = &mut client {
        for (name, value) in [
            ("UserPoolId", json!(record.pool_id)),
            ("ClientName", json!(record.name)),
            ("ClientId", json!(record.id)),
            ("CreationDate", json!(record.created_at)),
            ("LastModifiedDate", json!(record.created_at)),
        ] {
            members.insert(name.to_owned(), value);
        }
    }
    Ok(client)
}

/// The client a request names in its pool, or `ResourceNotFoundException`.
async fn stored_client(app: &App, request: PoolRequest) -> Result<ClientRecord, Answer> {
    let pool_id = required(request.user_pool_id, "userPoolId")?;
    let client_id = required(request.client_id, "clientId")?;
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '+';
    shaped(&client_id, "clientId", "[\\w+]+", 128, word)?;
    stored_pool(app, &pool_id).await?;
    directory::client(&app.store, &client_id)
        .await
        .map_err(internal)?
        .filter(|record| record.pool_id == pool_id)
        .ok_or_else(|| {
            Exception::ClientNotFound {
                client_id: &client_id,
            }
            .into()
        })
}

/// `DescribeUserPoolClient`.
pub(crate) async fn describe_user_pool_client(app: &App, body: &[u8]) -> Outcome {
    let request: PoolRequest = decode("DescribeUserPoolClient", body)?;
    let record = stored_client(app, request).await?;
    Ok(Answer::Ok(
        json!({ "UserPoolClient": describe_client(&record)? }).to_string(),
    ))
}

/// `ListUserPoolClients`.
pub(crate) async fn list_clients(app: &App, body: &[u8]) -> Outcome {
    let request: PoolRequest = decode("ListUserPoolClients", body)?;
    let pool_id = required(request.user_pool_id, "userPoolId")?;
    let size = page_size(request.max_results, "maxResults", MAX_RESULTS)?;
    let after = page_start(request.next_token.as_deref())?;
    stored_pool(app, &pool_id).await?;
    let records = directory::clients(&app.store, &pool_id, &after, size + 1)
        .await
        .map_err(internal)?;
    let (records, more) = first_page(records, size);
    let clients: Vec<_> = records
        .iter()
        .map(|record| json!({"ClientId": record.id, "UserPoolId": record.pool_id, "ClientName": record.name}))
        .collect();
    let mut answer = json!({ "UserPoolClients": clients });
    if let Some(token) = page_token(more, records.last().map(|record| record.id.as_str())) {
        answer["NextToken"] = json!(token);
    }
    Ok(Answer::Ok(answer.to_string()))
}

/// `DeleteUserPoolClient`.
pub(crate) async fn delete_client(app: &App, body: &[u8]) -> Outcome {
    let request: PoolRequest = decode("DeleteUserPoolClient", body)?;
    let record = stored_client(app, request).await?;
    directory::delete_client(&app.store, &record.pool_id, &record.id)
        .await
        .map_err(internal)?;
    app.directory.forget_client(&record.id);
    Ok(Answer::Ok("{}".into()))
}

/// A pool or client name: 1 to 128 of the service's characters.
fn check_name(name: &str, member: &str) -> Result<(), Answer> {
    let length = name.chars().count();
    let allowed =
        |c: char| c.is_alphanumeric() || c == '_' || c.is_whitespace() || "+=,.@-".contains(c);
    if (1..=128).contains(&length) && name.chars().all(allowed) {
        return Ok(());
    }
    Err(invalid(format!(
        "1 validation error detected: Value at '{member}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+ and have length between 1 and 128"
    )))
}
