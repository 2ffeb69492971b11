//! `PATCH /api/v1/handoff-rules/{id}`: one handler.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, patch, web};
use uuid::Uuid;

use crate::auth::Caller;
use crate::dto::handoff::{HandoffRuleDto, HandoffRuleInput};
use crate::error::ApiError;
use crate::error::responses::UpdateProblems;
use crate::extract::{IfMatch, JsonBody};
use crate::routes::{or_stale, with_etag};
use crate::state::AppState;

/// Changes a handoff rule (admin only); tasks already created keep their
/// SLAs. Honours `If-Match`.
#[utoipa::path(
    tag = "handoffs",
    operation_id = "update_handoff_rule",
    request_body = HandoffRuleInput,
    params(
        ("id" = Uuid, Path, description = "Id"),
        ("If-Match" = Option<String>, Header, description = "Quoted version")
    ),
    responses((status = 200, description = "Updated", body = HandoffRuleDto), UpdateProblems),
    security(("bearer" = []))
)]
#[patch("/handoff-rules/{id}")]
pub async fn update_handoff_rule(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: JsonBody<HandoffRuleInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let scope = &caller.0;
    let org = state.store.get_org(scope).await?;
    let mut rule = state.store.get_handoff_rule(scope, id).await?;
    body.0.apply(&mut rule, false, &org.base_currency)?;
    let result = state.store.save_handoff_rule(scope, rule, Some(if_match.0)).await;
    let saved = or_stale(result, || async {
        let current = state.store.get_handoff_rule(scope, id).await?;
        Ok((current.version, HandoffRuleDto::new(current, &org.base_currency)))
    })
    .await?;
    Ok(with_etag(
        StatusCode::OK,
        saved.version,
        &HandoffRuleDto::new(saved, &org.base_currency),
    ))
}
