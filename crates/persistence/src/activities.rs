//! Activities. Logging one on an opportunity moves the opportunity's
//! `last_activity_at` in the same transaction.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use glassbox_domain::activity::{Activity, ActivityType};
use glassbox_domain::page::{Page, PageRequest};
use glassbox_domain::{DomainError, Scope};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::Store;
use crate::changes::{ChangeOp, SyncedKind};
use crate::entities::{activities, opportunities};
use crate::error::{check_version, db_err};
use crate::refs::{Ref, check_in_reach};
use crate::visibility::Reach;

/// Activity list filters.
#[derive(Debug, Clone, Default)]
pub struct ActivityFilter {
    /// On this opportunity.
    pub opportunity_id: Option<Uuid>,
    /// On this account.
    pub account_id: Option<Uuid>,
    /// With this contact.
    pub contact_id: Option<Uuid>,
    /// Done by this user.
    pub owner_id: Option<Uuid>,
    /// Of this type.
    pub activity_type: Option<ActivityType>,
}

pub(crate) fn activity(m: activities::Model) -> Result<Activity, DomainError> {
    Ok(Activity {
        activity_type: ActivityType::parse("type", &m.activity_type)
            .map_err(|_| DomainError::Internal("bad stored activity type".into()))?,
        id: m.id,
        org_id: m.org_id,
        subject: m.subject,
        notes: m.notes,
        occurred_at: m.occurred_at,
        due_at: m.due_at,
        duration_minutes: m.duration_minutes,
        outcome: m.outcome,
        done: m.done,
        owner_id: m.owner_id,
        opportunity_id: m.opportunity_id,
        account_id: m.account_id,
        contact_id: m.contact_id,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

pub(crate) fn row(a: &Activity, recorded_at: DateTime<Utc>) -> activities::ActiveModel {
    activities::ActiveModel {
        id: Set(a.id),
        org_id: Set(a.org_id),
        activity_type: Set(a.activity_type.as_str().to_owned()),
        subject: Set(a.subject.clone()),
        notes: Set(a.notes.clone()),
        occurred_at: Set(a.occurred_at),
        due_at: Set(a.due_at),
        duration_minutes: Set(a.duration_minutes),
        outcome: Set(a.outcome.clone()),
        done: Set(a.done),
        owner_id: Set(a.owner_id),
        opportunity_id: Set(a.opportunity_id),
        account_id: Set(a.account_id),
        contact_id: Set(a.contact_id),
        deleted_at: Set(None),
        recorded_at: Set(recorded_at),
        version: Set(a.version),
        created_at: Set(a.created_at),
        updated_at: Set(a.updated_at),
    }
}

/// A live activity in the caller's reach (see [`crate::visibility`]).
async fn find(conn: &impl ConnectionTrait, scope: &Scope, id: Uuid, lock: bool) -> Result<Activity, DomainError> {
    let reach = Reach::of(conn, scope).await?;
    let mut q = activities::Entity::find_by_id(id)
        .filter(activities::Column::OrgId.eq(scope.org_id))
        .filter(activities::Column::DeletedAt.is_null())
        .filter(reach.activities());
    if lock {
        q = q.lock_exclusive();
    }
    q.one(conn)
        .await
        .map_err(db_err)?
        .map(activity)
        .transpose()?
        .ok_or(DomainError::NotFound("activity"))
}

/// Sets each given opportunity's `last_activity_at` to the latest
/// `occurred_at` of its live activities that is not after `now` (a planned
/// activity has not happened yet), or null when there is none; so the value
/// follows activities that are logged, corrected, moved to another
/// opportunity or deleted. Two reads whatever the number of
/// opportunities (lock, one grouped MAX), then an update per changed one;
/// the rows are locked first, so concurrent activity writes on one
/// opportunity each see the others' committed rows.
pub(crate) async fn refresh_last_activity(
    conn: &impl ConnectionTrait,
    org_id: Uuid,
    opp_ids: impl IntoIterator<Item = Uuid>,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    let mut ids: Vec<Uuid> = opp_ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(());
    }
    // Locked in id order, so concurrent batches cannot deadlock on them.
    let current: Vec<(Uuid, Option<DateTime<Utc>>)> = opportunities::Entity::find()
        .select_only()
        .column(opportunities::Column::Id)
        .column(opportunities::Column::LastActivityAt)
        .filter(opportunities::Column::OrgId.eq(org_id))
        .filter(opportunities::Column::Id.is_in(ids.clone()))
        .order_by_asc(opportunities::Column::Id)
        .lock_exclusive()
        .into_tuple()
        .all(conn)
        .await
        .map_err(db_err)?;
    if current.len() != ids.len() {
        return Err(DomainError::NotFound("opportunity"));
    }
    let latest: HashMap<Uuid, Option<DateTime<Utc>>> = activities::Entity::find()
        .select_only()
        .column(activities::Column::OpportunityId)
        .column_as(activities::Column::OccurredAt.max(), "latest")
        .filter(activities::Column::OrgId.eq(org_id))
        .filter(activities::Column::OpportunityId.is_in(ids))
        .filter(activities::Column::DeletedAt.is_null())
        .filter(activities::Column::OccurredAt.lte(now))
        .group_by(activities::Column::OpportunityId)
        .into_tuple::<(Uuid, Option<DateTime<Utc>>)>()
        .all(conn)
        .await
        .map_err(db_err)?
        .into_iter()
        .collect();
    for (id, stored) in current {
        let next = latest.get(&id).copied().flatten();
        if next != stored {
            opportunities::Entity::update_many()
                .col_expr(opportunities::Column::LastActivityAt, Expr::value(next))
                .filter(opportunities::Column::Id.eq(id))
                .exec(conn)
                .await
                .map_err(db_err)?;
        }
    }
    Ok(())
}

impl Store {
    /// Activities of the org by id, filtered.
    ///
    /// # Errors
    /// [`DomainError::Internal`] on storage failure.
    pub async fn list_activities(&self, scope: &Scope, f: &ActivityFilter, page: PageRequest) -> Result<Page<Activity>, DomainError> {
        let reach = Reach::of(self.conn(), scope).await?;
        let mut q = activities::Entity::find()
            .filter(activities::Column::OrgId.eq(scope.org_id))
            .filter(activities::Column::DeletedAt.is_null())
            .filter(reach.activities());
        if let Some(v) = f.opportunity_id {
            q = q.filter(activities::Column::OpportunityId.eq(v));
        }
        if let Some(v) = f.account_id {
            q = q.filter(activities::Column::AccountId.eq(v));
        }
        if let Some(v) = f.contact_id {
            q = q.filter(activities::Column::ContactId.eq(v));
        }
        if let Some(v) = f.owner_id {
            q = q.filter(activities::Column::OwnerId.eq(v));
        }
        if let Some(v) = f.activity_type {
            q = q.filter(activities::Column::ActivityType.eq(v.as_str()));
        }
        if let Some(after) = page.after {
            q = q.filter(activities::Column::Id.gt(after));
        }
        let rows = q
            .order_by_asc(activities::Column::Id)
            .limit(page.limit.get() + 1)
            .all(self.conn())
            .await
            .map_err(db_err)?;
        let page = Page::from_overfetch(rows, page.limit, |r| r.id);
        page.try_map(activity)
    }

    /// One live activity.
    ///
    /// # Errors
    /// [`DomainError::NotFound`].
    pub async fn get_activity(&self, scope: &Scope, id: Uuid) -> Result<Activity, DomainError> {
        find(self.conn(), scope, id, false).await
    }

    /// Inserts (`update` = `None`) or updates an activity and moves the
    /// linked opportunity's `last_activity_at`, in one transaction.
    ///
    /// # Errors
    /// [`DomainError::Validation`] naming unknown links or owner;
    /// [`DomainError::StaleVersion`]; [`DomainError::Conflict`] on a taken id.
    pub async fn save_activity(&self, scope: &Scope, mut a: Activity, update: Option<Option<i64>>) -> Result<Activity, DomainError> {
        scope.require_sales_writer()?;
        let txn = self.begin_write().await?;
        let now = self.now();
        check_in_reach(
            &txn,
            scope,
            &[
                ("opportunity_id", a.opportunity_id, Ref::Opportunity),
                ("account_id", a.account_id, Ref::Account),
                ("contact_id", a.contact_id, Ref::Contact),
                ("owner_id", Some(a.owner_id), Ref::Owner),
            ],
        )
        .await?;
        a.org_id = scope.org_id;
        a.updated_at = now;
        let previous_opportunity = match update {
            None => {
                a.version = 1;
                a.created_at = now;
                row(&a, now).insert(&txn).await.map_err(db_err)?;
                None
            }
            Some(if_match) => {
                let current = find(&txn, scope, a.id, true).await?;
                check_version(if_match, current.version)?;
                a.version = current.version + 1;
                a.created_at = current.created_at;
                row(&a, now).update(&txn).await.map_err(db_err)?;
                current.opportunity_id.filter(|old| Some(*old) != a.opportunity_id)
            }
        };
        refresh_last_activity(&txn, scope.org_id, a.opportunity_id.into_iter().chain(previous_opportunity), now).await?;
        let change = [(a.id, ChangeOp::Upsert, a.version)];
        self.log_changes(&txn, scope.org_id, SyncedKind::Activity, &change, now).await?;
        txn.commit().await.map_err(db_err)?;
        Ok(a)
    }

    /// The live activities in the caller's reach among `ids`.
    ///
    /// # Errors
    /// [`DomainError::Internal`] on storage failure.
    pub async fn activities_by_ids(&self, scope: &Scope, ids: Vec<Uuid>) -> Result<Vec<Activity>, DomainError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let reach = Reach::of(self.conn(), scope).await?;
        activities::Entity::find()
            .filter(activities::Column::OrgId.eq(scope.org_id))
            .filter(activities::Column::Id.is_in(ids))
            .filter(activities::Column::DeletedAt.is_null())
            .filter(reach.activities())
            .all(self.conn())
            .await
            .map_err(db_err)?
            .into_iter()
            .map(activity)
            .collect()
    }

    /// Soft-deletes an activity.
    ///
    /// # Errors
    /// [`DomainError::NotFound`]; [`DomainError::StaleVersion`].
    pub async fn delete_activity(&self, scope: &Scope, id: Uuid, if_match: Option<i64>) -> Result<(), DomainError> {
        scope.require_sales_writer()?;
        let txn = self.begin_write().await?;
        let now = self.now();
        let current = find(&txn, scope, id, true).await?;
        check_version(if_match, current.version)?;
        crate::soft_delete::mark::<activities::Entity>(&txn, id, current.version, now).await?;
        refresh_last_activity(&txn, scope.org_id, current.opportunity_id, now).await?;
        let change = [(id, ChangeOp::Delete, current.version + 1)];
        self.log_changes(&txn, scope.org_id, SyncedKind::Activity, &change, now).await?;
        txn.commit().await.map_err(db_err)
    }
}
