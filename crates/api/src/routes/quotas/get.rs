//! `GET /api/v1/quotas/{id}`: one handler.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};
use uuid::Uuid;

use crate::auth::Caller;
use crate::dto::quota::QuotaDto;
use crate::error::ApiError;
use crate::error::responses::ReadProblems;
use crate::routes::with_etag;
use crate::state::AppState;

/// One quota.
#[utoipa::path(
    tag = "quotas",
    operation_id = "get_quota",
    params(("id" = Uuid, Path, description = "Id")),
    responses((status = 200, description = "The quota", body = QuotaDto), ReadProblems),
    security(("bearer" = []))
)]
#[get("/quotas/{id}")]
pub async fn get_quota(state: web::Data<AppState>, caller: Caller, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let q = state.store.get_quota(&caller.0, id.into_inner()).await?;
    Ok(with_etag(StatusCode::OK, q.version, &QuotaDto::from(q)))
}
