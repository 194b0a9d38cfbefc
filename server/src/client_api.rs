//! App clients through the API: `CreateUserPoolClient`, `DescribeUserPoolClient`,
//! `UpdateUserPoolClient`, `ListUserPoolClients`, `DeleteUserPoolClient`.

use confirmation_flow::cognito::Exception;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::{
    App,
    admin_request::{
        MAX_RESULTS, PoolRequest, check_name, client_id, first_page, invalid, one_of, page_size,
        page_start, page_token, required, stored_pool,
    },
    answer::{Answer, Outcome, decode, internal},
    client_directory::{self, ClientRecord},
    client_settings::{ClientSettings, FlowsAndLifetimes},
    directory, generation, ids,
    throttle::limit_exceeded,
};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateClient {
    user_pool_id: Option<String>,
    client_name: Option<String>,
    #[serde(default)]
    generate_secret: bool,
    prevent_user_existence_errors: Option<String>,
    #[serde(flatten)]
    flows_and_lifetimes: FlowsAndLifetimes,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UpdateClient {
    user_pool_id: Option<String>,
    client_id: Option<String>,
    client_name: Option<String>,
    prevent_user_existence_errors: Option<String>,
    #[serde(flatten)]
    flows_and_lifetimes: FlowsAndLifetimes,
}

/// `PreventUserExistenceErrors` as given, or the API's default (`LEGACY`; the console's is
/// `ENABLED`).
fn prevent_user_existence_errors(given: Option<String>) -> Result<String, Answer> {
    let prevent = given.unwrap_or_else(|| "LEGACY".to_owned());
    one_of(
        prevent,
        "preventUserExistenceErrors",
        &["LEGACY", "ENABLED"],
    )
}

/// `CreateUserPoolClient`.
pub(crate) async fn create_client(app: &App, body: &[u8]) -> Outcome {
    let request: CreateClient = decode("CreateUserPoolClient", body)?;
    let pool_id = required(request.user_pool_id, "userPoolId")?;
    let name = required(request.client_name, "clientName")?;
    check_name(&name, "clientName")?;
    let prevent = prevent_user_existence_errors(request.prevent_user_existence_errors)?;
    let settings = ClientSettings::new(
        request.generate_secret.then(ids::client_secret),
        prevent,
        request.flows_and_lifetimes,
    )
    .map_err(invalid)?;
    let (_, created_at) = app.clock.now();
    let record = ClientRecord {
        id: ids::client_id(),
        pool_id,
        name,
        settings: serde_json::to_string(&settings).map_err(internal)?,
        created_at,
    };
    let cap = app.config.limits.clients_per_pool;
    if !client_directory::create_client(&app.store, &record, cap)
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
    let client_id = client_id(request.client_id)?;
    stored_pool(app, &pool_id).await?;
    client_directory::client(&app.store, &client_id)
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

/// `UpdateUserPoolClient`: as the service does it, every setting not given goes back to its
/// default (the flows to the API's default set, the lifetimes to an hour, an hour and 30
/// days, `PreventUserExistenceErrors` to `LEGACY`); the name stays when not given, and the
/// secret always (it cannot be changed). Every process uses the new settings from its next
/// request on (`generation.rs`).
pub(crate) async fn update_client(app: &App, body: &[u8]) -> Outcome {
    let request: UpdateClient = decode("UpdateUserPoolClient", body)?;
    let found = PoolRequest {
        user_pool_id: request.user_pool_id,
        client_id: request.client_id,
        ..PoolRequest::default()
    };
    let mut record = stored_client(app, found).await?;
    if let Some(name) = request.client_name {
        check_name(&name, "clientName")?;
        record.name = name;
    }
    let stored: ClientSettings = serde_json::from_str(&record.settings).map_err(internal)?;
    let prevent = prevent_user_existence_errors(request.prevent_user_existence_errors)?;
    let settings = ClientSettings::new(stored.client_secret, prevent, request.flows_and_lifetimes)
        .map_err(invalid)?;
    record.settings = serde_json::to_string(&settings).map_err(internal)?;
    let updated = generation::update_client(
        &app.store,
        &record.pool_id,
        &record.id,
        &record.name,
        record.settings.clone(),
    );
    if !updated.await.map_err(internal)? {
        return Err(Exception::ClientNotFound {
            client_id: &record.id,
        }
        .into());
    }
    app.directory.forget_client(&record.id);
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
    let records = client_directory::clients(&app.store, &pool_id, &after, size + 1)
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
    client_directory::delete_client(&app.store, &record.pool_id, &record.id)
        .await
        .map_err(internal)?;
    app.directory.forget_client(&record.id);
    Ok(Answer::Ok("{}".into()))
}
