//! `POST /api/v1/opportunities`: one handler.
use actix_web::{HttpResponse, post, web};
use glassbox_persistence::opportunities::NewOpportunity;

use crate::auth::Caller;
use crate::dto::opportunity::{CreateOpportunity, OpportunityDto};
use crate::error::ApiError;
use crate::error::responses::CreateProblems;
use crate::extract::JsonBody;
use crate::routes::created;
use crate::state::AppState;

/// Creates an opportunity in its first (or given) stage; writes its first
/// stage-history row. Owner defaults to the caller, currency to the org's.
#[utoipa::path(
    tag = "opportunities",
    operation_id = "create_opportunity",
    request_body = CreateOpportunity,
    responses((status = 201, description = "Created", body = OpportunityDto), CreateProblems),
    security(("bearer" = []))
)]
#[post("/opportunities")]
pub async fn create_opportunity(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<CreateOpportunity>,
) -> Result<HttpResponse, ApiError> {
    let scope = &caller.0;
    let org = state.store.get_org(scope).await?;
    let (id, name, fields) = body.0.parse(&org.base_currency)?;
    let new = NewOpportunity {
        id,
        name,
        owner_id: body.0.owner_id.unwrap_or(scope.user_id),
        pipeline_id: body.0.pipeline_id,
        stage_id: body.0.stage_id,
        fields,
    };
    let opp = state.store.create_opportunity(scope, new).await?;
    Ok(created(
        format!("/api/v1/opportunities/{}", opp.id),
        opp.version,
        &OpportunityDto::from(opp),
    ))
}
