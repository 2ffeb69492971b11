//! Handoff tasks: work one department asks of another about a deal (a demo
//! from presales, a legal review, onboarding by service), with response and
//! completion SLAs in business time.
//!
//! Lifecycle (each arrow is an action; anything else is a conflict):
//!
//! ```text
//! open ──accept──▶ accepted ──start──▶ in_progress
//!  │                 │  └────complete────┐   │
//!  │                 │                   ▼   ▼
//!  ├──decline──▶ declined            done ◀─complete
//!  └─(open, accepted, in_progress)──cancel──▶ cancelled
//! ```
//! `decline` is allowed from open and accepted. The first answer (accept or
//! decline) ends the response clock; `complete` ends the completion clock.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::calendar::BusinessCalendar;
use crate::error::DomainError;

mod metrics;
mod rule;
pub use metrics::{SlaTally, TaskMetrics};
pub use rule::{HandoffRule, check_title_template, render_title};

/// Where a task is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskStatus {
    /// Waiting for the assignee team to answer.
    Open,
    /// Someone took it.
    Accepted,
    /// Work started.
    InProgress,
    /// Finished, with an outcome.
    Done,
    /// Refused, with a reason.
    Declined,
    /// Withdrawn (by the requester, or because the deal closed).
    Cancelled,
}

impl TaskStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [TaskStatus; 6] = [
        TaskStatus::Open,
        TaskStatus::Accepted,
        TaskStatus::InProgress,
        TaskStatus::Done,
        TaskStatus::Declined,
        TaskStatus::Cancelled,
    ];

    /// Wire and storage name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Accepted => "accepted",
            Self::InProgress => "in_progress",
            Self::Done => "done",
            Self::Declined => "declined",
            Self::Cancelled => "cancelled",
        }
    }

    /// Parses a wire name.
    ///
    /// # Errors
    /// [`DomainError::Validation`] on `field`.
    pub fn parse(field: &str, raw: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| DomainError::invalid(field, "unknown_status", "open, accepted, in_progress, done, declined or cancelled"))
    }

    /// Still waiting for work: open, accepted or in progress.
    pub fn is_active(&self) -> bool {
        matches!(self, Self::Open | Self::Accepted | Self::InProgress)
    }
}

/// A lifecycle action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskAction {
    /// Take the task (the actor becomes the assignee if none is set).
    Accept,
    /// Start working.
    Start,
    /// Finish, optionally with an outcome.
    Complete(Option<String>),
    /// Refuse, with a reason.
    Decline(String),
    /// Withdraw, with an optional reason.
    Cancel(Option<String>),
}

impl TaskAction {
    /// The action's name in paths and messages.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Accept => "accept",
            Self::Start => "start",
            Self::Complete(_) => "complete",
            Self::Decline(_) => "decline",
            Self::Cancel(_) => "cancel",
        }
    }
}

/// Reason stored on tasks cancelled because their opportunity closed.
pub const OPPORTUNITY_CLOSED: &str = "opportunity_closed";

/// A handoff task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandoffTask {
    /// Id.
    pub id: Uuid,
    /// Tenant.
    pub org_id: Uuid,
    /// The deal it is about.
    pub opportunity_id: Uuid,
    /// Rule that created it (none when created by hand).
    pub rule_id: Option<Uuid>,
    /// Stage entry that triggered it.
    pub stage_history_id: Option<Uuid>,
    /// Kind of work, e.g. `demo`.
    pub task_type: String,
    /// Title.
    pub title: String,
    /// Team asked.
    pub assignee_team_id: Uuid,
    /// Person who took it.
    pub assignee_user_id: Option<Uuid>,
    /// Who asked (the rep who moved the deal, or the creator).
    pub requester_id: Uuid,
    /// Status.
    pub status: TaskStatus,
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
    /// Why it was cancelled.
    pub cancel_reason: Option<String>,
    /// What came of it.
    pub outcome: Option<String>,
    /// Requester's rating, 1–5.
    pub rating: Option<i32>,
    /// Requester's comment.
    pub rating_comment: Option<String>,
    /// Rated at.
    pub rated_at: Option<DateTime<Utc>>,
    /// Version.
    pub version: i64,
    /// Created at (the response and completion clocks start here).
    pub created_at: DateTime<Utc>,
    /// Last write.
    pub updated_at: DateTime<Utc>,
}

