//! Opportunities, their stage history and field history.
//!
//! Every write runs in one transaction: the row, its field-history rows and
//! the stage move (closing the previous stage-history row, opening the new
//! one) commit together or not at all.

use chrono::{DateTime, Utc};
use glassbox_domain::opportunity::{Applied, FieldChange, Opportunity, OpportunityChanges, StageMove, apply, check_gates, enter_stage};
use glassbox_domain::pipeline::{ForecastCategory, StageKind};
use glassbox_domain::{DomainError, Scope};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::Store;
use crate::changes::{ChangeOp, SyncedKind};
use crate::entities::{opportunities as opps, opportunity_field_history as fh, opportunity_stage_history as sh, stages};
use crate::error::{check_version, db_err};
use crate::pipelines::stage_in;
use crate::visibility::Reach;

mod history;
mod queries;

use crate::refs::Ref;
pub use history::{FieldHistoryRow, StageHistoryRow};
pub(crate) use queries::name_contains;
pub use queries::{OpportunityFilter, OpportunityKey, OpportunityTotal};

/// What a new opportunity starts with; references are checked against the org.
#[derive(Debug, Clone)]
pub struct NewOpportunity {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Owner (defaults to the caller upstream).
    pub owner_id: Uuid,
    /// Pipeline; `None` means the org's first pipeline.
    pub pipeline_id: Option<Uuid>,
    /// Stage; `None` means the pipeline's first stage.
    pub stage_id: Option<Uuid>,
    /// Every other field, as changes applied on creation.
    pub fields: OpportunityChanges,
}

