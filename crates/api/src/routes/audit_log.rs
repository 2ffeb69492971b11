//! `GET /api/v1/audit-log`.

use actix_web::{get, web, web::Json};

use crate::auth::Caller;
use crate::dto::audit::{AuditList, AuditQuery};
use crate::error::ApiError;
use crate::error::responses::ReadProblems;
use crate::extract::QueryParams;
use crate::state::AppState;

/// The org's audit log, newest first (admin only): every successful write
/// (who, which user or API key, what, which record, when, from where, with
/// its request id) and every sign-in and refused sign-in. Append-only: no
/// endpoint changes it and the database refuses to.
#[utoipa::path(
    tag = "audit",
    operation_id = "list_audit_log",
    params(AuditQuery),
    responses((status = 200, description = "Entries", body = AuditList), ReadProblems),
    security(("bearer" = []))
)]
#[get("/audit-log")]
pub async fn list_audit_log(state: web::Data<AppState>, caller: Caller, q: QueryParams<AuditQuery>) -> Result<Json<AuditList>, ApiError> {
    let (filter, page) = q.0.parse()?;
    let rows = state.store.list_audit(&caller.0, &filter, page).await?;
    Ok(Json(AuditList::new(rows)))
}
