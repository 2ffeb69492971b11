//! `POST /api/v1/handoff-rules`: one handler.
use actix_web::{HttpResponse, post, web};
use glassbox_domain::handoff::HandoffRule;

use crate::auth::Caller;
use crate::dto::handoff::{HandoffRuleDto, HandoffRuleInput};
use crate::error::ApiError;
use crate::error::responses::CreateProblems;
use crate::extract::JsonBody;
use crate::routes::created;
use crate::state::AppState;

/// Creates a handoff rule (admin only).
#[utoipa::path(
    tag = "handoffs",
    operation_id = "create_handoff_rule",
    request_body = HandoffRuleInput,
    responses((status = 201, description = "Created", body = HandoffRuleDto), CreateProblems),
    security(("bearer" = []))
)]
#[post("/handoff-rules")]
pub async fn create_handoff_rule(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<HandoffRuleInput>,
) -> Result<HttpResponse, ApiError> {
    let scope = &caller.0;
    let org = state.store.get_org(scope).await?;
    let mut rule = HandoffRule {
        id: glassbox_domain::id::new_record_id("id", body.0.id)?,
        org_id: scope.org_id,
        pipeline_id: uuid::Uuid::nil(),
        stage_id: uuid::Uuid::nil(),
        min_amount_minor: None,
        task_type: String::new(),
        title_template: String::new(),
        assignee_team_id: uuid::Uuid::nil(),
        response_sla_minutes: 0,
        completion_sla_minutes: 0,
        active: true,
        version: 0,
        created_at: org.created_at,
        updated_at: org.created_at,
    };
    body.0.apply(&mut rule, true, &org.base_currency)?;
    let saved = state.store.save_handoff_rule(scope, rule, None).await?;
    Ok(created(
        format!("/api/v1/handoff-rules/{}", saved.id),
        saved.version,
        &HandoffRuleDto::new(saved, &org.base_currency),
    ))
}
