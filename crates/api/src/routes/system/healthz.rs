//! `GET /healthz`: one handler.
use actix_web::{get, web::Json};

use super::Health;

/// Liveness: the process is up and serving.
#[utoipa::path(tag = "system", operation_id = "healthz", responses((status = 200, description = "Alive", body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        database: None,
    })
}
