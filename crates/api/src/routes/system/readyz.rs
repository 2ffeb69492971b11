//! `GET /readyz`: one handler.
use actix_web::{get, web, web::Json};

use super::Health;
use crate::error::ApiError;
use crate::state::AppState;

/// Readiness: the database answers.
#[utoipa::path(
    tag = "system",
    operation_id = "readyz",
    responses(
        (status = 200, description = "Ready", body = Health),
        (status = 503, description = "Database unavailable", body = crate::error::Problem, content_type = "application/problem+json")
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<Json<Health>, ApiError> {
    state
        .store
        .ping()
        .await
        .map_err(|e| ApiError::Unavailable(format!("database: {e}")))?;
    Ok(Json(Health {
        status: "ok".into(),
        database: Some(state.store.backend_name().into()),
    }))
}
