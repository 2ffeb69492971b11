//! `GET /api/v1/handoff-rules/{id}`: one handler.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};
use uuid::Uuid;

use crate::auth::Caller;
use crate::dto::handoff::HandoffRuleDto;
use crate::error::ApiError;
use crate::error::responses::ReadProblems;
use crate::routes::with_etag;
use crate::state::AppState;

/// One handoff rule.
#[utoipa::path(
    tag = "handoffs",
    operation_id = "get_handoff_rule",
    params(("id" = Uuid, Path, description = "Id")),
    responses((status = 200, description = "The rule", body = HandoffRuleDto), ReadProblems),
    security(("bearer" = []))
)]
#[get("/handoff-rules/{id}")]
pub async fn get_handoff_rule(state: web::Data<AppState>, caller: Caller, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let org = state.store.get_org(&caller.0).await?;
    let rule = state.store.get_handoff_rule(&caller.0, id.into_inner()).await?;
    Ok(with_etag(
        StatusCode::OK,
        rule.version,
        &HandoffRuleDto::new(rule, &org.base_currency),
    ))
}
