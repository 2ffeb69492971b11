//! `DELETE /api/v1/handoff-rules/{id}`: one handler.
use actix_web::{HttpResponse, delete, web};
use uuid::Uuid;

use crate::auth::Caller;
use crate::dto::handoff::HandoffRuleDto;
use crate::error::ApiError;
use crate::error::responses::DeleteProblems;
use crate::extract::IfMatch;
use crate::routes::or_stale;
use crate::state::AppState;

/// Deletes a handoff rule (admin only; soft: its tasks keep their rule id).
/// Honours `If-Match`.
#[utoipa::path(
    tag = "handoffs",
    operation_id = "delete_handoff_rule",
    params(
        ("id" = Uuid, Path, description = "Id"),
        ("If-Match" = Option<String>, Header, description = "Quoted version")
    ),
    responses((status = 204, description = "Deleted"), DeleteProblems),
    security(("bearer" = []))
)]
#[delete("/handoff-rules/{id}")]
pub async fn delete_handoff_rule(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let scope = &caller.0;
    let result = state.store.delete_handoff_rule(scope, id, if_match.0).await;
    or_stale(result, || async {
        let org = state.store.get_org(scope).await?;
        let current = state.store.get_handoff_rule(scope, id).await?;
        Ok((current.version, HandoffRuleDto::new(current, &org.base_currency)))
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
