//! Stage history and field history of an opportunity.

use chrono::{DateTime, Utc};
use glassbox_domain::{DomainError, Scope};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::get_in;
use crate::Store;
use crate::entities::{opportunity_field_history as fh, opportunity_stage_history as sh};
use crate::error::db_err;

/// One stage-history row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageHistoryRow {
    /// Row id.
    pub id: Uuid,
    /// Stage left.
    pub from_stage_id: Option<Uuid>,
    /// Stage entered.
    pub to_stage_id: Uuid,
    /// Entered at.
    pub entered_at: DateTime<Utc>,
    /// Left at; `None` for the current stage.
    pub exited_at: Option<DateTime<Utc>>,
    /// Who moved it.
    pub actor_id: Option<Uuid>,
}

impl From<sh::Model> for StageHistoryRow {
    fn from(r: sh::Model) -> Self {
        Self {
            id: r.id,
            from_stage_id: r.from_stage_id,
            to_stage_id: r.to_stage_id,
            entered_at: r.entered_at,
            exited_at: r.exited_at,
            actor_id: r.actor_id,
        }
    }
}

/// One field-history row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldHistoryRow {
    /// Row id.
    pub id: Uuid,
    /// Field.
    pub field: String,
    /// Old value.
    pub old_value: Option<String>,
    /// New value.
    pub new_value: Option<String>,
    /// Who changed it.
    pub actor_id: Option<Uuid>,
    /// When.
    pub changed_at: DateTime<Utc>,
}

impl Store {
    /// Stage history of an opportunity, oldest first.
    ///
    /// # Errors
    /// [`DomainError::NotFound`].
    pub async fn stage_history(&self, scope: &Scope, id: Uuid) -> Result<Vec<StageHistoryRow>, DomainError> {
        get_in(self.conn(), scope, id, false).await?;
        let rows = sh::Entity::find()
            .filter(sh::Column::OrgId.eq(scope.org_id))
            .filter(sh::Column::OpportunityId.eq(id))
            .order_by_asc(sh::Column::EnteredAt)
            .order_by_asc(sh::Column::Id)
            .all(self.conn())
            .await
            .map_err(db_err)?;
        Ok(rows.into_iter().map(StageHistoryRow::from).collect())
    }

    /// Field history of an opportunity, oldest first.
    ///
    /// # Errors
    /// [`DomainError::NotFound`].
    pub async fn field_history(&self, scope: &Scope, id: Uuid) -> Result<Vec<FieldHistoryRow>, DomainError> {
        get_in(self.conn(), scope, id, false).await?;
        let rows = fh::Entity::find()
            .filter(fh::Column::OrgId.eq(scope.org_id))
            .filter(fh::Column::OpportunityId.eq(id))
            .order_by_asc(fh::Column::ChangedAt)
            .order_by_asc(fh::Column::Id)
            .all(self.conn())
            .await
            .map_err(db_err)?;
        Ok(rows
            .into_iter()
            .map(|r| FieldHistoryRow {
                id: r.id,
                field: r.field,
                old_value: r.old_value,
                new_value: r.new_value,
                actor_id: r.actor_id,
                changed_at: r.changed_at,
            })
            .collect())
    }
}
