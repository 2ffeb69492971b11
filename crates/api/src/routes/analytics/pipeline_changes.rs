//! `GET /api/v1/analytics/pipeline-changes`: one handler.
use actix_web::{get, web, web::Json};

use crate::auth::Caller;
use crate::dto::analytics::report_query;
use crate::dto::pipeline_changes::{PipelineChangesDto, PipelineChangesParams};
use crate::error::ApiError;
use crate::error::responses::ReadProblems;
use crate::extract::QueryParams;
use crate::state::AppState;

/// The pipeline waterfall from `from` to `to`: the open pipeline whose close
/// dates fall in those days, at the start, and how it moved — new, pulled
/// in, increased, decreased, pushed out, won, lost — to the end.
/// `start + new + pulled_in + increased − decreased − pushed_out − won −
/// lost = end` holds exactly, per currency. Amounts and close dates are read
/// from field history as they stood at each end (the pipeline-changes
/// bridge of Salesforce's and Clari's reports). Computed in SQL.
#[utoipa::path(
    tag = "analytics",
    operation_id = "pipeline_changes",
    params(PipelineChangesParams),
    responses((status = 200, description = "The waterfall", body = PipelineChangesDto), ReadProblems),
    security(("bearer" = []))
)]
#[get("/analytics/pipeline-changes")]
pub async fn pipeline_changes(
    state: web::Data<AppState>,
    caller: Caller,
    q: QueryParams<PipelineChangesParams>,
) -> Result<Json<PipelineChangesDto>, ApiError> {
    let q = q.0;
    let query = report_query(q.owner_id, q.team_id, q.from, q.to, q.as_of.as_deref())?;
    let report = state.store.pipeline_changes(&caller.0, &query).await?;
    Ok(Json(report.into()))
}
