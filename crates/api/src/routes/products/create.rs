//! `POST /api/v1/products`: one handler.
use actix_web::{HttpResponse, post, web};
use glassbox_domain::account::Product;

use crate::auth::Caller;
use crate::dto::product::{ProductDto, ProductInput};
use crate::error::ApiError;
use crate::error::responses::CreateProblems;
use crate::extract::JsonBody;
use crate::routes::created;
use crate::state::AppState;

/// Creates a product; references to records of other orgs or missing ones
/// are 422 naming the field.
#[utoipa::path(
    tag = "products",
    operation_id = "create_product",
    request_body = ProductInput,
    responses((status = 201, description = "Created", body = ProductDto), CreateProblems),
    security(("bearer" = []))
)]
#[post("/products")]
pub async fn create_product(state: web::Data<AppState>, caller: Caller, body: JsonBody<ProductInput>) -> Result<HttpResponse, ApiError> {
    let scope = &caller.0;
    let org = state.store.get_org(scope).await?;
    let mut record = Product {
        id: glassbox_domain::id::new_record_id("id", body.0.id)?,
        org_id: scope.org_id,
        name: String::new(),
        code: None,
        list_price_minor: 0,
        currency: org.base_currency,
        active: true,
        version: 0,
        created_at: org.created_at,
        updated_at: org.created_at,
    };
    body.0.apply(&mut record, true)?;
    let saved = state.store.save_product(scope, record, None).await?;
    Ok(created(
        format!("/api/v1/products/{}", saved.id),
        saved.version,
        &ProductDto::from(saved),
    ))
}
