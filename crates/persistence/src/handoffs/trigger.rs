//! Stage entry → handoff tasks, inside the stage move's transaction.

use chrono::{DateTime, Utc};
use glassbox_domain::DomainError;
use glassbox_domain::handoff::{HandoffTask, OPPORTUNITY_CLOSED, TaskStatus, render_title};
use glassbox_domain::opportunity::Opportunity;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait, QueryFilter};
use uuid::Uuid;

use super::{rule_to_domain, task_row};
use crate::changes::{ChangeOp, SyncedKind};
use crate::entities::{accounts, handoff_rules as rules_t, handoff_tasks as tasks_t, orgs};
use crate::error::db_err;

/// Runs when `opp` has just entered its current stage as stage-history row
/// `entry_id`, moved by `actor`: closing the deal (won or lost) cancels its
/// tasks still waiting, with reason `opportunity_closed`; then each active
/// rule of the stage that matches creates one task. The unique key (org,
/// rule, stage entry) makes a second task for the same entry impossible
/// even if this ran twice; a later re-entry is a new row, so a new task.
/// Every task it creates or cancels goes to the change log.
pub(crate) async fn on_stage_entry(
    conn: &impl ConnectionTrait,
    opp: &Opportunity,
    entry_id: Uuid,
    actor: Uuid,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    if opp.status.is_closed() {
        let active: Vec<&str> = TaskStatus::ALL.iter().filter(|s| s.is_active()).map(|s| s.as_str()).collect();
        let cancelled = tasks_t::Entity::update_many()
            .col_expr(tasks_t::Column::Status, Expr::value(TaskStatus::Cancelled.as_str()))
            .col_expr(tasks_t::Column::CancelReason, Expr::value(OPPORTUNITY_CLOSED))
            .col_expr(tasks_t::Column::CancelledAt, Expr::value(now))
            .col_expr(tasks_t::Column::UpdatedAt, Expr::value(now))
            .col_expr(tasks_t::Column::Version, Expr::col(tasks_t::Column::Version).add(1))
            .filter(tasks_t::Column::OrgId.eq(opp.org_id))
            .filter(tasks_t::Column::OpportunityId.eq(opp.id))
            .filter(tasks_t::Column::Status.is_in(active))
            .exec_with_returning(conn)
            .await
            .map_err(db_err)?;
        let cancelled: Vec<_> = cancelled.iter().map(|t| (t.id, ChangeOp::Upsert, t.version)).collect();
        crate::changes::record(conn, opp.org_id, SyncedKind::HandoffTask, &cancelled, now).await?;
    }
    let rules: Vec<_> = rules_t::Entity::find()
        .filter(rules_t::Column::OrgId.eq(opp.org_id))
        .filter(rules_t::Column::StageId.eq(opp.stage_id))
        .filter(rules_t::Column::Active.eq(true))
        .filter(rules_t::Column::DeletedAt.is_null())
        .all(conn)
        .await
        .map_err(db_err)?
        .into_iter()
        .map(rule_to_domain)
        .collect();
    if rules.is_empty() {
        return Ok(());
    }
    let org = orgs::Entity::find_by_id(opp.org_id)
        .one(conn)
        .await
        .map_err(db_err)?
        .ok_or(DomainError::NotFound("org"))?;
    let matching: Vec<_> = rules.iter().filter(|r| r.matches(opp, &org.base_currency)).collect();
    if matching.is_empty() {
        return Ok(());
    }
    let calendar = crate::calendars::calendar_in(conn, opp.org_id).await?;
    let account = match opp.account_id {
        Some(id) => accounts::Entity::find_by_id(id).one(conn).await.map_err(db_err)?.map(|a| a.name),
        None => None,
    };
    let mut rows = Vec::with_capacity(matching.len());
    for rule in matching {
        let mut task = HandoffTask {
            id: Uuid::now_v7(),
            org_id: opp.org_id,
            opportunity_id: opp.id,
            rule_id: Some(rule.id),
            stage_history_id: Some(entry_id),
            task_type: rule.task_type.clone(),
            title: render_title(&rule.title_template, &opp.name, account.as_deref()),
            assignee_team_id: rule.assignee_team_id,
            assignee_user_id: None,
            requester_id: actor,
            status: TaskStatus::Open,
            response_sla_minutes: Some(rule.response_sla_minutes),
            completion_sla_minutes: Some(rule.completion_sla_minutes),
            response_due_at: None,
            due_at: None,
            accepted_at: None,
            started_at: None,
            completed_at: None,
            declined_at: None,
            cancelled_at: None,
            decline_reason: None,
            cancel_reason: None,
            outcome: None,
            rating: None,
            rating_comment: None,
            rated_at: None,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        task.set_due_times(&calendar)?;
        rows.push(task_row(&task));
    }
    let created = tasks_t::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([tasks_t::Column::OrgId, tasks_t::Column::RuleId, tasks_t::Column::StageHistoryId])
                .do_nothing()
                .to_owned(),
        )
        .exec_with_returning(conn)
        .await
        .map_err(db_err)?;
    let created: Vec<_> = created.iter().map(|t| (t.id, ChangeOp::Upsert, t.version)).collect();
    crate::changes::record(conn, opp.org_id, SyncedKind::HandoffTask, &created, now).await
}
