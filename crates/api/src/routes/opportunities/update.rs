//! `PATCH /api/v1/opportunities/{id}`: one handler.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, patch, web};
use uuid::Uuid;

use crate::auth::Caller;
use crate::dto::opportunity::{OpportunityDto, PatchOpportunity};
use crate::error::ApiError;
use crate::error::responses::UpdateProblems;
use crate::extract::{IfMatch, JsonBody};
use crate::routes::{or_stale, with_etag};
use crate::state::AppState;

/// Changes an opportunity. A new `stage_id` is a stage move: one
/// stage-history row, `stage_entered_at`, `closed_at` set on won/lost (and
/// `close_date` to the org-local day unless sent) or cleared on reopening;
/// a lost stage needs `loss_reason`; stage gates name missing fields (422).
/// Amount, currency, close date, owner, forecast category and stage changes
/// are kept in the field history. Honours `If-Match`.
#[utoipa::path(
    tag = "opportunities",
    operation_id = "update_opportunity",
    request_body = PatchOpportunity,
    params(
        ("id" = Uuid, Path, description = "Opportunity id"),
        ("If-Match" = Option<String>, Header, description = "Quoted version")
    ),
    responses((status = 200, description = "Updated", body = OpportunityDto), UpdateProblems),
    security(("bearer" = []))
)]
#[patch("/opportunities/{id}")]
pub async fn update_opportunity(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: JsonBody<PatchOpportunity>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let scope = &caller.0;
    let current = state.store.get_opportunity(scope, id).await?;
    let changes = body.0.parse(&current.currency)?;
    let result = state.store.update_opportunity(scope, id, changes, if_match.0).await;
    let opp = or_stale(result, || async {
        let opp = state.store.get_opportunity(scope, id).await?;
        Ok((opp.version, OpportunityDto::from(opp)))
    })
    .await?;
    Ok(with_etag(StatusCode::OK, opp.version, &OpportunityDto::from(opp)))
}
