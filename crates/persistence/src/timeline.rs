//! An account's timeline: its opportunities, their stage changes, its
//! activities and its deals' handoff tasks in one newest-first list, the
//! shared customer view every department reads.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use glassbox_domain::activity::Activity;
use glassbox_domain::handoff::HandoffTask;
use glassbox_domain::opportunity::Opportunity;
use glassbox_domain::page::{Page, PageRequest};
use glassbox_domain::{DomainError, Scope};
use sea_orm::sea_query::{Alias, Expr, Func, Order, Query, SelectStatement, UnionType};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, ExprTrait, QueryFilter};
use uuid::Uuid;

use crate::Store;
use crate::entities::{activities as acts, handoff_tasks as tasks_t, opportunities as opps, opportunity_stage_history as sh};
use crate::error::db_err;
use crate::opportunities::StageHistoryRow;

/// Keyset position in a timeline: `(at, id)`, newest first.
pub type TimelineKey = (DateTime<Utc>, Uuid);

/// What happened.
#[derive(Debug, Clone, PartialEq)]
pub enum TimelineEvent {
    /// An opportunity of the account was created (`at` = its creation).
    Opportunity(Opportunity),
    /// One of its opportunities moved stage (`at` = the entry; an
    /// opportunity's first stage is part of its creation, not listed apart).
    StageChange {
        /// The opportunity.
        opportunity_id: Uuid,
        /// The stage-history row.
        change: StageHistoryRow,
    },
    /// An activity on the account or one of its opportunities (`at` = when
    /// it happened, else when it is due, else when it was logged).
    Activity(Activity),
    /// A handoff task on one of its opportunities (`at` = its creation).
    HandoffTask(HandoffTask),
}

/// One timeline entry.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// Id of the record.
    pub id: Uuid,
    /// The record.
    pub event: TimelineEvent,
}

const OPPORTUNITY: &str = "opportunity";
const STAGE_CHANGE: &str = "stage_change";
const ACTIVITY: &str = "activity";
const HANDOFF_TASK: &str = "handoff_task";

/// `SELECT '<kind>' AS kind, <id> AS id, <at> AS at FROM <table>`.
fn branch(kind: &str, table: impl sea_orm::Iden + 'static, id: Expr, at: Expr) -> SelectStatement {
    Query::select()
        .expr_as(Expr::cust(format!("'{kind}'")), Alias::new("kind"))
        .expr_as(id, Alias::new("id"))
        .expr_as(at, Alias::new("at"))
        .from(table)
        .to_owned()
}