fn illegal(action: &TaskAction, status: TaskStatus) -> DomainError {
    DomainError::Conflict(format!("cannot {} a task that is {}", action.name(), status.as_str()))
}

fn text(field: &str, raw: Option<&str>, required: bool) -> Result<Option<String>, DomainError> {
    let value = crate::org::optional_text(field, raw, 1000, true)?;
    if required && value.is_none() {
        return Err(DomainError::invalid(field, "required", format!("{field} is required")));
    }
    Ok(value)
}

impl HandoffTask {
    /// Due instants of a task created at `created_at`: each SLA's business
    /// minutes added on `calendar`.
    ///
    /// # Errors
    /// As [`BusinessCalendar::add_business_minutes`].
    pub fn set_due_times(&mut self, calendar: &BusinessCalendar) -> Result<(), DomainError> {
        let due = |m: Option<i32>| m.map(|m| calendar.add_business_minutes(self.created_at, i64::from(m))).transpose();
        self.response_due_at = due(self.response_sla_minutes)?;
        self.due_at = due(self.completion_sla_minutes)?;
        Ok(())
    }

    /// Applies `action` by `actor` at `now`.
    ///
    /// # Errors
    /// [`DomainError::Conflict`] when the status does not allow it;
    /// [`DomainError::Validation`] on a missing or bad `reason`/`outcome`.
    pub fn apply(&mut self, action: &TaskAction, actor: Uuid, now: DateTime<Utc>) -> Result<(), DomainError> {
        use TaskStatus::*;
        match (action, self.status) {
            (TaskAction::Accept, Open) => {
                self.status = Accepted;
                self.accepted_at = Some(now);
                self.assignee_user_id.get_or_insert(actor);
            }
            (TaskAction::Start, Accepted) => {
                self.status = InProgress;
                self.started_at = Some(now);
            }
            (TaskAction::Complete(outcome), Accepted | InProgress) => {
                self.outcome = text("outcome", outcome.as_deref(), false)?;
                self.status = Done;
                self.completed_at = Some(now);
            }
            (TaskAction::Decline(reason), Open | Accepted) => {
                self.decline_reason = text("reason", Some(reason), true)?;
                self.status = Declined;
                self.declined_at = Some(now);
            }
            (TaskAction::Cancel(reason), s) if s.is_active() => {
                self.cancel_reason = text("reason", reason.as_deref(), false)?;
                self.status = Cancelled;
                self.cancelled_at = Some(now);
            }
            (action, status) => return Err(illegal(action, status)),
        }
        Ok(())
    }

    /// Who may act: an admin; the assignee or anyone whose visible teams
    /// include the assignee team (its members, and managers above it); for
    /// `cancel` also the requester. Viewers and marketing never act.
    ///
    /// # Errors
    /// [`DomainError::Forbidden`].
    pub fn check_actor(&self, scope: &crate::Scope, action: &TaskAction) -> Result<(), DomainError> {
        use crate::user::Role;
        if matches!(scope.role, Role::Viewer | Role::Marketing) {
            return Err(DomainError::Forbidden(format!(
                "the {} role cannot act on handoff tasks",
                scope.role.as_str()
            )));
        }
        let on_team = scope.visible_team_ids.contains(&self.assignee_team_id) || self.assignee_user_id == Some(scope.user_id);
        let requester = matches!(action, TaskAction::Cancel(_)) && scope.user_id == self.requester_id;
        if scope.is_admin() || on_team || requester {
            Ok(())
        } else {
            Err(DomainError::Forbidden(format!(
                "only the assignee team (or the requester, to cancel) may {} this task",
                action.name()
            )))
        }
    }

