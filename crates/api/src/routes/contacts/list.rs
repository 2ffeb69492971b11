//! `GET /api/v1/contacts`: one handler.
use actix_web::{get, web, web::Json};

use crate::auth::Caller;
use crate::dto::account::{ContactDto, ContactQuery};
use crate::dto::{List, page_request};
use crate::error::ApiError;
use crate::error::responses::ReadProblems;
use crate::extract::QueryParams;
use crate::state::AppState;

/// People at accounts of the org, keyset-paginated by id.
#[utoipa::path(
    tag = "contacts",
    operation_id = "list_contacts",
    params(ContactQuery),
    responses((status = 200, description = "One page", body = List<ContactDto>), ReadProblems),
    security(("bearer" = []))
)]
#[get("/contacts")]
pub async fn list_contacts(
    state: web::Data<AppState>,
    caller: Caller,
    q: QueryParams<ContactQuery>,
) -> Result<Json<List<ContactDto>>, ApiError> {
    let page_req = page_request(q.0.limit, q.0.cursor.as_deref())?;
    let page = state.store.list_contacts(&caller.0, q.0.account_id, page_req).await?;
    Ok(Json(List::from_page(page, ContactDto::from)))
}
