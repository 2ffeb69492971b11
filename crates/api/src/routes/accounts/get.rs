//! `GET /api/v1/accounts/{id}`: one handler.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};
use uuid::Uuid;

use crate::auth::Caller;
use crate::dto::account::AccountDto;
use crate::error::ApiError;
use crate::error::responses::ReadProblems;
use crate::routes::with_etag;
use crate::state::AppState;

/// One account.
#[utoipa::path(
    tag = "accounts",
    operation_id = "get_account",
    params(("id" = Uuid, Path, description = "Id")),
    responses((status = 200, description = "The account", body = AccountDto), ReadProblems),
    security(("bearer" = []))
)]
#[get("/accounts/{id}")]
pub async fn get_account(state: web::Data<AppState>, caller: Caller, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let record = state.store.get_account(&caller.0, id.into_inner()).await?;
    Ok(with_etag(StatusCode::OK, record.version, &AccountDto::from(record)))
}
