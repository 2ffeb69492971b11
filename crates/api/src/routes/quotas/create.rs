//! `POST /api/v1/quotas`: one handler.
use actix_web::{HttpResponse, post, web};

use crate::auth::Caller;
use crate::dto::quota::{NewQuotaInput, QuotaDto};
use crate::error::ApiError;
use crate::error::responses::CreateProblems;
use crate::extract::JsonBody;
use crate::routes::created;
use crate::state::AppState;

/// Sets a quota for a user or a team and a fiscal period (admins and
/// managers). The period's days follow the org's fiscal year start and time
/// zone at the time it is set. A second quota for the same target and
/// period length whose days overlap is 422 naming `period`.
#[utoipa::path(
    tag = "quotas",
    operation_id = "create_quota",
    request_body = NewQuotaInput,
    responses((status = 201, description = "Created", body = QuotaDto), CreateProblems),
    security(("bearer" = []))
)]
#[post("/quotas")]
pub async fn create_quota(state: web::Data<AppState>, caller: Caller, body: JsonBody<NewQuotaInput>) -> Result<HttpResponse, ApiError> {
    let scope = &caller.0;
    let org = state.store.get_org(scope).await?;
    let quota = body.0.parse(&org)?;
    let saved = state.store.save_quota(scope, quota, None).await?;
    Ok(created(
        format!("/api/v1/quotas/{}", saved.id),
        saved.version,
        &QuotaDto::from(saved),
    ))
}
