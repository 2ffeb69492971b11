//! `POST /api/v1/users/{id}/deactivate`: one handler.
use actix_web::{HttpRequest, post, web, web::Json};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::error::responses::UpdateProblems;
use crate::extract::JsonBody;
use crate::state::AppState;

/// Who takes over the leaver's work.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeactivateUser {
    /// An active user of the org, not the leaver.
    pub reassign_to_user_id: Uuid,
}

/// What moved to the successor.
#[derive(Debug, Serialize, ToSchema)]
pub struct Reassignment {
    /// The deactivated user.
    pub user_id: Uuid,
    /// Their successor.
    pub reassigned_to_user_id: Uuid,
    /// Open opportunities moved (owner changed, with field history).
    pub opportunities: u64,
    /// Accounts moved.
    pub accounts: u64,
    /// Open handoff tasks reassigned.
    pub handoff_tasks: u64,
}

/// Staff leaving (admin only): in one transaction, moves the user's open
/// opportunities, their accounts and the open handoff tasks assigned to
/// them to `reassign_to_user_id`, deactivates the user and ends their
/// sessions (refresh tokens revoked; access tokens and the API keys they
/// made stop working at the next request).
#[utoipa::path(
    tag = "users",
    operation_id = "deactivate_user",
    request_body = DeactivateUser,
    params(("id" = Uuid, Path, description = "The leaving user")),
    responses((status = 200, description = "Deactivated; what moved", body = Reassignment), UpdateProblems),
    security(("bearer" = []))
)]
#[post("/users/{id}/deactivate")]
pub async fn deactivate_user(
    state: web::Data<AppState>,
    http: HttpRequest,
    caller: Caller,
    id: web::Path<Uuid>,
    body: JsonBody<DeactivateUser>,
) -> Result<Json<Reassignment>, ApiError> {
    let id = id.into_inner();
    let to = body.0.reassign_to_user_id;
    let moved = state.store.deactivate_and_reassign(&caller.0, id, to).await?;
    crate::audit::note(
        &http,
        crate::audit::AuditDetail(serde_json::json!({
            "reassigned_to_user_id": to,
            "opportunities": moved.opportunities,
            "accounts": moved.accounts,
            "handoff_tasks": moved.handoff_tasks,
        })),
    );
    Ok(Json(Reassignment {
        user_id: id,
        reassigned_to_user_id: to,
        opportunities: moved.opportunities,
        accounts: moved.accounts,
        handoff_tasks: moved.handoff_tasks,
    }))
}
