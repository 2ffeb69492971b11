//! Quotas per user or team and fiscal period.

use chrono::NaiveDate;
use glassbox_domain::forecast::{FiscalPeriod, PeriodKind, Quota, QuotaTarget};
use glassbox_domain::page::{Page, PageRequest};
use glassbox_domain::user::Role;
use glassbox_domain::{DomainError, Scope};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::Store;
use crate::entities::quotas;
use crate::error::{check_version, db_err};
use crate::refs::{Ref, check};

/// Which quotas a list shows.
#[derive(Debug, Clone, Copy, Default)]
pub struct QuotaFilter {
    /// Only this user's.
    pub user_id: Option<Uuid>,
    /// Only this team's.
    pub team_id: Option<Uuid>,
    /// Only quotas of this period length starting on this day.
    pub period: Option<(PeriodKind, NaiveDate)>,
}

fn kind_of(raw: &str) -> Result<PeriodKind, DomainError> {
    match raw {
        "month" => Ok(PeriodKind::Month),
        "quarter" => Ok(PeriodKind::Quarter),
        "year" => Ok(PeriodKind::Year),
        _ => Err(DomainError::Internal(format!("stored quota has period kind {raw}"))),
    }
}

fn to_domain(m: quotas::Model) -> Result<Quota, DomainError> {
    let target = QuotaTarget::from_stored(&m.target_kind, m.target_id);
    let period = FiscalPeriod::parse("period", &m.period).map_err(|_| DomainError::Internal("stored quota period is bad".into()))?;
    if period.kind != kind_of(&m.period_kind)? {
        return Err(DomainError::Internal("stored quota period kinds disagree".into()));
    }
    Ok(Quota {
        id: m.id,
        org_id: m.org_id,
        target,
        period,
        first_day: m.first_day,
        last_day: m.last_day,
        amount_minor: m.amount_minor,
        currency: m.currency,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

fn row(q: &Quota) -> quotas::ActiveModel {
    let (kind, id) = q.target.stored();
    quotas::ActiveModel {
        id: Set(q.id),
        org_id: Set(q.org_id),
        target_kind: Set(kind.to_owned()),
        target_id: Set(id),
        period_kind: Set(q.period.kind.as_str().to_owned()),
        period: Set(q.period.label()),
        first_day: Set(q.first_day),
        last_day: Set(q.last_day),
        amount_minor: Set(q.amount_minor),
        currency: Set(q.currency.clone()),
        version: Set(q.version),
        created_at: Set(q.created_at),
        updated_at: Set(q.updated_at),
    }
}

async fn find(conn: &impl ConnectionTrait, org_id: Uuid, id: Uuid, lock: bool) -> Result<Quota, DomainError> {
    let mut q = quotas::Entity::find_by_id(id).filter(quotas::Column::OrgId.eq(org_id));
    if lock {
        q = q.lock_exclusive();
    }
    let m = q.one(conn).await.map_err(db_err)?.ok_or(DomainError::NotFound("quota"))?;
    to_domain(m)
}

/// Checks that a quota or adjustment target is an active user or a team
/// of the org.
///
/// # Errors
/// [`DomainError::Validation`] naming `user_id` or `team_id`.
pub(crate) async fn check_target(conn: &impl ConnectionTrait, scope: &Scope, target: QuotaTarget) -> Result<(), DomainError> {
    let org = scope.org_id;
    match target {
        QuotaTarget::User(id) => check(conn, org, &[("user_id", Some(id), Ref::User)]).await?,
        QuotaTarget::Team(id) => check(conn, org, &[("team_id", Some(id), Ref::Team)]).await?,
    }
    in_reach(conn, scope, target).await
}

/// Refuses a target outside a manager's reach (a user whose records they
/// do not see, a team outside their teams' subtrees) as `outside_reach`;
/// admins reach every target.
///
/// # Errors
/// [`DomainError::Validation`] naming `user_id` or `team_id`.
pub(crate) async fn in_reach(conn: &impl ConnectionTrait, scope: &Scope, target: QuotaTarget) -> Result<(), DomainError> {
    let reach = crate::visibility::Reach::of(conn, scope).await?;
    let (field, inside) = match (target, reach.aggregate_owners()) {
        (_, None) => return Ok(()),
        (QuotaTarget::User(u), Some(owners)) => ("user_id", owners.contains(&u)),
        (QuotaTarget::Team(t), Some(_)) => ("team_id", scope.visible_team_ids.contains(&t)),
    };
    if inside {
        return Ok(());
    }
    Err(DomainError::Validation(vec![glassbox_domain::FieldError::new(
        field,
        "outside_reach",
        "must be a user or team within your teams",
    )]))
}

fn require_planner(scope: &Scope) -> Result<(), DomainError> {
    match scope.role {
        Role::Admin | Role::Manager => Ok(()),
        _ => Err(DomainError::Forbidden("only admins and managers set quotas".into())),
    }
}

impl Store {
    /// Quotas of the org, by id, filtered.
    ///
    /// # Errors
    /// [`DomainError::Internal`] on storage failure.
    pub async fn list_quotas(&self, scope: &Scope, f: &QuotaFilter, page: PageRequest) -> Result<Page<Quota>, DomainError> {
        let mut q = quotas::Entity::find().filter(quotas::Column::OrgId.eq(scope.org_id));
        if let Some(user) = f.user_id {
            q = q
                .filter(quotas::Column::TargetKind.eq("user"))
                .filter(quotas::Column::TargetId.eq(user));
        }
        if let Some(team) = f.team_id {
            q = q
                .filter(quotas::Column::TargetKind.eq("team"))
                .filter(quotas::Column::TargetId.eq(team));
        }
        if let Some((kind, first_day)) = f.period {
            q = q
                .filter(quotas::Column::PeriodKind.eq(kind.as_str()))
                .filter(quotas::Column::FirstDay.eq(first_day));
        }
        if let Some(after) = page.after {
            q = q.filter(quotas::Column::Id.gt(after));
        }
        let rows = q
            .order_by_asc(quotas::Column::Id)
            .limit(page.limit.get() + 1)
            .all(self.conn())
            .await
            .map_err(db_err)?;
        let page = Page::from_overfetch(rows, page.limit, |r| r.id);
        page.try_map(to_domain)
    }

    /// One quota.
    ///
    /// # Errors
    /// [`DomainError::NotFound`].
    pub async fn get_quota(&self, scope: &Scope, id: Uuid) -> Result<Quota, DomainError> {
        find(self.conn(), scope.org_id, id, false).await
    }

    /// Inserts (`update` = `None`) or updates a quota (admins and managers).
    /// A quota may not overlap another of the same target and period length.
    ///
    /// # Errors
    /// [`DomainError::Forbidden`]; [`DomainError::StaleVersion`];
    /// [`DomainError::Validation`] naming `user_id` or `team_id` (not of the
    /// org) or `period` (`overlapping_quota`).
    pub async fn save_quota(&self, scope: &Scope, mut q: Quota, update: Option<Option<i64>>) -> Result<Quota, DomainError> {
        require_planner(scope)?;
        let txn = self.begin_write().await?;
        let now = self.now();
        q.org_id = scope.org_id;
        q.updated_at = now;
        match update {
            None => {
                check_target(&txn, scope, q.target).await?;
                let (kind, id) = q.target.stored();
                let same_target = quotas::Entity::find()
                    .filter(quotas::Column::OrgId.eq(scope.org_id))
                    .filter(quotas::Column::TargetKind.eq(kind))
                    .filter(quotas::Column::TargetId.eq(id))
                    .filter(quotas::Column::PeriodKind.eq(q.period.kind.as_str()))
                    .filter(quotas::Column::FirstDay.lte(q.last_day))
                    .filter(quotas::Column::LastDay.gte(q.first_day))
                    .one(&txn)
                    .await
                    .map_err(db_err)?;
                if let Some(other) = same_target {
                    return Err(DomainError::invalid(
                        "period",
                        "overlapping_quota",
                        format!("quota {} already covers these days for this target ({})", other.id, other.period),
                    ));
                }
                q.version = 1;
                q.created_at = now;
                row(&q).insert(&txn).await.map_err(db_err)?;
            }
            Some(if_match) => {
                let current = find(&txn, scope.org_id, q.id, true).await?;
                in_reach(&txn, scope, current.target).await?;
                check_version(if_match, current.version)?;
                if (current.amount_minor, &current.currency) == (q.amount_minor, &q.currency) {
                    return Ok(current); // nothing changed: no new version
                }
                q.version = current.version + 1;
                q.created_at = current.created_at;
                row(&q).update(&txn).await.map_err(db_err)?;
            }
        }
        txn.commit().await.map_err(db_err)?;
        Ok(q)
    }

    /// Deletes a quota (admins and managers), honouring `If-Match`.
    ///
    /// # Errors
    /// [`DomainError::NotFound`]; [`DomainError::Forbidden`];
    /// [`DomainError::StaleVersion`].
    pub async fn delete_quota(&self, scope: &Scope, id: Uuid, if_match: Option<i64>) -> Result<(), DomainError> {
        require_planner(scope)?;
        let txn = self.begin_write().await?;
        let current = find(&txn, scope.org_id, id, true).await?;
        in_reach(&txn, scope, current.target).await?;
        check_version(if_match, current.version)?;
        quotas::Entity::delete_by_id(id).exec(&txn).await.map_err(db_err)?;
        txn.commit().await.map_err(db_err)
    }
}
