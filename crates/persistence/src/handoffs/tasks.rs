//! `handoff_tasks`: created by rules or by hand, moved through their
//! lifecycle by checked actions.

use chrono::{DateTime, Utc};
use glassbox_domain::handoff::{HandoffTask, TaskAction, TaskStatus};
use glassbox_domain::page::{Page, PageRequest};
use glassbox_domain::{DomainError, Scope};
use sea_orm::sea_query::Condition;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::{task_row, task_to_domain};
use crate::Store;
use crate::changes::{ChangeOp, SyncedKind};
use crate::entities::handoff_tasks as tasks_t;
use crate::error::{check_version, db_err};
use crate::refs::{Ref, check_in_reach};
use crate::visibility::Reach;

/// A task asked for by hand.
#[derive(Debug, Clone)]
pub struct NewHandoffTask {
    /// Id (client-generated or new).
    pub id: Uuid,
    /// The deal.
    pub opportunity_id: Uuid,
    /// Kind of work.
    pub task_type: String,
    /// Title.
    pub title: String,
    /// Team asked.
    pub assignee_team_id: Uuid,
    /// Business minutes to the first answer.
    pub response_sla_minutes: Option<i32>,
    /// Business minutes to completion.
    pub completion_sla_minutes: Option<i32>,
}

/// List filters; they combine with AND.
#[derive(Debug, Clone, Default)]
pub struct HandoffTaskFilter {
    /// Asked of this team.
    pub assignee_team_id: Option<Uuid>,
    /// Taken by this user.
    pub assignee_user_id: Option<Uuid>,
    /// In this status.
    pub status: Option<TaskStatus>,
    /// Still waiting and past a due time (response or completion).
    pub overdue: bool,
    /// About this deal.
    pub opportunity_id: Option<Uuid>,
}

/// A handoff task in the caller's reach (see [`crate::visibility`]).
async fn find(conn: &impl ConnectionTrait, scope: &Scope, id: Uuid, lock: bool) -> Result<HandoffTask, DomainError> {
    let reach = Reach::of(conn, scope).await?;
    let mut q = tasks_t::Entity::find_by_id(id)
        .filter(tasks_t::Column::OrgId.eq(scope.org_id))
        .filter(reach.handoff_tasks());
    if lock {
        q = q.lock_exclusive();
    }
    q.one(conn)
        .await
        .map_err(db_err)?
        .map(task_to_domain)
        .transpose()?
        .ok_or(DomainError::NotFound("handoff task"))
}

fn overdue(now: DateTime<Utc>) -> Condition {
    let waiting = [TaskStatus::Open, TaskStatus::Accepted, TaskStatus::InProgress].map(|s| s.as_str());
    Condition::all().add(tasks_t::Column::Status.is_in(waiting)).add(
        Condition::any()
            .add(
                Condition::all()
                    .add(tasks_t::Column::Status.eq(TaskStatus::Open.as_str()))
                    .add(tasks_t::Column::ResponseDueAt.lt(now)),
            )
            .add(tasks_t::Column::DueAt.lt(now)),
    )
}

