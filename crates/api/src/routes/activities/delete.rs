//! `DELETE /api/v1/activities/{id}`: one handler.
use actix_web::{HttpResponse, delete, web};
use uuid::Uuid;

use crate::auth::Caller;
use crate::dto::activity::ActivityDto;
use crate::error::ApiError;
use crate::error::responses::DeleteProblems;
use crate::extract::IfMatch;
use crate::routes::or_stale;
use crate::state::AppState;

/// Deletes a activity (soft: history and sync keep it as a tombstone).
/// Honours `If-Match`.
#[utoipa::path(
    tag = "activities",
    operation_id = "delete_activity",
    params(
        ("id" = Uuid, Path, description = "Id"),
        ("If-Match" = Option<String>, Header, description = "Quoted version")
    ),
    responses((status = 204, description = "Deleted"), DeleteProblems),
    security(("bearer" = []))
)]
#[delete("/activities/{id}")]
pub async fn delete_activity(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let scope = &caller.0;
    let result = state.store.delete_activity(scope, id, if_match.0).await;
    or_stale(result, || async {
        let current = state.store.get_activity(scope, id).await?;
        Ok((current.version, ActivityDto::from(current)))
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
