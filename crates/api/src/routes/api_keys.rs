//! `/api/v1/api-keys`: keys for integrations (admin only).
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, delete, get, post, web, web::Json};
use uuid::Uuid;

use crate::auth::{Caller, api_key};
use crate::dto::api_key::{ApiKeyDto, ApiKeyList, CreateApiKey, NewApiKeyDto};
use crate::error::ApiError;
use crate::error::responses::{CreateProblems, DeleteProblems, ReadProblems};
use crate::extract::JsonBody;
use crate::state::AppState;

/// Creates an API key acting as the calling admin, limited to its scopes
/// (`resource:read` for GET, `resource:write` for the rest; a key can never
/// sign in, read `/me` or manage keys). The secret (`gbx_…`) is in the
/// `key` field of this answer only; it is stored hashed.
#[utoipa::path(
    tag = "api-keys",
    operation_id = "create_api_key",
    request_body = CreateApiKey,
    responses((status = 201, description = "Created; `key` is shown once", body = NewApiKeyDto), CreateProblems),
    security(("bearer" = []))
)]
#[post("/api-keys")]
pub async fn create_api_key(state: web::Data<AppState>, caller: Caller, body: JsonBody<CreateApiKey>) -> Result<HttpResponse, ApiError> {
    let mut key = body.0.parse(state.store.clock().now())?;
    let (secret, hash) = api_key::generate();
    key.prefix = secret.chars().skip(api_key::PREFIX.len()).take(8).collect();
    let saved = state.store.create_api_key(&caller.0, key, &hash).await?;
    Ok(HttpResponse::build(StatusCode::CREATED)
        .insert_header(("Location", format!("/api/v1/api-keys/{}", saved.id)))
        .insert_header(("Cache-Control", "no-store"))
        .json(NewApiKeyDto {
            key: secret,
            record: ApiKeyDto::from(saved),
        }))
}

/// The org's API keys, newest first, without their secrets (admin only).
#[utoipa::path(
    tag = "api-keys",
    operation_id = "list_api_keys",
    responses((status = 200, description = "Keys", body = ApiKeyList), ReadProblems),
    security(("bearer" = []))
)]
#[get("/api-keys")]
pub async fn list_api_keys(state: web::Data<AppState>, caller: Caller) -> Result<Json<ApiKeyList>, ApiError> {
    let keys = state.store.list_api_keys(&caller.0).await?;
    Ok(Json(ApiKeyList {
        data: keys.into_iter().map(ApiKeyDto::from).collect(),
    }))
}

/// Revokes a key (admin only): its next request gets 401.
#[utoipa::path(
    tag = "api-keys",
    operation_id = "revoke_api_key",
    params(("id" = Uuid, Path, description = "Id")),
    responses((status = 204, description = "Revoked"), DeleteProblems),
    security(("bearer" = []))
)]
#[delete("/api-keys/{id}")]
pub async fn revoke_api_key(state: web::Data<AppState>, caller: Caller, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    state.store.revoke_api_key(&caller.0, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
