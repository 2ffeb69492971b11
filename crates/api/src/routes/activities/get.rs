//! `GET /api/v1/activities/{id}`: one handler.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};
use uuid::Uuid;

use crate::auth::Caller;
use crate::dto::activity::ActivityDto;
use crate::error::ApiError;
use crate::error::responses::ReadProblems;
use crate::routes::with_etag;
use crate::state::AppState;

/// One activity.
#[utoipa::path(
    tag = "activities",
    operation_id = "get_activity",
    params(("id" = Uuid, Path, description = "Id")),
    responses((status = 200, description = "The activity", body = ActivityDto), ReadProblems),
    security(("bearer" = []))
)]
#[get("/activities/{id}")]
pub async fn get_activity(state: web::Data<AppState>, caller: Caller, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let record = state.store.get_activity(&caller.0, id.into_inner()).await?;
    Ok(with_etag(StatusCode::OK, record.version, &ActivityDto::from(record)))
}
