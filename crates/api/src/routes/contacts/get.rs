//! `GET /api/v1/contacts/{id}`: one handler.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};
use uuid::Uuid;

use crate::auth::Caller;
use crate::dto::account::ContactDto;
use crate::error::ApiError;
use crate::error::responses::ReadProblems;
use crate::routes::with_etag;
use crate::state::AppState;

/// One contact.
#[utoipa::path(
    tag = "contacts",
    operation_id = "get_contact",
    params(("id" = Uuid, Path, description = "Id")),
    responses((status = 200, description = "The contact", body = ContactDto), ReadProblems),
    security(("bearer" = []))
)]
#[get("/contacts/{id}")]
pub async fn get_contact(state: web::Data<AppState>, caller: Caller, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let record = state.store.get_contact(&caller.0, id.into_inner()).await?;
    Ok(with_etag(StatusCode::OK, record.version, &ContactDto::from(record)))
}
