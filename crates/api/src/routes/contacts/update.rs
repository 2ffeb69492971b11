//! `PATCH /api/v1/contacts/{id}`: one handler.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, patch, web};
use uuid::Uuid;

use crate::auth::Caller;
use crate::dto::account::{ContactDto, ContactInput};
use crate::error::ApiError;
use crate::error::responses::UpdateProblems;
use crate::extract::{IfMatch, JsonBody};
use crate::routes::{or_stale, with_etag};
use crate::state::AppState;

/// Changes a contact; absent fields stay, `null` clears optional ones.
/// Honours `If-Match`.
#[utoipa::path(
    tag = "contacts",
    operation_id = "update_contact",
    request_body = ContactInput,
    params(
        ("id" = Uuid, Path, description = "Id"),
        ("If-Match" = Option<String>, Header, description = "Quoted version")
    ),
    responses((status = 200, description = "Updated", body = ContactDto), UpdateProblems),
    security(("bearer" = []))
)]
#[patch("/contacts/{id}")]
pub async fn update_contact(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: JsonBody<ContactInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let scope = &caller.0;
    let mut record = state.store.get_contact(scope, id).await?;
    body.0.apply(&mut record, false)?;
    let result = state.store.save_contact(scope, record, Some(if_match.0)).await;
    let saved = or_stale(result, || async {
        let current = state.store.get_contact(scope, id).await?;
        Ok((current.version, ContactDto::from(current)))
    })
    .await?;
    Ok(with_etag(StatusCode::OK, saved.version, &ContactDto::from(saved)))
}
