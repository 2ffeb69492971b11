//! Soft deletion: a record that sync feeds and history still refer to is
//! marked deleted (and its version bumped) instead of being removed.

use chrono::{DateTime, Utc};
use glassbox_domain::DomainError;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::error::db_err;

/// The columns soft deletion touches, in the entity's terms.
pub(crate) struct Columns<C> {
    /// Primary key.
    pub id: C,
    /// `deleted_at`.
    pub deleted_at: C,
    /// `updated_at`.
    pub updated_at: C,
    /// `version`.
    pub version: C,
}

/// Marks row `id` deleted at `now` with version `current_version + 1`.
pub(crate) async fn mark<E: EntityTrait>(
    conn: &impl ConnectionTrait,
    cols: Columns<E::Column>,
    id: Uuid,
    current_version: i64,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    E::update_many()
        .col_expr(cols.deleted_at, Expr::value(now))
        .col_expr(cols.updated_at, Expr::value(now))
        .col_expr(cols.version, Expr::value(current_version + 1))
        .filter(cols.id.eq(id))
        .exec(conn)
        .await
        .map_err(db_err)?;
    Ok(())
}
