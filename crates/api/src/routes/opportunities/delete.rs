//! `DELETE /api/v1/opportunities/{id}`: one handler.
use actix_web::{HttpResponse, delete, web};
use uuid::Uuid;

use crate::auth::Caller;
use crate::dto::opportunity::OpportunityDto;
use crate::error::ApiError;
use crate::error::responses::DeleteProblems;
use crate::extract::IfMatch;
use crate::routes::or_stale;
use crate::state::AppState;

/// Deletes an opportunity (soft: its history stays for analytics and sync).
#[utoipa::path(
    tag = "opportunities",
    operation_id = "delete_opportunity",
    params(
        ("id" = Uuid, Path, description = "Opportunity id"),
        ("If-Match" = Option<String>, Header, description = "Quoted version")
    ),
    responses((status = 204, description = "Deleted"), DeleteProblems),
    security(("bearer" = []))
)]
#[delete("/opportunities/{id}")]
pub async fn delete_opportunity(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let scope = &caller.0;
    let result = state.store.delete_opportunity(scope, id, if_match.0).await;
    or_stale(result, || async {
        let opp = state.store.get_opportunity(scope, id).await?;
        Ok((opp.version, OpportunityDto::from(opp)))
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
