//! Soft deletion: a record that sync feeds and history still refer to is
//! marked deleted (and its version bumped) instead of being removed.

use chrono::{DateTime, Utc};
use glassbox_domain::DomainError;
use sea_orm::sea_query::Expr;
use std::str::FromStr;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::error::db_err;

/// Marks row `id` of `E` deleted at `now` with version `current_version + 1`.
/// Every soft-deleted table has the columns `id`, `deleted_at`,
/// `updated_at` and `version`; they are looked up by name.
pub(crate) async fn mark<E: EntityTrait>(
    conn: &impl ConnectionTrait,
    id: Uuid,
    current_version: i64,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    let col = |name: &str| {
        E::Column::from_str(name).map_err(|_| DomainError::Internal(format!("table {} has no `{name}` column", E::default().table_name())))
    };
    E::update_many()
        .col_expr(col("deleted_at")?, Expr::value(now))
        .col_expr(col("updated_at")?, Expr::value(now))
        .col_expr(col("version")?, Expr::value(current_version + 1))
        .filter(col("id")?.eq(id))
        .exec(conn)
        .await
        .map_err(db_err)?;
    Ok(())
}
