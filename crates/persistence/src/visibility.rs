//! Who sees which records. Every query of a sales record adds the
//! condition of the caller's [`Reach`]; a record outside it is reported as
//! not found (no existence leak), and a write to it is refused the same
//! way.
//!
//! | role | opportunities, accounts, activities | handoff tasks | aggregates |
//! |---|---|---|---|
//! | admin, viewer | the whole org | all | the whole org |
//! | manager | owned by a member of their teams or sub-teams (or by them), plus deals those teams have tasks on | on those deals, or assigned to those teams | those owners' deals |
//! | rep | owned by them, plus deals they are on a handoff task of (requester or assignee) | on those deals, or requested by / assigned to them | their own deals |
//! | presales, service | owned by them, plus deals their teams have tasks on, and those deals' accounts | assigned to their teams or to them, or requested by them | their own deals |
//! | marketing | none | none | the whole org |
//!
//! Accounts are also visible when a visible deal is on them; activities
//! when their deal or account is visible; contacts follow their account
//! (contacts without one are visible to every role that sees sales
//! records).

use glassbox_domain::user::Role;
use glassbox_domain::{DomainError, Scope};
use sea_orm::sea_query::{Query, SelectStatement};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::entities::{accounts, activities, contacts, handoff_tasks as tasks, opportunities as opps, team_members};
use crate::error::db_err;

/// The caller's reach over sales records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// Admin and viewer: the whole org.
    All,
    /// Manager, rep, presales, service.
    Limited {
        /// The org.
        org_id: Uuid,
        /// The caller.
        me: Uuid,
        /// Owners whose records the caller sees (the caller included).
        owners: Vec<Uuid>,
        /// Teams whose handoff tasks bring their deals into view.
        task_teams: Vec<Uuid>,
    },
    /// Marketing: aggregates only.
    Nothing,
}

impl Reach {
    /// The reach of `scope`: one query for a manager (their teams'
    /// members), none otherwise.
    ///
    /// # Errors
    /// [`DomainError::Internal`] on storage failure.
    pub async fn of(conn: &impl ConnectionTrait, scope: &Scope) -> Result<Self, DomainError> {
        let limited = |owners: Vec<Uuid>| Reach::Limited {
            org_id: scope.org_id,
            me: scope.user_id,
            owners,
            task_teams: scope.visible_team_ids.clone(),
        };
        Ok(match scope.role {
            Role::Admin | Role::Viewer => Reach::All,
            Role::Marketing => Reach::Nothing,
            Role::Rep => Reach::Limited {
                org_id: scope.org_id,
                me: scope.user_id,
                owners: vec![scope.user_id],
                task_teams: vec![],
            },
            Role::Presales | Role::Service => limited(vec![scope.user_id]),
            Role::Manager => {
                let mut owners: Vec<Uuid> = team_members::Entity::find()
                    .select_only()
                    .column(team_members::Column::UserId)
                    .filter(team_members::Column::OrgId.eq(scope.org_id))
                    .filter(team_members::Column::TeamId.is_in(scope.visible_team_ids.clone()))
                    .into_tuple()
                    .all(conn)
                    .await
                    .map_err(db_err)?;
                owners.push(scope.user_id);
                owners.sort_unstable();
                owners.dedup();
                limited(owners)
            }
        })
    }

    /// Owners whose deals the caller's aggregates (funnel, forecasts,
    /// metrics) cover; `None` for the whole org.
    pub fn aggregate_owners(&self) -> Option<&[Uuid]> {
        match self {
            Reach::Limited { owners, .. } => Some(owners),
            Reach::All | Reach::Nothing => None,
        }
    }

    /// The reach of record-level aggregates (handoff metrics): marketing's
    /// aggregates cover the org.
    pub fn for_aggregates(self) -> Reach {
        match self {
            Reach::Nothing => Reach::All,
            other => other,
        }
    }

    /// Ids of the deals the caller's handoff tasks bring into view.
    fn task_deals(&self) -> Option<SelectStatement> {
        let Reach::Limited {
            org_id, me, task_teams, ..
        } = self
        else {
            return None;
        };
        let mine = Condition::any()
            .add(tasks::Column::RequesterId.eq(*me))
            .add(tasks::Column::AssigneeUserId.eq(*me))
            .add(tasks::Column::AssigneeTeamId.is_in(task_teams.clone()));
        Some(
            Query::select()
                .column(tasks::Column::OpportunityId)
                .from(tasks::Entity)
                .and_where(tasks::Column::OrgId.eq(*org_id))
                .cond_where(mine)
                .to_owned(),
        )
    }

    /// Opportunities in reach.
    pub fn opportunities(&self) -> Condition {
        match self {
            Reach::All => Condition::all(),
            Reach::Nothing => nothing(opps::Column::Id),
            Reach::Limited { owners, .. } => {
                let mut c = Condition::any().add(opps::Column::OwnerId.is_in(owners.clone()));
                if let Some(deals) = self.task_deals() {
                    c = c.add(opps::Column::Id.in_subquery(deals));
                }
                c
            }
        }
    }

    /// Ids of the opportunities in reach, as a subquery.
    fn opportunity_ids(&self) -> SelectStatement {
        Query::select()
            .column(opps::Column::Id)
            .from(opps::Entity)
            .cond_where(self.opportunities())
            .and_where(opps::Column::DeletedAt.is_null())
            .to_owned()
    }

