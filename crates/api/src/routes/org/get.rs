//! `GET /api/v1/org`: one handler.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};

use crate::auth::Caller;
use crate::dto::org::OrgDto;
use crate::error::ApiError;
use crate::error::responses::ReadProblems;
use crate::routes::with_etag;
use crate::state::AppState;

/// The caller's org and its settings.
#[utoipa::path(
    tag = "org",
    operation_id = "get_org",
    responses((status = 200, description = "The org", body = OrgDto, headers(("ETag" = String, description = "Quoted version"))), ReadProblems),
    security(("bearer" = []))
)]
#[get("/org")]
pub async fn get_org(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let org = state.store.get_org(&caller.0).await?;
    let calendar = state.store.org_calendar(&caller.0).await?;
    Ok(with_etag(StatusCode::OK, org.version, &OrgDto::from((org, calendar))))
}
