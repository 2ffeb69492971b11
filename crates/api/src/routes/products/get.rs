//! `GET /api/v1/products/{id}`: one handler.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};
use uuid::Uuid;

use crate::auth::Caller;
use crate::dto::product::ProductDto;
use crate::error::ApiError;
use crate::error::responses::ReadProblems;
use crate::routes::with_etag;
use crate::state::AppState;

/// One product.
#[utoipa::path(
    tag = "products",
    operation_id = "get_product",
    params(("id" = Uuid, Path, description = "Id")),
    responses((status = 200, description = "The product", body = ProductDto), ReadProblems),
    security(("bearer" = []))
)]
#[get("/products/{id}")]
pub async fn get_product(state: web::Data<AppState>, caller: Caller, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let record = state.store.get_product(&caller.0, id.into_inner()).await?;
    Ok(with_etag(StatusCode::OK, record.version, &ProductDto::from(record)))
}
