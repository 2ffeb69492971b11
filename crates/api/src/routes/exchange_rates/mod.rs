//! Exchange rates to the org's base currency.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, delete, get, post, web, web::Json};
use uuid::Uuid;

use crate::auth::Caller;
use crate::dto::quota::{ExchangeRateDto, ExchangeRateInput, ExchangeRateList, ExchangeRateQuery};
use crate::error::ApiError;
use crate::error::responses::{CreateProblems, DeleteProblems, ReadProblems};
use crate::extract::{JsonBody, QueryParams};
use crate::state::AppState;

/// Every exchange rate of the org, by currency then `valid_from`. Reports
/// convert an amount at the rate valid on its close date (the latest
/// `valid_from` on or before it); a currency without one is reported, not
/// dropped.
#[utoipa::path(
    tag = "exchange-rates",
    operation_id = "list_exchange_rates",
    params(ExchangeRateQuery),
    responses((status = 200, description = "All rates", body = ExchangeRateList), ReadProblems),
    security(("bearer" = []))
)]
#[get("/exchange-rates")]
pub async fn list_exchange_rates(
    state: web::Data<AppState>,
    caller: Caller,
    q: QueryParams<ExchangeRateQuery>,
) -> Result<Json<ExchangeRateList>, ApiError> {
    let currency = q.0.currency()?;
    let rates = state.store.list_exchange_rates(&caller.0, currency.map(|c| c.code())).await?;
    Ok(Json(ExchangeRateList {
        data: rates.into_iter().map(ExchangeRateDto::from).collect(),
    }))
}

/// Adds a rate (admin only): one per currency and day; none for the base
/// currency (422 naming `currency`).
#[utoipa::path(
    tag = "exchange-rates",
    operation_id = "create_exchange_rate",
    request_body = ExchangeRateInput,
    responses((status = 201, description = "Created", body = ExchangeRateDto), CreateProblems),
    security(("bearer" = []))
)]
#[post("/exchange-rates")]
pub async fn create_exchange_rate(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<ExchangeRateInput>,
) -> Result<HttpResponse, ApiError> {
    let scope = &caller.0;
    let org = state.store.get_org(scope).await?;
    let rate = body.0.parse(&org)?;
    let saved = state.store.add_exchange_rate(scope, rate).await?;
    Ok(HttpResponse::build(StatusCode::CREATED)
        .insert_header(("Location", format!("/api/v1/exchange-rates/{}", saved.id)))
        .json(ExchangeRateDto::from(saved)))
}

/// Deletes a rate (admin only).
#[utoipa::path(
    tag = "exchange-rates",
    operation_id = "delete_exchange_rate",
    params(("id" = Uuid, Path, description = "Id")),
    responses((status = 204, description = "Deleted"), DeleteProblems),
    security(("bearer" = []))
)]
#[delete("/exchange-rates/{id}")]
pub async fn delete_exchange_rate(state: web::Data<AppState>, caller: Caller, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    state.store.delete_exchange_rate(&caller.0, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
