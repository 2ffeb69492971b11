//! `handoff_tasks` metrics: response figures of a team's tasks and the win
//! rate of deals it helped on.

use chrono::NaiveDate;
use glassbox_domain::handoff::{TaskMetrics, TaskStatus};
use glassbox_domain::stats::WinLoss;
use glassbox_domain::window::DateWindow;
use glassbox_domain::{DomainError, Scope};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, Condition, EntityTrait, ExprTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::task_to_domain;
use crate::Store;
use crate::entities::{handoff_tasks as tasks_t, opportunities as opps};
use crate::error::db_err;
use crate::refs::{Ref, check};

/// Figures of [`Store::handoff_metrics`].
#[derive(Debug, Clone, PartialEq)]
pub struct HandoffMetrics {
    /// Days covered, in the org's time zone.
    pub window: DateWindow,
    /// Team measured; `None` for every team.
    pub team_id: Option<Uuid>,
    /// Response and quality figures of the tasks created in the window.
    pub tasks: TaskMetrics,
    /// Deals closed in the window with at least one done task of the team.
    pub with_completed_task: WinLoss,
    /// Deals closed in the window with none.
    pub without_completed_task: WinLoss,
}

impl Store {
    /// Metrics of the handoff tasks of `team_id` (every team when `None`)
    /// created from `from` to `to` (org-local days, both included; default
    /// the 30 days to today), and the win rate of the deals closed in that
    /// window that had at least one done task of the team against those that
    /// had none.
    ///
    /// # Errors
    /// [`DomainError::Validation`] naming `team_id` (not a team of the org)
    /// or `from` (see [`DateWindow::parse`]).
    pub async fn handoff_metrics(
        &self,
        scope: &Scope,
        team_id: Option<Uuid>,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<HandoffMetrics, DomainError> {
        let conn = self.conn();
        check(conn, scope.org_id, &[("team_id", team_id, Ref::Team)]).await?;
        let calendar = crate::calendars::calendar_in(conn, scope.org_id).await?;
        let now = self.now();
        let today = now.with_timezone(&calendar.time_zone.tz()).date_naive();
        let window = DateWindow::parse(from, to, today, 30)?;
        let (start, end) = window.bounds(calendar.time_zone);
        // Only tasks and deals in the caller's reach (crate::visibility).
        let reach = crate::visibility::Reach::of(conn, scope).await?.for_aggregates();
        let mut q = tasks_t::Entity::find()
            .filter(reach.handoff_tasks())
            .filter(tasks_t::Column::OrgId.eq(scope.org_id))
            .filter(tasks_t::Column::CreatedAt.gte(start))
            .filter(tasks_t::Column::CreatedAt.lt(end));
        if let Some(team) = team_id {
            q = q.filter(tasks_t::Column::AssigneeTeamId.eq(team));
        }
        let tasks = q
            .all(conn)
            .await
            .map_err(db_err)?
            .into_iter()
            .map(task_to_domain)
            .collect::<Result<Vec<_>, _>>()?;
        let mut helped = Query::select()
            .expr(Expr::value(1))
            .from(tasks_t::Entity)
            .and_where(Expr::col((tasks_t::Entity, tasks_t::Column::OpportunityId)).equals((opps::Entity, opps::Column::Id)))
            .and_where(Expr::col((tasks_t::Entity, tasks_t::Column::Status)).eq(TaskStatus::Done.as_str()))
            .to_owned();
        if let Some(team) = team_id {
            helped.and_where(Expr::col((tasks_t::Entity, tasks_t::Column::AssigneeTeamId)).eq(team));
        }
        let closed: Vec<(String, bool, i64)> = opps::Entity::find()
            .select_only()
            .column(opps::Column::Status)
            .column_as(Expr::exists(helped), "helped")
            .column_as(opps::Column::Id.count(), "n")
            .filter(
                Condition::all()
                    .add(reach.opportunities())
                    .add(opps::Column::OrgId.eq(scope.org_id))
                    .add(opps::Column::DeletedAt.is_null())
                    .add(opps::Column::Status.is_in(["won", "lost"]))
                    .add(opps::Column::ClosedAt.gte(start))
                    .add(opps::Column::ClosedAt.lt(end)),
            )
            .group_by(Expr::col(opps::Column::Status))
            .group_by(Expr::cust("2"))
            .into_tuple()
            .all(conn)
            .await
            .map_err(db_err)?;
        let (mut with, mut without) = (WinLoss::default(), WinLoss::default());
        for (status, helped, n) in closed {
            let side = if helped { &mut with } else { &mut without };
            let n = u64::try_from(n).unwrap_or(0);
            if status == "won" { side.won += n } else { side.lost += n }
        }
        Ok(HandoffMetrics {
            window,
            team_id,
            tasks: TaskMetrics::compute(&tasks, &calendar, now),
            with_completed_task: with,
            without_completed_task: without,
        })
    }
}
