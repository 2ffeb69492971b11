//! Liveness and readiness probes.

pub mod healthz;
pub mod readyz;

use serde::Serialize;
use utoipa::ToSchema;

/// Probe answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`.
    #[schema(example = "ok")]
    pub status: String,
    /// Database backend for readiness (`sqlite` or `postgres`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
}
