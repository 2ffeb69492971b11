//! `DELETE /api/v1/contacts/{id}`: one handler.
use actix_web::{HttpResponse, delete, web};
use uuid::Uuid;

use crate::auth::Caller;
use crate::dto::account::ContactDto;
use crate::error::ApiError;
use crate::error::responses::DeleteProblems;
use crate::extract::IfMatch;
use crate::routes::or_stale;
use crate::state::AppState;

/// Deletes a contact (soft: history and sync keep it as a tombstone).
/// Honours `If-Match`.
#[utoipa::path(
    tag = "contacts",
    operation_id = "delete_contact",
    params(
        ("id" = Uuid, Path, description = "Id"),
        ("If-Match" = Option<String>, Header, description = "Quoted version")
    ),
    responses((status = 204, description = "Deleted"), DeleteProblems),
    security(("bearer" = []))
)]
#[delete("/contacts/{id}")]
pub async fn delete_contact(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let scope = &caller.0;
    let result = state.store.delete_contact(scope, id, if_match.0).await;
    or_stale(result, || async {
        let current = state.store.get_contact(scope, id).await?;
        Ok((current.version, ContactDto::from(current)))
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