    /// The requester's rating of a done task, once.
    ///
    /// # Errors
    /// [`DomainError::Forbidden`] unless `actor` is the requester;
    /// [`DomainError::Conflict`] unless done or when already rated;
    /// [`DomainError::Validation`] on `rating` outside 1–5 or a bad comment.
    pub fn rate(&mut self, actor: Uuid, rating: i64, comment: Option<&str>, now: DateTime<Utc>) -> Result<(), DomainError> {
        if actor != self.requester_id {
            return Err(DomainError::Forbidden("only the requester rates a task".into()));
        }
        if self.status != TaskStatus::Done {
            return Err(DomainError::Conflict(format!(
                "only a done task can be rated; this one is {}",
                self.status.as_str()
            )));
        }
        if self.rating.is_some() {
            return Err(DomainError::Conflict("the task is already rated".into()));
        }
        let rating = i32::try_from(rating)
            .ok()
            .filter(|r| (1..=5).contains(r))
            .ok_or_else(|| DomainError::invalid("rating", "out_of_range", "must be 1 to 5"))?;
        self.rating_comment = text("comment", comment, false)?;
        self.rating = Some(rating);
        self.rated_at = Some(now);
        Ok(())
    }

    /// When the task was first answered (accepted or declined).
    pub fn responded_at(&self) -> Option<DateTime<Utc>> {
        self.accepted_at.or(self.declined_at)
    }

    /// When the task stopped waiting without an answer or completion.
    fn ended_at(&self) -> Option<DateTime<Utc>> {
        self.cancelled_at.or(self.declined_at).or(self.completed_at)
    }

    /// Whether the response due time passed before the first answer.
    pub fn response_breached(&self, now: DateTime<Utc>) -> bool {
        let Some(due) = self.response_due_at else { return false };
        let answered = self.responded_at().or(self.ended_at()).unwrap_or(now);
        answered > due
    }

    /// Whether the completion due time passed before completion (a
    /// declined task owes no completion).
    pub fn completion_breached(&self, now: DateTime<Utc>) -> bool {
        let Some(due) = self.due_at else { return false };
        if self.status == TaskStatus::Declined {
            return false;
        }
        let finished = self.completed_at.or(self.cancelled_at).unwrap_or(now);
        finished > due
    }

    /// Response or completion SLA missed (judged at `now` while waiting).
    pub fn sla_breached(&self, now: DateTime<Utc>) -> bool {
        self.response_breached(now) || self.completion_breached(now)
    }

    /// Business minutes from creation to the first answer.
    pub fn response_minutes(&self, calendar: &BusinessCalendar) -> Option<i64> {
        self.responded_at().map(|at| calendar.business_minutes_between(self.created_at, at))
    }
}

/// Checks a task type: 1–32 of `a-z`, `0-9`, `_` (e.g. `demo`,
/// `legal_review`, `onboarding`).
///
/// # Errors
/// [`DomainError::Validation`] on `task_type`.
pub fn check_task_type(raw: &str) -> Result<String, DomainError> {
    let ok = (1..=32).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(DomainError::invalid(
            "task_type",
            "invalid_task_type",
            "1–32 characters of a-z, 0-9 and _",
        ))
    }
}

/// Checks an SLA: 1 to 525,600 business minutes (a year of minutes).
///
/// # Errors
/// [`DomainError::Validation`] on `field`.
pub fn check_sla(field: &str, minutes: i64) -> Result<i32, DomainError> {
    match minutes {
        1..=525_600 => Ok(minutes as i32),
        _ => Err(DomainError::invalid(field, "out_of_range", "must be 1 to 525,600 business minutes")),
    }
}

#[cfg(test)]
mod tests;
