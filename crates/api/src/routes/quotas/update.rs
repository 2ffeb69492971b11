//! `PATCH /api/v1/quotas/{id}`: one handler.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, patch, web};
use uuid::Uuid;

use crate::auth::Caller;
use crate::dto::quota::{QuotaDto, QuotaPatch};
use crate::error::ApiError;
use crate::error::responses::UpdateProblems;
use crate::extract::{IfMatch, JsonBody};
use crate::routes::{or_stale, with_etag};
use crate::state::AppState;

/// Changes a quota's amount (and currency); target and period stay
/// (delete and set a new quota to move one). Honours `If-Match`.
#[utoipa::path(
    tag = "quotas",
    operation_id = "update_quota",
    request_body = QuotaPatch,
    params(
        ("id" = Uuid, Path, description = "Id"),
        ("If-Match" = Option<String>, Header, description = "Quoted version")
    ),
    responses((status = 200, description = "Updated", body = QuotaDto), UpdateProblems),
    security(("bearer" = []))
)]
#[patch("/quotas/{id}")]
pub async fn update_quota(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: JsonBody<QuotaPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let scope = &caller.0;
    let mut record = state.store.get_quota(scope, id).await?;
    body.0.apply(&mut record)?;
    let result = state.store.save_quota(scope, record, Some(if_match.0)).await;
    let saved = or_stale(result, || async {
        let current = state.store.get_quota(scope, id).await?;
        Ok((current.version, QuotaDto::from(current)))
    })
    .await?;
    Ok(with_etag(StatusCode::OK, saved.version, &QuotaDto::from(saved)))
}
