//! Each org's forecast-fit generation: fitted models are kept under the
//! generation they were fitted in, and whatever changes past history moves
//! the generation on (see `fit`).

use glassbox_domain::DomainError;
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::analytics::sql::Sql;
use crate::error::db_err;

/// Moves `org`'s generation on: fits stored so far are not read again.
///
/// # Errors
/// [`DomainError::Internal`] on storage failure.
pub(crate) async fn invalidate(conn: &impl ConnectionTrait, org: Uuid) -> Result<(), DomainError> {
    let mut s = Sql::new(conn.get_database_backend());
    let o = s.bind(org);
    s.push(&format!(
        "INSERT INTO forecast_fit_generations (org_id, generation) VALUES ({o}, 1) \
         ON CONFLICT (org_id) DO UPDATE SET generation = forecast_fit_generations.generation + 1"
    ));
    s.execute(conn).await
}

/// `org`'s current generation (0 before the first move).
///
/// # Errors
/// [`DomainError::Internal`] on storage failure.
pub(crate) async fn generation(conn: &impl ConnectionTrait, org: Uuid) -> Result<i64, DomainError> {
    let mut s = Sql::new(conn.get_database_backend());
    let o = s.bind(org);
    s.push(&format!("SELECT generation FROM forecast_fit_generations WHERE org_id = {o}"));
    match s.all(conn).await?.first() {
        Some(r) => r.try_get("", "generation").map_err(db_err),
        None => Ok(0),
    }
}
