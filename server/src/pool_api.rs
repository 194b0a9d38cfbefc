//! User pools through the API, as emulator users' suites create them: `CreateUserPool`,
//! `DescribeUserPool`, `ListUserPools`, `UpdateUserPool`, `DeleteUserPool`. Members this
//! server does not act on (`UserPoolAddOns`, MFA, OAuth settings…) are accepted and ignored;
//! the ones it keeps are checked as the service checks them.

use confirmation_flow::cognito::Exception;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::{
    App,
    admin_request::{
        PoolRequest, check_name, first_page, invalid, page_size, page_start, page_token, required,
        stored_pool,
    },
    answer::{Answer, Outcome, decode, internal},
    client_settings::in_range,
    directory::{self, PoolRecord},
    generation, ids,
    settings::{LambdaConfig, PasswordPolicy, PoolSettings},
    throttle::limit_exceeded,
};

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

/// `UpdateUserPool`'s members this server keeps. `AliasAttributes` and
/// `UsernameAttributes` are not among the operation's members: they never change.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UpdatePool {
    user_pool_id: Option<String>,
    pool_name: Option<String>,
    policies: Option<Policies>,
    #[serde(default)]
    auto_verified_attributes: Vec<String>,
    #[serde(default)]
    lambda_config: LambdaConfig,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Policies {
    password_policy: Option<PasswordPolicy>,
}

/// `Err` naming the first of `values` that is not one of `allowed`.
fn allowed(member: &str, values: &[String], allowed: &[&str]) -> Result<(), Answer> {
    match values
        .iter()
        .find(|value| !allowed.contains(&value.as_str()))
    {
        Some(value) => Err(invalid(format!(
            "{member} may hold only {}, not {value:?}",
            allowed.join(", ")
        ))),
        None => Ok(()),
    }
}

/// The settings a pool can change, checked as `CreateUserPool` and `UpdateUserPool` check
/// them; a setting not given is the service's default.
fn changeable(
    app: &App,
    auto_verified_attributes: &[String],
    policies: Option<Policies>,
    lambda_config: &LambdaConfig,
) -> Result<crate::settings::Policies, Answer> {
    allowed(
        "AutoVerifiedAttributes",
        auto_verified_attributes,
        &["email", "phone_number"],
    )?;
    let password_policy = policies
        .and_then(|policies| policies.password_policy)
        .unwrap_or_else(PasswordPolicy::service_default);
    // The model's ranges, with its message.
    let member = "policies.passwordPolicy";
    let ranges = [
        (password_policy.minimum_length, "minimumLength", 6, 99),
        (
            password_policy.temporary_password_validity_days,
            "temporaryPasswordValidityDays",
            0,
            365,
        ),
    ];
    for (value, name, least, most) in ranges {
        in_range(i64::from(value), &format!("{member}.{name}"), least, most).map_err(invalid)?;
    }
    if let Some(url) = &lambda_config.post_confirmation {
        app.triggers.check(url).map_err(|problem| {
            invalid(format!(
                "LambdaConfig.PostConfirmation: this server posts the trigger's event to an \
                 http:// URL its operator allows: {}",
                problem.escape_debug()
            ))
        })?;
    }
    Ok(crate::settings::Policies { password_policy })
}

/// `CreateUserPool`.
pub(crate) async fn create_pool(app: &App, body: &[u8]) -> Outcome {
    let request: CreatePool = decode("CreateUserPool", body)?;
    let name = required(request.pool_name, "poolName")?;
    check_name(&name, "poolName")?;
    let policies = changeable(
        app,
        &request.auto_verified_attributes,
        request.policies,
        &request.lambda_config,
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
    let settings = PoolSettings {
        auto_verified_attributes: request.auto_verified_attributes,
        alias_attributes: request.alias_attributes,
        username_attributes: request.username_attributes,
        policies,
        lambda_config: request.lambda_config,
    };
    let settings = serde_json::to_string(&settings).map_err(internal)?;
    let (_, created_at) = app.clock.now();
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

/// `DescribeUserPool`.
pub(crate) async fn describe_user_pool(app: &App, body: &[u8]) -> Outcome {
    let request: PoolRequest = decode("DescribeUserPool", body)?;
    let id = required(request.user_pool_id, "userPoolId")?;
    let record = stored_pool(app, &id).await?;
    let (_turn, within) = crate::throttle::scan_turn(app).await?;
    let users = crate::user_directory::count_users(&app.store, &id, within)
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

/// `UpdateUserPool`: as the service does, every setting not given returns to its default
/// (no `AutoVerifiedAttributes`, the default password policy, no trigger); the aliases and
/// username attributes stay, and so does the name unless `PoolName` is given. Every process
/// sees the change by its next request (`generation.rs`).
pub(crate) async fn update_pool(app: &App, body: &[u8]) -> Outcome {
    let request: UpdatePool = decode("UpdateUserPool", body)?;
    let user_pool_id = required(request.user_pool_id, "userPoolId")?;
    let record = stored_pool(app, &user_pool_id).await?;
    if user_pool_id == app.config.user_pool_id {
        return Err(invalid(format!(
            "User pool {user_pool_id} comes from this server's config file, which every start \
             writes again: change it there (or make a pool with CreateUserPool to update)"
        )));
    }
    let name = match request.pool_name {
        Some(name) => {
            check_name(&name, "poolName")?;
            name
        }
        None => record.name,
    };
    let policies = changeable(
        app,
        &request.auto_verified_attributes,
        request.policies,
        &request.lambda_config,
    )?;
    let stored: PoolSettings = serde_json::from_str(&record.settings).map_err(internal)?;
    let settings = PoolSettings {
        auto_verified_attributes: request.auto_verified_attributes,
        policies,
        lambda_config: request.lambda_config,
        ..stored
    };
    let settings = serde_json::to_string(&settings).map_err(internal)?;
    let updated = generation::update_pool(&app.store, &user_pool_id, &name, settings);
    changed(app, &user_pool_id, updated.await.map_err(internal)?)
}

/// The answer to a change to the pool `user_pool_id` (which this process forgets): `{}`,
/// or `ResourceNotFoundException` when there was no such pool to change.
fn changed(app: &App, user_pool_id: &str, found: bool) -> Outcome {
    app.directory.forget_pool(user_pool_id);
    if !found {
        return Err(Exception::UserPoolNotFound { user_pool_id }.into());
    }
    Ok(Answer::Ok("{}".into()))
}

/// `DeleteUserPool`: the pool, its clients and its users.
pub(crate) async fn delete_pool(app: &App, body: &[u8]) -> Outcome {
    let request: PoolRequest = decode("DeleteUserPool", body)?;
    let user_pool_id = required(request.user_pool_id, "userPoolId")?;
    let deleted = directory::delete_pool(&app.store, &user_pool_id).await;
    changed(app, &user_pool_id, deleted.map_err(internal)?)
}
