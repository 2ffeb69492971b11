//! `POST /api/v1/activities`: one handler.
use actix_web::{HttpResponse, post, web};
use glassbox_domain::activity::Activity;

use crate::auth::Caller;
use crate::dto::activity::{ActivityDto, ActivityInput};
use crate::error::ApiError;
use crate::error::responses::CreateProblems;
use crate::extract::JsonBody;
use crate::routes::created;
use crate::state::AppState;

/// Creates a activity; references to records of other orgs or missing ones
/// are 422 naming the field.
#[utoipa::path(
    tag = "activities",
    operation_id = "create_activity",
    request_body = ActivityInput,
    responses((status = 201, description = "Created", body = ActivityDto), CreateProblems),
    security(("bearer" = []))
)]
#[post("/activities")]
pub async fn create_activity(state: web::Data<AppState>, caller: Caller, body: JsonBody<ActivityInput>) -> Result<HttpResponse, ApiError> {
    let scope = &caller.0;
    let now = state.store.clock().now();
    let mut record = Activity {
        id: glassbox_domain::id::new_record_id("id", body.0.id)?,
        org_id: scope.org_id,
        activity_type: glassbox_domain::activity::ActivityType::Note,
        subject: String::new(),
        notes: None,
        occurred_at: None,
        due_at: None,
        duration_minutes: None,
        outcome: None,
        done: false,
        owner_id: scope.user_id,
        opportunity_id: None,
        account_id: None,
        contact_id: None,
        version: 0,
        created_at: now,
        updated_at: now,
    };
    body.0.apply(&mut record, true)?;
    let saved = state.store.save_activity(scope, record, None).await?;
    Ok(created(
        format!("/api/v1/activities/{}", saved.id),
        saved.version,
        &ActivityDto::from(saved),
    ))
}