    /// Accounts in reach: owned by a visible owner, or with a visible deal.
    pub fn accounts(&self) -> Condition {
        match self {
            Reach::All => Condition::all(),
            Reach::Nothing => nothing(accounts::Column::Id),
            Reach::Limited { owners, org_id, .. } => {
                let with_deals = Query::select()
                    .column(opps::Column::AccountId)
                    .from(opps::Entity)
                    .and_where(opps::Column::OrgId.eq(*org_id))
                    .and_where(opps::Column::AccountId.is_not_null())
                    .and_where(opps::Column::Id.in_subquery(self.opportunity_ids()))
                    .to_owned();
                Condition::any()
                    .add(accounts::Column::OwnerId.is_in(owners.clone()))
                    .add(accounts::Column::Id.in_subquery(with_deals))
            }
        }
    }

    /// Activities in reach: owned by a visible owner, or on a visible deal
    /// or account.
    pub fn activities(&self) -> Condition {
        match self {
            Reach::All => Condition::all(),
            Reach::Nothing => nothing(activities::Column::Id),
            Reach::Limited { owners, .. } => Condition::any()
                .add(activities::Column::OwnerId.is_in(owners.clone()))
                .add(activities::Column::OpportunityId.in_subquery(self.opportunity_ids()))
                .add(activities::Column::AccountId.in_subquery(self.account_ids())),
        }
    }

    /// Ids of the accounts in reach, as a subquery.
    fn account_ids(&self) -> SelectStatement {
        Query::select()
            .column(accounts::Column::Id)
            .from(accounts::Entity)
            .cond_where(self.accounts())
            .and_where(accounts::Column::DeletedAt.is_null())
            .to_owned()
    }

    /// Contacts in reach: of a visible account, or of none.
    pub fn contacts(&self) -> Condition {
        match self {
            Reach::All => Condition::all(),
            Reach::Nothing => nothing(contacts::Column::Id),
            Reach::Limited { org_id, .. } => {
                let visible = Query::select()
                    .column(accounts::Column::Id)
                    .from(accounts::Entity)
                    .and_where(accounts::Column::OrgId.eq(*org_id))
                    .cond_where(self.accounts())
                    .to_owned();
                Condition::any()
                    .add(contacts::Column::AccountId.is_null())
                    .add(contacts::Column::AccountId.in_subquery(visible))
            }
        }
    }

    /// Handoff tasks in reach: on a visible deal, assigned to one of the
    /// caller's teams or to them, or requested by them.
    pub fn handoff_tasks(&self) -> Condition {
        match self {
            Reach::All => Condition::all(),
            Reach::Nothing => nothing(tasks::Column::Id),
            Reach::Limited { me, task_teams, .. } => Condition::any()
                .add(tasks::Column::RequesterId.eq(*me))
                .add(tasks::Column::AssigneeUserId.eq(*me))
                .add(tasks::Column::AssigneeTeamId.is_in(task_teams.clone()))
                .add(tasks::Column::OpportunityId.in_subquery(self.opportunity_ids())),
        }
    }
}

/// A condition no row meets.
fn nothing(id: impl ColumnTrait) -> Condition {
    Condition::all().add(id.is_in(Vec::<Uuid>::new()))
}

impl crate::Store {
    /// Which of `ids` (records of `kind`, deleted ones included) are in the
    /// caller's reach: a delta feed carries only those, tombstones of
    /// records the caller saw included. `None` when the reach is the whole
    /// org (every id).
    ///
    /// # Errors
    /// [`DomainError::Internal`] on storage failure.
    pub async fn visible_ids(
        &self,
        scope: &Scope,
        kind: crate::changes::SyncedKind,
        ids: Vec<Uuid>,
    ) -> Result<Option<std::collections::HashSet<Uuid>>, DomainError> {
        use crate::changes::SyncedKind;
        let reach = Reach::of(self.conn(), scope).await?;
        if reach == Reach::All {
            return Ok(None);
        }
        let conn = self.conn();
        let found: Vec<Uuid> = match kind {
            SyncedKind::Opportunity => {
                opps::Entity::find()
                    .select_only()
                    .column(opps::Column::Id)
                    .filter(opps::Column::OrgId.eq(scope.org_id))
                    .filter(opps::Column::Id.is_in(ids))
                    .filter(reach.opportunities())
                    .into_tuple()
                    .all(conn)
                    .await
            }
            SyncedKind::Activity => {
                activities::Entity::find()
                    .select_only()
                    .column(activities::Column::Id)
                    .filter(activities::Column::OrgId.eq(scope.org_id))
                    .filter(activities::Column::Id.is_in(ids))
                    .filter(reach.activities())
                    .into_tuple()
                    .all(conn)
                    .await
            }
            SyncedKind::HandoffTask => {
                tasks::Entity::find()
                    .select_only()
                    .column(tasks::Column::Id)
                    .filter(tasks::Column::OrgId.eq(scope.org_id))
                    .filter(tasks::Column::Id.is_in(ids))
                    .filter(reach.handoff_tasks())
                    .into_tuple()
                    .all(conn)
                    .await
            }
        }
        .map_err(db_err)?;
        Ok(Some(found.into_iter().collect()))
    }
}
