//! `PATCH /api/v1/org`: one handler.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, patch, web};
use glassbox_domain::error::Errors;
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
    let scope = &caller.0;
    let mut errors = Errors::new();
    let changes = errors.take(OrgChanges::parse(body.0.input()));
    let calendar = match body.0.calendar_input() {
        Some(input) => errors.take(state.store.org_calendar(scope).await?.with(&input)).map(Some),
        None => Some(None),
    };
    errors.finish()?;
    let (Some(changes), Some(calendar)) = (changes, calendar) else {
        return Err(glassbox_domain::DomainError::Internal("validation passed without values".into()).into());
    };
    let result = state.store.update_org(scope, changes, calendar, if_match.0).await;
    let org = or_stale(result, || async {
        let org = state.store.get_org(scope).await?;
        let calendar = state.store.org_calendar(scope).await?;
        Ok((org.version, OrgDto::from((org, calendar))))
    })
    .await?;
    let calendar = state.store.org_calendar(scope).await?;
    Ok(with_etag(StatusCode::OK, org.version, &OrgDto::from((org, calendar))))
}