impl Store {
    /// The timeline of a live account, newest first (ties by id,
    /// descending), keyset-paginated on `(at, id)`. Deleted opportunities
    /// and activities, and what hangs off deleted opportunities, are left
    /// out.
    ///
    /// # Errors
    /// [`DomainError::NotFound`] when the account is not a live account of
    /// the org.
    pub async fn account_timeline(
        &self,
        scope: &Scope,
        account_id: Uuid,
        page: PageRequest<TimelineKey>,
    ) -> Result<Page<TimelineEntry, TimelineKey>, DomainError> {
        self.get_account(scope, account_id).await?;
        let org = scope.org_id;
        // Only what the caller may see of the account (crate::visibility).
        let reach = crate::visibility::Reach::of(self.conn(), scope).await?;
        let deals = Query::select()
            .column(opps::Column::Id)
            .from(opps::Entity)
            .and_where(opps::Column::OrgId.eq(org))
            .and_where(opps::Column::AccountId.eq(account_id))
            .and_where(opps::Column::DeletedAt.is_null())
            .cond_where(reach.opportunities())
            .to_owned();
        let mut union = branch(
            OPPORTUNITY,
            opps::Entity,
            Expr::col(opps::Column::Id),
            Expr::col(opps::Column::CreatedAt),
        )
        .and_where(opps::Column::OrgId.eq(org))
        .and_where(opps::Column::AccountId.eq(account_id))
        .and_where(opps::Column::DeletedAt.is_null())
        .cond_where(reach.opportunities())
        .to_owned();
        let stage_changes = branch(
            STAGE_CHANGE,
            sh::Entity,
            Expr::col(sh::Column::Id),
            Expr::col(sh::Column::EnteredAt),
        )
        .and_where(sh::Column::OrgId.eq(org))
        .and_where(sh::Column::FromStageId.is_not_null())
        .and_where(sh::Column::OpportunityId.in_subquery(deals.clone()))
        .to_owned();
        let when = Func::coalesce([
            Expr::col(acts::Column::OccurredAt),
            Expr::col(acts::Column::DueAt),
            Expr::col(acts::Column::CreatedAt),
        ]);
        let activities = branch(ACTIVITY, acts::Entity, Expr::col(acts::Column::Id), when.into())
            .and_where(acts::Column::OrgId.eq(org))
            .and_where(acts::Column::DeletedAt.is_null())
            .cond_where(
                Condition::any()
                    .add(acts::Column::AccountId.eq(account_id))
                    .add(acts::Column::OpportunityId.in_subquery(deals.clone())),
            )
            .cond_where(reach.activities())
            .to_owned();
        let tasks = branch(
            HANDOFF_TASK,
            tasks_t::Entity,
            Expr::col(tasks_t::Column::Id),
            Expr::col(tasks_t::Column::CreatedAt),
        )
        .and_where(tasks_t::Column::OrgId.eq(org))
        .and_where(tasks_t::Column::OpportunityId.in_subquery(deals))
        .cond_where(reach.handoff_tasks())
        .to_owned();
        union
            .union(UnionType::All, stage_changes)
            .union(UnionType::All, activities)
            .union(UnionType::All, tasks);
        let (kind, id, at) = (Alias::new("kind"), Alias::new("id"), Alias::new("at"));
        let mut q = Query::select()
            .columns([kind.clone(), id.clone(), at.clone()])
            .from_subquery(union, Alias::new("timeline"))
            .order_by(at.clone(), Order::Desc)
            .order_by(id.clone(), Order::Desc)
            .limit(page.limit.get() + 1)
            .to_owned();
        if let Some((after_at, after_id)) = page.after {
            q.cond_where(
                Condition::any()
                    .add(Expr::col(at.clone()).lt(after_at))
                    .add(Expr::col(at.clone()).eq(after_at).and(Expr::col(id.clone()).lt(after_id))),
            );
        }
        let conn = self.conn();
        let keys = conn
            .query_all(&q)
            .await
            .map_err(db_err)?
            .iter()
            .map(|r| {
                Ok((
                    r.try_get::<String>("", "kind")?,
                    r.try_get::<Uuid>("", "id")?,
                    r.try_get::<DateTime<Utc>>("", "at")?,
                ))
            })
            .collect::<Result<Vec<_>, sea_orm::DbErr>>()
            .map_err(db_err)?;
        let page = Page::from_overfetch(keys, page.limit, |(_, id, at)| (*at, *id));
        let mut entries = load(conn, org, &page.items).await?;
        entries.sort_by_key(|e| std::cmp::Reverse((e.at, e.id)));
        Ok(Page {
            items: entries,
            next_after: page.next_after,
        })
    }
}

/// Rows of entity `E` of `org` with the given ids (none when `ids` is empty).
async fn rows<E: EntityTrait>(
    conn: &impl ConnectionTrait,
    (org_col, id_col): (E::Column, E::Column),
    org: Uuid,
    ids: Vec<Uuid>,
) -> Result<Vec<E::Model>, DomainError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    E::find()
        .filter(org_col.eq(org))
        .filter(id_col.is_in(ids))
        .all(conn)
        .await
        .map_err(db_err)
}

/// Loads the records of one page of `(kind, id, at)` keys: one query per
/// kind present. A record gone between the two reads is left out.
async fn load(conn: &impl ConnectionTrait, org: Uuid, keys: &[(String, Uuid, DateTime<Utc>)]) -> Result<Vec<TimelineEntry>, DomainError> {
    let ids = |kind: &str| keys.iter().filter(|k| k.0 == kind).map(|k| k.1).collect::<Vec<_>>();
    let mut events = Vec::with_capacity(keys.len());
    for m in rows::<opps::Entity>(conn, (opps::Column::OrgId, opps::Column::Id), org, ids(OPPORTUNITY)).await? {
        let o = crate::opportunities::to_domain(m)?;
        events.push((o.id, TimelineEvent::Opportunity(o)));
    }
    for r in rows::<sh::Entity>(conn, (sh::Column::OrgId, sh::Column::Id), org, ids(STAGE_CHANGE)).await? {
        let opportunity_id = r.opportunity_id;
        let change = StageHistoryRow::from(r);
        events.push((change.id, TimelineEvent::StageChange { opportunity_id, change }));
    }
    for m in rows::<acts::Entity>(conn, (acts::Column::OrgId, acts::Column::Id), org, ids(ACTIVITY)).await? {
        let a = crate::activities::activity(m)?;
        events.push((a.id, TimelineEvent::Activity(a)));
    }
    for m in rows::<tasks_t::Entity>(conn, (tasks_t::Column::OrgId, tasks_t::Column::Id), org, ids(HANDOFF_TASK)).await? {
        let t = crate::handoffs::task_to_domain(m)?;
        events.push((t.id, TimelineEvent::HandoffTask(t)));
    }
    let when: HashMap<Uuid, DateTime<Utc>> = keys.iter().map(|k| (k.1, k.2)).collect();
    Ok(events
        .into_iter()
        .filter_map(|(id, event)| when.get(&id).map(|at| TimelineEntry { at: *at, id, event }))
        .collect())
}
