//! `handoff_rules`: admin-managed, soft-deleted (tasks keep their rule id).

use glassbox_domain::handoff::HandoffRule;
use glassbox_domain::{DomainError, Scope};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::{rule_row, rule_to_domain};
use crate::Store;
use crate::entities::handoff_rules as rules_t;
use crate::error::{check_version, db_err};
use crate::refs::{Ref, check};

fn require_admin(scope: &Scope) -> Result<(), DomainError> {
    if scope.is_admin() {
        Ok(())
    } else {
        Err(DomainError::Forbidden("only an admin may change handoff rules".into()))
    }
}

async fn find(conn: &impl ConnectionTrait, org_id: Uuid, id: Uuid, lock: bool) -> Result<HandoffRule, DomainError> {
    let mut q = rules_t::Entity::find_by_id(id)
        .filter(rules_t::Column::OrgId.eq(org_id))
        .filter(rules_t::Column::DeletedAt.is_null());
    if lock {
        q = q.lock_exclusive();
    }
    q.one(conn)
        .await
        .map_err(db_err)?
        .map(rule_to_domain)
        .ok_or(DomainError::NotFound("handoff rule"))
}

impl Store {
    /// Every live rule of the org, oldest first (an org has few).
    ///
    /// # Errors
    /// [`DomainError::Internal`] on storage failure.
    pub async fn list_handoff_rules(&self, scope: &Scope) -> Result<Vec<HandoffRule>, DomainError> {
        Ok(rules_t::Entity::find()
            .filter(rules_t::Column::OrgId.eq(scope.org_id))
            .filter(rules_t::Column::DeletedAt.is_null())
            .order_by_asc(rules_t::Column::Id)
            .all(self.conn())
            .await
            .map_err(db_err)?
            .into_iter()
            .map(rule_to_domain)
            .collect())
    }

    /// One live rule.
    ///
    /// # Errors
    /// [`DomainError::NotFound`].
    pub async fn get_handoff_rule(&self, scope: &Scope, id: Uuid) -> Result<HandoffRule, DomainError> {
        find(self.conn(), scope.org_id, id, false).await
    }

    /// Inserts (`update` = `None`) or updates a rule (admin only). The stage
    /// must belong to the pipeline, and both and the team to the org.
    ///
    /// # Errors
    /// [`DomainError::Forbidden`]; [`DomainError::Validation`] naming
    /// `pipeline_id`, `stage_id` or `assignee_team_id`;
    /// [`DomainError::StaleVersion`]; [`DomainError::Conflict`] on a taken id.
    pub async fn save_handoff_rule(
        &self,
        scope: &Scope,
        mut r: HandoffRule,
        update: Option<Option<i64>>,
    ) -> Result<HandoffRule, DomainError> {
        require_admin(scope)?;
        let txn = self.begin_write().await?;
        let now = self.now();
        check(&txn, scope.org_id, &[("assignee_team_id", Some(r.assignee_team_id), Ref::Team)]).await?;
        let stage = crate::pipelines::stage_in(&txn, scope.org_id, r.stage_id).await?;
        if stage.as_ref().is_none_or(|s| s.pipeline_id != r.pipeline_id) {
            return Err(DomainError::invalid(
                "stage_id",
                "unknown_stage",
                "must name a stage of the rule's pipeline (a pipeline of this org)",
            ));
        }
        r.org_id = scope.org_id;
        r.updated_at = now;
        match update {
            None => {
                r.version = 1;
                r.created_at = now;
                rule_row(&r).insert(&txn).await.map_err(db_err)?;
            }
            Some(if_match) => {
                let current = find(&txn, scope.org_id, r.id, true).await?;
                check_version(if_match, current.version)?;
                r.version = current.version + 1;
                r.created_at = current.created_at;
                rule_row(&r).update(&txn).await.map_err(db_err)?;
            }
        }
        txn.commit().await.map_err(db_err)?;
        Ok(r)
    }

    /// Soft-deletes a rule (admin only); its tasks stay.
    ///
    /// # Errors
    /// [`DomainError::Forbidden`]; [`DomainError::NotFound`]; [`DomainError::StaleVersion`].
    pub async fn delete_handoff_rule(&self, scope: &Scope, id: Uuid, if_match: Option<i64>) -> Result<(), DomainError> {
        require_admin(scope)?;
        let txn = self.begin_write().await?;
        let current = find(&txn, scope.org_id, id, true).await?;
        check_version(if_match, current.version)?;
        crate::soft_delete::mark::<rules_t::Entity>(&txn, id, current.version, self.now()).await?;
        txn.commit().await.map_err(db_err)
    }
}
