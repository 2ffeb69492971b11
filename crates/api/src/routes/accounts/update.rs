//! `PATCH /api/v1/accounts/{id}`: one handler.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, patch, web};
use uuid::Uuid;

use crate::auth::Caller;
use crate::dto::account::{AccountDto, AccountInput};
use crate::error::ApiError;
use crate::error::responses::UpdateProblems;
use crate::extract::{IfMatch, JsonBody};
use crate::routes::{or_stale, with_etag};
use crate::state::AppState;

/// Changes a account; absent fields stay, `null` clears optional ones.
/// Honours `If-Match`.
#[utoipa::path(
    tag = "accounts",
    operation_id = "update_account",
    request_body = AccountInput,
    params(
        ("id" = Uuid, Path, description = "Id"),
        ("If-Match" = Option<String>, Header, description = "Quoted version")
    ),
    responses((status = 200, description = "Updated", body = AccountDto), UpdateProblems),
    security(("bearer" = []))
)]
#[patch("/accounts/{id}")]
pub async fn update_account(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: JsonBody<AccountInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let scope = &caller.0;
    let mut record = state.store.get_account(scope, id).await?;
    body.0.apply(&mut record, false)?;
    let result = state.store.save_account(scope, record, Some(if_match.0)).await;
    let saved = or_stale(result, || async {
        let current = state.store.get_account(scope, id).await?;
        Ok((current.version, AccountDto::from(current)))
    })
    .await?;
    Ok(with_etag(StatusCode::OK, saved.version, &AccountDto::from(saved)))
}