pub(crate) fn to_domain(m: opps::Model) -> Result<Opportunity, DomainError> {
    let corrupt = |what: &str| DomainError::Internal(format!("stored opportunity {} has a bad {what}", m.id));
    Ok(Opportunity {
        status: StageKind::parse("status", &m.status).map_err(|_| corrupt("status"))?,
        forecast_category: ForecastCategory::parse("forecast_category", &m.forecast_category).map_err(|_| corrupt("category"))?,
        id: m.id,
        org_id: m.org_id,
        name: m.name,
        account_id: m.account_id,
        owner_id: m.owner_id,
        pipeline_id: m.pipeline_id,
        stage_id: m.stage_id,
        amount_minor: m.amount_minor,
        currency: m.currency,
        close_date: m.close_date,
        next_step: m.next_step,
        lead_source: m.lead_source,
        campaign_id: m.campaign_id,
        product_id: m.product_id,
        loss_reason: m.loss_reason,
        closed_at: m.closed_at,
        stage_entered_at: m.stage_entered_at,
        last_activity_at: m.last_activity_at,
        external_id: m.external_id,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

fn to_active(o: &Opportunity) -> opps::ActiveModel {
    opps::ActiveModel {
        id: Set(o.id),
        org_id: Set(o.org_id),
        name: Set(o.name.clone()),
        account_id: Set(o.account_id),
        owner_id: Set(o.owner_id),
        pipeline_id: Set(o.pipeline_id),
        stage_id: Set(o.stage_id),
        status: Set(o.status.as_str().to_owned()),
        amount_minor: Set(o.amount_minor),
        currency: Set(o.currency.clone()),
        close_date: Set(o.close_date),
        forecast_category: Set(o.forecast_category.as_str().to_owned()),
        next_step: Set(o.next_step.clone()),
        lead_source: Set(o.lead_source.clone()),
        campaign_id: Set(o.campaign_id),
        product_id: Set(o.product_id),
        loss_reason: Set(o.loss_reason.clone()),
        closed_at: Set(o.closed_at),
        stage_entered_at: Set(o.stage_entered_at),
        last_activity_at: Set(o.last_activity_at),
        external_id: Set(o.external_id.clone()),
        deleted_at: Set(None),
        version: Set(o.version),
        created_at: Set(o.created_at),
        updated_at: Set(o.updated_at),
    }
}

/// Checks that every reference a change sets names a live record of the org.
async fn check_refs(conn: &impl ConnectionTrait, scope: &Scope, c: &OpportunityChanges) -> Result<(), DomainError> {
    crate::refs::check_in_reach(
        conn,
        scope,
        &[
            ("account_id", c.account_id.flatten(), Ref::Account),
            ("owner_id", c.owner_id, Ref::Owner),
            ("product_id", c.product_id.flatten(), Ref::Product),
        ],
    )
    .await
}

async fn record_change(
    conn: &impl ConnectionTrait,
    opp: &Opportunity,
    applied: &Applied,
    actor: Uuid,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    if !applied.field_changes.is_empty() {
        let rows = applied.field_changes.iter().map(|c: &FieldChange| fh::ActiveModel {
            id: Set(Uuid::now_v7()),
            org_id: Set(opp.org_id),
            opportunity_id: Set(opp.id),
            field: Set(c.field.to_owned()),
            old_value: Set(c.old_value.clone()),
            new_value: Set(c.new_value.clone()),
            actor_id: Set(Some(actor)),
            changed_at: Set(now),
        });
        fh::Entity::insert_many(rows).exec(conn).await.map_err(db_err)?;
    }
    if let Some(m) = &applied.stage_move {
        let entry = record_move(conn, opp.org_id, opp.id, m, actor).await?;
        crate::handoffs::on_stage_entry(conn, opp, entry, actor, now).await?;
    }
    Ok(())
}

/// Closes the open stage-history row and opens the new one; returns its id.
async fn record_move(conn: &impl ConnectionTrait, org_id: Uuid, opp_id: Uuid, m: &StageMove, actor: Uuid) -> Result<Uuid, DomainError> {
    sh::Entity::update_many()
        .col_expr(sh::Column::ExitedAt, Expr::value(m.at))
        .filter(sh::Column::OrgId.eq(org_id))
        .filter(sh::Column::OpportunityId.eq(opp_id))
        .filter(sh::Column::ExitedAt.is_null())
        .exec(conn)
        .await
        .map_err(db_err)?;
    let id = Uuid::now_v7();
    sh::ActiveModel {
        id: Set(id),
        org_id: Set(org_id),
        opportunity_id: Set(opp_id),
        from_stage_id: Set(m.from_stage_id),
        to_stage_id: Set(m.to_stage_id),
        entered_at: Set(m.at),
        exited_at: Set(None),
        actor_id: Set(Some(actor)),
    }
    .insert(conn)
    .await
    .map_err(db_err)?;
    Ok(id)
}

/// A live opportunity in the caller's reach (see [`crate::visibility`]).
async fn get_in(conn: &impl ConnectionTrait, scope: &Scope, id: Uuid, lock: bool) -> Result<Opportunity, DomainError> {
    let reach = Reach::of(conn, scope).await?;
    let mut q = opps::Entity::find_by_id(id)
        .filter(opps::Column::OrgId.eq(scope.org_id))
        .filter(opps::Column::DeletedAt.is_null())
        .filter(reach.opportunities());
    if lock {
        q = q.lock_exclusive();
    }
    q.one(conn)
        .await
        .map_err(db_err)?
        .map(to_domain)
        .transpose()?
        .ok_or(DomainError::NotFound("opportunity"))
}

impl Store {
    /// Creates an opportunity in its first (or given) stage, with its first
    /// stage-history row.
    ///
    /// # Errors
    /// [`DomainError::Validation`] naming unknown references, a stage outside
    /// the pipeline, missing gate fields or loss reason;
    /// [`DomainError::Conflict`] on a taken id or external id.
    pub async fn create_opportunity(&self, scope: &Scope, new: NewOpportunity) -> Result<Opportunity, DomainError> {
        scope.require_sales_writer()?;
        let txn = self.begin_write().await?;
        let now = self.now();
        let mut refs = new.fields.clone();
        refs.owner_id = Some(new.owner_id);
        check_refs(&txn, scope, &refs).await?;
        let pipeline_id = match new.pipeline_id {
            Some(id) => id,
            None => crate::entities::pipelines::Entity::find()
                .filter(crate::entities::pipelines::Column::OrgId.eq(scope.org_id))
                .order_by_asc(crate::entities::pipelines::Column::CreatedAt)
                .one(&txn)
                .await
                .map_err(db_err)?
                .map(|p| p.id)
                .ok_or_else(|| DomainError::invalid("pipeline_id", "required", "the org has no pipeline; create one first"))?,
        };
        let stage = match new.stage_id {
            Some(id) => stage_in(&txn, scope.org_id, id).await?,
            None => stages::Entity::find()
                .filter(stages::Column::OrgId.eq(scope.org_id))
                .filter(stages::Column::PipelineId.eq(pipeline_id))
                .order_by_asc(stages::Column::Position)
                .one(&txn)
                .await
                .map_err(db_err)?
                .map(crate::pipelines::stage_to_domain)
                .transpose()?,
        };
        let stage = stage.filter(|s| s.pipeline_id == pipeline_id).ok_or_else(|| {
            let field = if new.stage_id.is_some() { "stage_id" } else { "pipeline_id" };
            DomainError::invalid(
                field,
                "unknown_stage",
                "must name a stage of the opportunity's pipeline (a pipeline of this org)",
            )
        })?;
        let tz = crate::calendars::org_time_zone(&txn, scope.org_id).await?;
        let f = new.fields;
        let mut opp = Opportunity {
            id: new.id,
            org_id: scope.org_id,
            name: new.name,
            account_id: f.account_id.flatten(),
            owner_id: new.owner_id,
            pipeline_id,
            stage_id: stage.id,
            status: stage.kind,
            amount_minor: f.amount_minor.flatten(),
            currency: f.currency.unwrap_or_else(|| "USD".into()),
            close_date: f.close_date.flatten(),
            forecast_category: f.forecast_category.unwrap_or(stage.forecast_category),
            next_step: f.next_step.flatten(),
            lead_source: f.lead_source.flatten(),
            campaign_id: f.campaign_id.flatten(),
            product_id: f.product_id.flatten(),
            loss_reason: f.loss_reason.flatten(),
            closed_at: None,
            stage_entered_at: now,
            last_activity_at: None,
            external_id: f.external_id.flatten(),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        enter_stage(&mut opp, &stage, now, tz, f.close_date.is_some(), f.forecast_category.is_some());
        check_gates(&opp, &stage)?;
        to_active(&opp).insert(&txn).await.map_err(db_err)?;
        let first = StageMove {
            from_stage_id: None,
            to_stage_id: stage.id,
            at: now,
        };
        let entry = record_move(&txn, scope.org_id, opp.id, &first, scope.user_id).await?;
        crate::handoffs::on_stage_entry(&txn, &opp, entry, scope.user_id, now).await?;
        crate::rollups::created(scope.org_id, &[opp.id]).apply(&txn).await?;
        let change = [(opp.id, ChangeOp::Upsert, opp.version)];
        self.log_changes(&txn, scope.org_id, SyncedKind::Opportunity, &change, now).await?;
        txn.commit().await.map_err(db_err)?;
        Ok(opp)
    }

    /// The live opportunities of the caller's org among `ids`.
    ///
    /// # Errors
    /// [`DomainError::Internal`] on storage failure.
    pub async fn opportunities_by_ids(&self, scope: &Scope, ids: Vec<Uuid>) -> Result<Vec<Opportunity>, DomainError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let reach = Reach::of(self.conn(), scope).await?;
        opps::Entity::find()
            .filter(opps::Column::OrgId.eq(scope.org_id))
            .filter(opps::Column::Id.is_in(ids))
            .filter(reach.opportunities())
            .filter(opps::Column::DeletedAt.is_null())
            .all(self.conn())
            .await
            .map_err(db_err)?
            .into_iter()
            .map(to_domain)
            .collect()
    }

    /// One live opportunity of the org.
    ///
    /// # Errors
    /// [`DomainError::NotFound`].
    pub async fn get_opportunity(&self, scope: &Scope, id: Uuid) -> Result<Opportunity, DomainError> {
        get_in(self.conn(), scope, id, false).await
    }

    /// Applies changes (a stage move when `stage_id` changes), writing field
    /// and stage history in the same transaction.
    ///
    /// # Errors
    /// [`DomainError::NotFound`]; [`DomainError::StaleVersion`];
    /// [`DomainError::Validation`] (bad references, stage of another pipeline,
    /// gates, loss reason).
    pub async fn update_opportunity(
        &self,
        scope: &Scope,
        id: Uuid,
        changes: OpportunityChanges,
        if_match: Option<i64>,
    ) -> Result<Opportunity, DomainError> {
        scope.require_sales_writer()?;
        let txn = self.begin_write().await?;
        let current = get_in(&txn, scope, id, true).await?;
        // Read the clock only once the row is locked, so concurrent moves
        // get increasing times in the order they commit.
        let now = self.now();
        check_version(if_match, current.version)?;
        check_refs(&txn, scope, &changes).await?;
        let target = match changes.stage_id {
            Some(stage_id) => Some(
                stage_in(&txn, scope.org_id, stage_id)
                    .await?
                    .filter(|s| s.pipeline_id == current.pipeline_id)
                    .ok_or_else(|| DomainError::invalid("stage_id", "unknown_stage", "must name a stage of the opportunity's pipeline"))?,
            ),
            None => None,
        };
        let tz = crate::calendars::org_time_zone(&txn, scope.org_id).await?;
        let applied = apply(&current, changes, target.as_ref(), now, tz)?;
        if applied.opportunity == current {
            return Ok(current);
        }
        let tracked = crate::rollups::track(&txn, scope.org_id, &[id]).await?;
        let mut next = applied.opportunity.clone();
        next.version = current.version + 1;
        next.updated_at = now;
        let mut model = to_active(&next).into_active_model();
        model.created_at = Set(current.created_at);
        model.update(&txn).await.map_err(db_err)?;
        record_change(&txn, &next, &applied, scope.user_id, now).await?;
        tracked.apply(&txn).await?;
        let change = [(next.id, ChangeOp::Upsert, next.version)];
        self.log_changes(&txn, scope.org_id, SyncedKind::Opportunity, &change, now).await?;
        txn.commit().await.map_err(db_err)?;
        Ok(next)
    }

    /// Soft-deletes an opportunity (history stays; sync feeds see a tombstone).
    ///
    /// # Errors
    /// [`DomainError::NotFound`]; [`DomainError::StaleVersion`].
    pub async fn delete_opportunity(&self, scope: &Scope, id: Uuid, if_match: Option<i64>) -> Result<(), DomainError> {
        scope.require_sales_writer()?;
        let txn = self.begin_write().await?;
        let current = get_in(&txn, scope, id, true).await?;
        // Read the clock only once the row is locked, so concurrent moves
        // get increasing times in the order they commit.
        let now = self.now();
        check_version(if_match, current.version)?;
        let tracked = crate::rollups::track(&txn, scope.org_id, &[id]).await?;
        crate::soft_delete::mark::<opps::Entity>(&txn, id, current.version, now).await?;
        tracked.apply(&txn).await?;
        let change = [(id, ChangeOp::Delete, current.version + 1)];
        self.log_changes(&txn, scope.org_id, SyncedKind::Opportunity, &change, now).await?;
        txn.commit().await.map_err(db_err)
    }
}
