//! `GET /api/v1/products`: one handler.
use actix_web::{get, web, web::Json};

use crate::auth::Caller;
use crate::dto::product::{ProductDto, ProductQuery};
use crate::dto::{List, page_request};
use crate::error::ApiError;
use crate::error::responses::ReadProblems;
use crate::extract::QueryParams;
use crate::state::AppState;

/// The product catalogue of the org, keyset-paginated by id.
#[utoipa::path(
    tag = "products",
    operation_id = "list_products",
    params(ProductQuery),
    responses((status = 200, description = "One page", body = List<ProductDto>), ReadProblems),
    security(("bearer" = []))
)]
#[get("/products")]
pub async fn list_products(
    state: web::Data<AppState>,
    caller: Caller,
    q: QueryParams<ProductQuery>,
) -> Result<Json<List<ProductDto>>, ApiError> {
    let page_req = page_request(q.0.limit, q.0.cursor.as_deref())?;
    let page = state.store.list_products(&caller.0, q.0.active, page_req).await?;
    Ok(Json(List::from_page(page, ProductDto::from)))
}
