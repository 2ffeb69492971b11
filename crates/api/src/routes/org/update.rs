//! `PATCH /api/v1/org`: one handler.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, patch, web};
use glassbox_domain::org::OrgChanges;

use crate::auth::Caller;
use crate::dto::org::{OrgDto, PatchOrg};
use crate::error::ApiError;
use crate::error::responses::UpdateProblems;
use crate::extract::{IfMatch, JsonBody};
use crate::routes::{or_stale, with_etag};
use crate::state::AppState;

/// Changes org settings (admin only). Honours `If-Match`.
#[utoipa::path(
    tag = "org",
    operation_id = "update_org",
    request_body = PatchOrg,
    params(("If-Match" = Option<String>, Header, description = "Quoted version the change is based on")),
    responses((status = 200, description = "Updated org", body = OrgDto), UpdateProblems),
    security(("bearer" = []))
)]
#[patch("/org")]
pub async fn update_org(
    state: web::Data<AppState>,
    caller: Caller,
    if_match: IfMatch,
    body: JsonBody<PatchOrg>,
) -> Result<HttpResponse, ApiError> {
    let changes = OrgChanges::parse(body.0.input())?;
    let scope = &caller.0;
    let result = state.store.update_org(scope, changes, if_match.0).await;
    let org = or_stale(result, || async {
        let org = state.store.get_org(scope).await?;
        Ok((org.version, OrgDto::from(org)))
    })
    .await?;
    Ok(with_etag(StatusCode::OK, org.version, &OrgDto::from(org)))
}