impl Store {
    /// Creates a task by hand; the caller is the requester.
    ///
    /// # Errors
    /// [`DomainError::Forbidden`] for viewers and marketing;
    /// [`DomainError::Validation`] naming `opportunity_id` or
    /// `assignee_team_id`; [`DomainError::Conflict`] on a taken id.
    pub async fn create_handoff_task(&self, scope: &Scope, new: NewHandoffTask) -> Result<HandoffTask, DomainError> {
        scope.require_sales_writer()?;
        let txn = self.begin_write().await?;
        let now = self.now();
        check_in_reach(
            &txn,
            scope,
            &[
                ("opportunity_id", Some(new.opportunity_id), Ref::Opportunity),
                ("assignee_team_id", Some(new.assignee_team_id), Ref::Team),
            ],
        )
        .await?;
        let mut task = HandoffTask {
            id: new.id,
            org_id: scope.org_id,
            opportunity_id: new.opportunity_id,
            rule_id: None,
            stage_history_id: None,
            task_type: new.task_type,
            title: new.title,
            assignee_team_id: new.assignee_team_id,
            assignee_user_id: None,
            requester_id: scope.user_id,
            status: TaskStatus::Open,
            response_sla_minutes: new.response_sla_minutes,
            completion_sla_minutes: new.completion_sla_minutes,
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
        task.set_due_times(&crate::calendars::calendar_in(&txn, scope.org_id).await?)?;
        task_row(&task).insert(&txn).await.map_err(db_err)?;
        let change = [(task.id, ChangeOp::Upsert, task.version)];
        self.log_changes(&txn, scope.org_id, SyncedKind::HandoffTask, &change, now).await?;
        txn.commit().await.map_err(db_err)?;
        Ok(task)
    }

    /// One task.
    ///
    /// # Errors
    /// [`DomainError::NotFound`].
    pub async fn get_handoff_task(&self, scope: &Scope, id: Uuid) -> Result<HandoffTask, DomainError> {
        find(self.conn(), scope, id, false).await
    }

    /// The tasks of the caller's org among `ids`.
    ///
    /// # Errors
    /// [`DomainError::Internal`] on storage failure.
    pub async fn handoff_tasks_by_ids(&self, scope: &Scope, ids: Vec<Uuid>) -> Result<Vec<HandoffTask>, DomainError> {
        let reach = Reach::of(self.conn(), scope).await?;
        let rows = tasks_t::Entity::find()
            .filter(tasks_t::Column::OrgId.eq(scope.org_id))
            .filter(tasks_t::Column::Id.is_in(ids))
            .filter(reach.handoff_tasks())
            .all(self.conn())
            .await
            .map_err(db_err)?;
        rows.into_iter().map(task_to_domain).collect()
    }

    /// Tasks by id (creation order), filtered.
    ///
    /// # Errors
    /// [`DomainError::Internal`] on storage failure.
    pub async fn list_handoff_tasks(
        &self,
        scope: &Scope,
        f: &HandoffTaskFilter,
        page: PageRequest,
    ) -> Result<Page<HandoffTask>, DomainError> {
        let reach = Reach::of(self.conn(), scope).await?;
        let mut q = tasks_t::Entity::find()
            .filter(tasks_t::Column::OrgId.eq(scope.org_id))
            .filter(reach.handoff_tasks());
        if let Some(v) = f.assignee_team_id {
            q = q.filter(tasks_t::Column::AssigneeTeamId.eq(v));
        }
        if let Some(v) = f.assignee_user_id {
            q = q.filter(tasks_t::Column::AssigneeUserId.eq(v));
        }
        if let Some(v) = f.status {
            q = q.filter(tasks_t::Column::Status.eq(v.as_str()));
        }
        if let Some(v) = f.opportunity_id {
            q = q.filter(tasks_t::Column::OpportunityId.eq(v));
        }
        if f.overdue {
            q = q.filter(overdue(self.now()));
        }
        if let Some(after) = page.after {
            q = q.filter(tasks_t::Column::Id.gt(after));
        }
        let rows = q
            .order_by_asc(tasks_t::Column::Id)
            .limit(page.limit.get() + 1)
            .all(self.conn())
            .await
            .map_err(db_err)?;
        let page = Page::from_overfetch(rows, page.limit, |r| r.id);
        page.try_map(task_to_domain)
    }

    /// Applies a lifecycle action (or, with `rating`, rates the task) under
    /// a row lock, checking `If-Match` when given.
    ///
    /// # Errors
    /// [`DomainError::NotFound`]; [`DomainError::Forbidden`];
    /// [`DomainError::Conflict`] on an illegal transition or a second rating;
    /// [`DomainError::Validation`]; [`DomainError::StaleVersion`].
    pub async fn act_on_handoff_task(
        &self,
        scope: &Scope,
        id: Uuid,
        step: TaskStep,
        if_match: Option<i64>,
    ) -> Result<HandoffTask, DomainError> {
        let txn = self.begin_write().await?;
        let now = self.now();
        let mut task = find(&txn, scope, id, true).await?;
        check_version(if_match, task.version)?;
        match &step {
            TaskStep::Action(action) => {
                task.check_actor(scope, action)?;
                task.apply(action, scope.user_id, now)?;
            }
            TaskStep::Rate { rating, comment } => task.rate(scope.user_id, *rating, comment.as_deref(), now)?,
        }
        task.version += 1;
        task.updated_at = now;
        task_row(&task).update(&txn).await.map_err(db_err)?;
        let change = [(task.id, ChangeOp::Upsert, task.version)];
        self.log_changes(&txn, scope.org_id, SyncedKind::HandoffTask, &change, now).await?;
        txn.commit().await.map_err(db_err)?;
        Ok(task)
    }
}

/// What [`Store::act_on_handoff_task`] does.
#[derive(Debug, Clone)]
pub enum TaskStep {
    /// A lifecycle action.
    Action(TaskAction),
    /// The requester's rating (1–5) and comment.
    Rate {
        /// 1–5.
        rating: i64,
        /// Comment.
        comment: Option<String>,
    },
}
