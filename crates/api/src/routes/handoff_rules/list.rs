//! `GET /api/v1/handoff-rules`: one handler.
use actix_web::{get, web, web::Json};

use crate::auth::Caller;
use crate::dto::List;
use crate::dto::handoff::HandoffRuleDto;
use crate::error::ApiError;
use crate::error::responses::ReadProblems;
use crate::state::AppState;

/// Every live handoff rule of the org (one page: an org has few).
#[utoipa::path(
    tag = "handoffs",
    operation_id = "list_handoff_rules",
    responses((status = 200, description = "All rules", body = List<HandoffRuleDto>), ReadProblems),
    security(("bearer" = []))
)]
#[get("/handoff-rules")]
pub async fn list_handoff_rules(state: web::Data<AppState>, caller: Caller) -> Result<Json<List<HandoffRuleDto>>, ApiError> {
    let org = state.store.get_org(&caller.0).await?;
    let rules = state.store.list_handoff_rules(&caller.0).await?;
    Ok(Json(List {
        data: rules.into_iter().map(|r| HandoffRuleDto::new(r, &org.base_currency)).collect(),
        next_cursor: None,
    }))
}
