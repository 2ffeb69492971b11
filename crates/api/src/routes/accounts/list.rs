//! `GET /api/v1/accounts`: one handler.
use actix_web::{get, web, web::Json};

use crate::auth::Caller;
use crate::dto::account::{AccountDto, AccountQuery};
use crate::dto::{List, page_request};
use crate::error::ApiError;
use crate::error::responses::ReadProblems;
use crate::extract::QueryParams;
use crate::state::AppState;

/// Accounts (customer companies) of the org, keyset-paginated by id.
#[utoipa::path(
    tag = "accounts",
    operation_id = "list_accounts",
    params(AccountQuery),
    responses((status = 200, description = "One page", body = List<AccountDto>), ReadProblems),
    security(("bearer" = []))
)]
#[get("/accounts")]
pub async fn list_accounts(
    state: web::Data<AppState>,
    caller: Caller,
    q: QueryParams<AccountQuery>,
) -> Result<Json<List<AccountDto>>, ApiError> {
    let page_req = page_request(q.0.limit, q.0.cursor.as_deref())?;
    crate::dto::max_chars("q", q.0.q.as_deref(), 100)?;
    let page = state
        .store
        .list_accounts(&caller.0, q.0.q.as_deref(), q.0.owner_id, page_req)
        .await?;
    Ok(Json(List::from_page(page, AccountDto::from)))
}
