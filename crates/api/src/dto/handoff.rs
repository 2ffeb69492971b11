//! Handoff rule and task wire types.

use chrono::{DateTime, Utc};
use glassbox_domain::DomainError;
use glassbox_domain::error::Errors;
use glassbox_domain::handoff::{HandoffRule, HandoffTask, TaskStatus, check_sla, check_task_type, check_title_template};
use glassbox_domain::money::Money;
use glassbox_domain::org::Currency;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::opportunity::amount_string;

fn required(field: &str) -> glassbox_domain::FieldError {
    glassbox_domain::FieldError::new(field, "required", format!("{field} is required"))
}

/// When an opportunity of `pipeline_id` enters `stage_id` (worth at least
/// `min_amount` in the org's base currency), ask `assignee_team_id` for a
/// task of `task_type`.
#[derive(Debug, Serialize, ToSchema)]
pub struct HandoffRuleDto {
    /// Id.
    pub id: Uuid,
    /// Pipeline.
    pub pipeline_id: Uuid,
    /// Trigger stage.
    pub stage_id: Uuid,
    /// Smallest amount in the base currency (decimal string); null: any.
    pub min_amount: Option<String>,
    /// Kind of work, e.g. `demo`.
    pub task_type: String,
    /// Title with `{opportunity}` and `{account}` placeholders.
    pub title_template: String,
    /// Team asked.
    pub assignee_team_id: Uuid,
    /// Business minutes to the first answer.
    pub response_sla_minutes: i32,
    /// Business minutes to completion.
    pub completion_sla_minutes: i32,
    /// Inactive rules create nothing.
    pub active: bool,
    /// Version; also the ETag.
    pub version: i64,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl HandoffRuleDto {
    /// The wire form; `min_amount` in `base_currency`.
    pub fn new(r: HandoffRule, base_currency: &str) -> Self {
        Self {
            min_amount: r.min_amount_minor.map(|m| amount_string(m, base_currency)),
            id: r.id,
            pipeline_id: r.pipeline_id,
            stage_id: r.stage_id,
            task_type: r.task_type,
            title_template: r.title_template,
            assignee_team_id: r.assignee_team_id,
            response_sla_minutes: r.response_sla_minutes,
            completion_sla_minutes: r.completion_sla_minutes,
            active: r.active,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// A rule to create (all but `id`, `min_amount` and `active` required) or
/// the changes to one.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandoffRuleInput {
    /// Client id (create only).
    pub id: Option<Uuid>,
    /// Pipeline.
    #[serde(default, deserialize_with = "super::non_null")]
    #[schema(nullable = false)]
    pub pipeline_id: Option<Uuid>,
    /// Trigger stage, of the pipeline.
    #[serde(default, deserialize_with = "super::non_null")]
    #[schema(nullable = false)]
    pub stage_id: Option<Uuid>,
    /// Smallest amount in the base currency; null clears.
    #[serde(default, deserialize_with = "super::nullable")]
    #[schema(value_type = Option<String>, example = "10000.00")]
    pub min_amount: Option<Option<String>>,
    /// 1–32 of a-z, 0-9, `_`.
    #[serde(default, deserialize_with = "super::non_null")]
    #[schema(nullable = false, example = "demo")]
    pub task_type: Option<String>,
    /// 1–255 characters; placeholders `{opportunity}`, `{account}`.
    #[serde(default, deserialize_with = "super::non_null")]
    #[schema(nullable = false, example = "Demo for {account}: {opportunity}")]
    pub title_template: Option<String>,
    /// Team asked.
    #[serde(default, deserialize_with = "super::non_null")]
    #[schema(nullable = false)]
    pub assignee_team_id: Option<Uuid>,
    /// 1–525,600 business minutes.
    #[serde(default, deserialize_with = "super::non_null")]
    #[schema(nullable = false)]
    pub response_sla_minutes: Option<i64>,
    /// 1–525,600 business minutes.
    #[serde(default, deserialize_with = "super::non_null")]
    #[schema(nullable = false)]
    pub completion_sla_minutes: Option<i64>,
    /// Default true.
    #[serde(default, deserialize_with = "super::non_null")]
    #[schema(nullable = false)]
    pub active: Option<bool>,
}

impl HandoffRuleInput {
    /// Applies the input to `r` (a blank rule on create).
    ///
    /// # Errors
    /// [`DomainError::Validation`] naming every bad or missing field.
    pub fn apply(&self, r: &mut HandoffRule, creating: bool, base_currency: &str) -> Result<(), DomainError> {
        let mut errors = Errors::new();
        if self.id.is_some() && !creating {
            errors.push(glassbox_domain::FieldError::new("id", "read_only", "the id cannot change"));
        }
        macro_rules! set {
            ($field:ident, $name:literal, $conv:expr) => {
                match &self.$field {
                    Some(v) => {
                        if let Some(v) = errors.take($conv(v)) {
                            r.$field = v;
                        }
                    }
                    None if creating => errors.push(required($name)),
                    None => {}
                }
            };
        }
        set!(pipeline_id, "pipeline_id", |v: &Uuid| Ok::<_, DomainError>(*v));
        set!(stage_id, "stage_id", |v: &Uuid| Ok::<_, DomainError>(*v));
        set!(assignee_team_id, "assignee_team_id", |v: &Uuid| Ok::<_, DomainError>(*v));
        set!(task_type, "task_type", |v: &String| check_task_type(v));
        set!(title_template, "title_template", |v: &String| check_title_template(v));
        set!(response_sla_minutes, "response_sla_minutes", |v: &i64| check_sla(
            "response_sla_minutes",
            *v
        ));
        set!(completion_sla_minutes, "completion_sla_minutes", |v: &i64| check_sla(
            "completion_sla_minutes",
            *v
        ));
        if let Some(min) = &self.min_amount {
            let parsed = min
                .as_deref()
                .map(|raw| Currency::parse("min_amount", base_currency).and_then(|c| Money::parse_amount("min_amount", raw, c)))
                .transpose();
            if let Some(m) = errors.take(parsed) {
                r.min_amount_minor = m.map(|m| m.minor());
            }
        }
        if let Some(active) = self.active {
            r.active = active;
        }
        errors.finish()
    }
}

/// Work asked of a team about a deal, with business-time SLAs.
#[derive(Debug, Serialize, ToSchema)]
pub struct HandoffTaskDto {
    /// Id.
    pub id: Uuid,
    /// The deal.
    pub opportunity_id: Uuid,
    /// Rule that created it; null when created by hand.
    pub rule_id: Option<Uuid>,
    /// Stage-history row whose entry created it.
    pub stage_history_id: Option<Uuid>,
    /// Kind of work.
    pub task_type: String,
    /// Title.
    pub title: String,
    /// Team asked.
    pub assignee_team_id: Uuid,
    /// Who took it.
    pub assignee_user_id: Option<Uuid>,
    /// Who asked.
    pub requester_id: Uuid,
    /// open, accepted, in_progress, done, declined or cancelled.
    #[schema(example = "open")]
    pub status: String,
    /// Business minutes to the first answer.
    pub response_sla_minutes: Option<i32>,
    /// Business minutes to completion.
    pub completion_sla_minutes: Option<i32>,
    /// When the first answer is due.
    pub response_due_at: Option<DateTime<Utc>>,
    /// When completion is due.
    pub due_at: Option<DateTime<Utc>>,
    /// Accepted at.
    pub accepted_at: Option<DateTime<Utc>>,
    /// Started at.
    pub started_at: Option<DateTime<Utc>>,
    /// Completed at.
    pub completed_at: Option<DateTime<Utc>>,
    /// Declined at.
    pub declined_at: Option<DateTime<Utc>>,
    /// Cancelled at.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Why it was declined.
    pub decline_reason: Option<String>,
    /// Why it was cancelled (`opportunity_closed` when the deal closed).
    pub cancel_reason: Option<String>,
    /// What came of it.
    pub outcome: Option<String>,
    /// Requester's rating, 1–5.
    pub rating: Option<i32>,
    /// Requester's comment.
    pub rating_comment: Option<String>,
    /// Rated at.
    pub rated_at: Option<DateTime<Utc>>,
    /// Response or completion due time missed (judged now while waiting).
    pub sla_breached: bool,
    /// Version; also the ETag.
    pub version: i64,
    /// Created at; the SLA clocks start here.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl HandoffTaskDto {
    /// The wire form, with `sla_breached` judged at `now`.
    pub fn new(t: HandoffTask, now: DateTime<Utc>) -> Self {
        Self {
            sla_breached: t.sla_breached(now),
            status: t.status.as_str().to_owned(),
            id: t.id,
            opportunity_id: t.opportunity_id,
            rule_id: t.rule_id,
            stage_history_id: t.stage_history_id,
            task_type: t.task_type,
            title: t.title,
            assignee_team_id: t.assignee_team_id,
            assignee_user_id: t.assignee_user_id,
            requester_id: t.requester_id,
            response_sla_minutes: t.response_sla_minutes,
            completion_sla_minutes: t.completion_sla_minutes,
            response_due_at: t.response_due_at,
            due_at: t.due_at,
            accepted_at: t.accepted_at,
            started_at: t.started_at,
            completed_at: t.completed_at,
            declined_at: t.declined_at,
            cancelled_at: t.cancelled_at,
            decline_reason: t.decline_reason,
            cancel_reason: t.cancel_reason,
            outcome: t.outcome,
            rating: t.rating,
            rating_comment: t.rating_comment,
            rated_at: t.rated_at,
            version: t.version,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

/// A task asked for by hand; the caller is the requester.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewHandoffTaskInput {
    /// Client id.
    pub id: Option<Uuid>,
    /// The deal.
    pub opportunity_id: Uuid,
    /// 1–32 of a-z, 0-9, `_`.
    #[schema(example = "technical_question")]
    pub task_type: String,
    /// 1–255 characters.
    pub title: String,
    /// Team asked.
    pub assignee_team_id: Uuid,
    /// 1–525,600 business minutes; none: no response SLA.
    pub response_sla_minutes: Option<i64>,
    /// 1–525,600 business minutes; none: no completion SLA.
    pub completion_sla_minutes: Option<i64>,
}

impl NewHandoffTaskInput {
    /// The checked task.
    ///
    /// # Errors
    /// [`DomainError::Validation`] naming every bad field.
    pub fn parse(&self) -> Result<glassbox_persistence::handoffs::NewHandoffTask, DomainError> {
        let mut errors = Errors::new();
        let id = errors.take(glassbox_domain::id::new_record_id("id", self.id));
        let task_type = errors.take(check_task_type(&self.task_type));
        let title = errors.take(glassbox_domain::org::Name::parse_max("title", &self.title, 255));
        let response = self.response_sla_minutes.map(|m| errors.take(check_sla("response_sla_minutes", m)));
        let completion = self
            .completion_sla_minutes
            .map(|m| errors.take(check_sla("completion_sla_minutes", m)));
        errors.finish()?;
        let (Some(id), Some(task_type), Some(title)) = (id, task_type, title) else {
            return Err(DomainError::Internal("validation passed without values".into()));
        };
        Ok(glassbox_persistence::handoffs::NewHandoffTask {
            id,
            opportunity_id: self.opportunity_id,
            task_type,
            title: title.into_string(),
            assignee_team_id: self.assignee_team_id,
            response_sla_minutes: response.flatten(),
            completion_sla_minutes: completion.flatten(),
        })
    }
}

/// Handoff task filters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct HandoffTaskQuery {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page.
    pub cursor: Option<String>,
    /// Asked of this team.
    pub assignee_team_id: Option<Uuid>,
    /// Taken by this user.
    pub assignee_user_id: Option<Uuid>,
    /// open, accepted, in_progress, done, declined or cancelled.
    pub status: Option<String>,
    /// `true`: only tasks still waiting past a due time.
    pub overdue: Option<bool>,
    /// About this deal.
    pub opportunity_id: Option<Uuid>,
}

impl HandoffTaskQuery {
    /// The filter.
    ///
    /// # Errors
    /// [`DomainError::Validation`] on `status`.
    pub fn filter(&self) -> Result<glassbox_persistence::handoffs::HandoffTaskFilter, DomainError> {
        Ok(glassbox_persistence::handoffs::HandoffTaskFilter {
            assignee_team_id: self.assignee_team_id,
            assignee_user_id: self.assignee_user_id,
            status: self.status.as_deref().map(|s| TaskStatus::parse("status", s)).transpose()?,
            overdue: self.overdue.unwrap_or(false),
            opportunity_id: self.opportunity_id,
        })
    }
}

/// Body of `complete` (`outcome`), `decline` (`reason`, required) and
/// `cancel` (`reason`).
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskActionInput {
    /// Why (decline, cancel), up to 1,000 characters.
    pub reason: Option<String>,
    /// What came of it (complete), up to 1,000 characters.
    pub outcome: Option<String>,
}

/// The requester's rating of a done task.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RateTaskInput {
    /// 1–5.
    #[schema(minimum = 1, maximum = 5)]
    pub rating: i64,
    /// Up to 1,000 characters.
    pub comment: Option<String>,
}
