//! `DELETE /api/v1/quotas/{id}`: one handler.
use actix_web::{HttpResponse, delete, web};
use uuid::Uuid;

use crate::auth::Caller;
use crate::dto::quota::QuotaDto;
use crate::error::ApiError;
use crate::error::responses::DeleteProblems;
use crate::extract::IfMatch;
use crate::routes::or_stale;
use crate::state::AppState;

/// Deletes a quota (admins and managers). Honours `If-Match`.
#[utoipa::path(
    tag = "quotas",
    operation_id = "delete_quota",
    params(
        ("id" = Uuid, Path, description = "Id"),
        ("If-Match" = Option<String>, Header, description = "Quoted version the deletion is based on")
    ),
    responses((status = 204, description = "Deleted"), DeleteProblems),
    security(("bearer" = []))
)]
#[delete("/quotas/{id}")]
pub async fn delete_quota(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let scope = &caller.0;
    let result = state.store.delete_quota(scope, id, if_match.0).await;
    or_stale(result, || async {
        let q = state.store.get_quota(scope, id).await?;
        Ok((q.version, QuotaDto::from(q)))
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
