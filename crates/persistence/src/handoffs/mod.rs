//! Handoff rules and tasks, and the stage-entry trigger that turns one into
//! the other inside the opportunity's write transaction.

use glassbox_domain::DomainError;
use glassbox_domain::handoff::{HandoffRule, HandoffTask, TaskStatus};
use sea_orm::ActiveValue::Set;

use crate::entities::{handoff_rules as rules_t, handoff_tasks as tasks_t};

mod metrics;
mod rules;
mod tasks;
mod trigger;

pub use metrics::HandoffMetrics;
pub use tasks::{HandoffTaskFilter, NewHandoffTask, TaskStep};
pub(crate) use trigger::on_stage_entry;

fn rule_to_domain(m: rules_t::Model) -> HandoffRule {
    HandoffRule {
        id: m.id,
        org_id: m.org_id,
        pipeline_id: m.pipeline_id,
        stage_id: m.stage_id,
        min_amount_minor: m.min_amount_minor,
        task_type: m.task_type,
        title_template: m.title_template,
        assignee_team_id: m.assignee_team_id,
        response_sla_minutes: m.response_sla_minutes,
        completion_sla_minutes: m.completion_sla_minutes,
        active: m.active,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

fn rule_row(r: &HandoffRule) -> rules_t::ActiveModel {
    rules_t::ActiveModel {
        id: Set(r.id),
        org_id: Set(r.org_id),
        pipeline_id: Set(r.pipeline_id),
        stage_id: Set(r.stage_id),
        min_amount_minor: Set(r.min_amount_minor),
        task_type: Set(r.task_type.clone()),
        title_template: Set(r.title_template.clone()),
        assignee_team_id: Set(r.assignee_team_id),
        response_sla_minutes: Set(r.response_sla_minutes),
        completion_sla_minutes: Set(r.completion_sla_minutes),
        active: Set(r.active),
        deleted_at: Set(None),
        version: Set(r.version),
        created_at: Set(r.created_at),
        updated_at: Set(r.updated_at),
    }
}

pub(crate) fn task_to_domain(m: tasks_t::Model) -> Result<HandoffTask, DomainError> {
    let status =
        TaskStatus::parse("status", &m.status).map_err(|_| DomainError::Internal(format!("stored task {} has a bad status", m.id)))?;
    Ok(HandoffTask {
        id: m.id,
        org_id: m.org_id,
        opportunity_id: m.opportunity_id,
        rule_id: m.rule_id,
        stage_history_id: m.stage_history_id,
        task_type: m.task_type,
        title: m.title,
        assignee_team_id: m.assignee_team_id,
        assignee_user_id: m.assignee_user_id,
        requester_id: m.requester_id,
        status,
        response_sla_minutes: m.response_sla_minutes,
        completion_sla_minutes: m.completion_sla_minutes,
        response_due_at: m.response_due_at,
        due_at: m.due_at,
        accepted_at: m.accepted_at,
        started_at: m.started_at,
        completed_at: m.completed_at,
        declined_at: m.declined_at,
        cancelled_at: m.cancelled_at,
        decline_reason: m.decline_reason,
        cancel_reason: m.cancel_reason,
        outcome: m.outcome,
        rating: m.rating,
        rating_comment: m.rating_comment,
        rated_at: m.rated_at,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

fn task_row(t: &HandoffTask) -> tasks_t::ActiveModel {
    tasks_t::ActiveModel {
        id: Set(t.id),
        org_id: Set(t.org_id),
        opportunity_id: Set(t.opportunity_id),
        rule_id: Set(t.rule_id),
        stage_history_id: Set(t.stage_history_id),
        task_type: Set(t.task_type.clone()),
        title: Set(t.title.clone()),
        assignee_team_id: Set(t.assignee_team_id),
        assignee_user_id: Set(t.assignee_user_id),
        requester_id: Set(t.requester_id),
        status: Set(t.status.as_str().to_owned()),
        response_sla_minutes: Set(t.response_sla_minutes),
        completion_sla_minutes: Set(t.completion_sla_minutes),
        response_due_at: Set(t.response_due_at),
        due_at: Set(t.due_at),
        accepted_at: Set(t.accepted_at),
        started_at: Set(t.started_at),
        completed_at: Set(t.completed_at),
        declined_at: Set(t.declined_at),
        cancelled_at: Set(t.cancelled_at),
        decline_reason: Set(t.decline_reason.clone()),
        cancel_reason: Set(t.cancel_reason.clone()),
        outcome: Set(t.outcome.clone()),
        rating: Set(t.rating),
        rating_comment: Set(t.rating_comment.clone()),
        rated_at: Set(t.rated_at),
        version: Set(t.version),
        created_at: Set(t.created_at),
        updated_at: Set(t.updated_at),
    }
}
