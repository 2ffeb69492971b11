//! `PATCH /api/v1/activities/{id}`: one handler.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, patch, web};
use uuid::Uuid;

use crate::auth::Caller;
use crate::dto::activity::{ActivityDto, ActivityInput};
use crate::error::ApiError;
use crate::error::responses::UpdateProblems;
use crate::extract::{IfMatch, JsonBody};
use crate::routes::{or_stale, with_etag};
use crate::state::AppState;

/// Changes a activity; absent fields stay, `null` clears optional ones.
/// Honours `If-Match`.
#[utoipa::path(
    tag = "activities",
    operation_id = "update_activity",
    request_body = ActivityInput,
    params(
        ("id" = Uuid, Path, description = "Id"),
        ("If-Match" = Option<String>, Header, description = "Quoted version")
    ),
    responses((status = 200, description = "Updated", body = ActivityDto), UpdateProblems),
    security(("bearer" = []))
)]
#[patch("/activities/{id}")]
pub async fn update_activity(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: JsonBody<ActivityInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let scope = &caller.0;
    let mut record = state.store.get_activity(scope, id).await?;
    body.0.apply(&mut record, false)?;
    let result = state.store.save_activity(scope, record, Some(if_match.0)).await;
    let saved = or_stale(result, || async {
        let current = state.store.get_activity(scope, id).await?;
        Ok((current.version, ActivityDto::from(current)))
    })
    .await?;
    Ok(with_etag(StatusCode::OK, saved.version, &ActivityDto::from(saved)))
}
