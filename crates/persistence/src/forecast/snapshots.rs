//! Forecast snapshots: a forecast kept as of a moment, on demand or on the
//! org's schedule, with each method's total for the accuracy report.

use chrono::{DateTime, NaiveDate, Utc};
use glassbox_domain::forecast::accuracy::MethodForecasts;
use glassbox_domain::forecast::snapshot::Frequency;
use glassbox_domain::forecast::{FiscalPeriod, PeriodKind};
use glassbox_domain::user::Role;
use glassbox_domain::{DomainError, Scope};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::report::GroupBy;
use crate::Store;
use crate::entities::{forecast_snapshot_schedules as sched, forecast_snapshots as snap};
use crate::error::db_err;

/// A snapshot to keep.
#[derive(Debug, Clone)]
pub struct SnapshotDraft {
    /// The period forecast.
    pub period: FiscalPeriod,
    /// Its first local day.
    pub first_day: NaiveDate,
    /// The team subtree forecast, or the whole org.
    pub team_id: Option<Uuid>,
    /// Row grouping of `body`.
    pub group_by: GroupBy,
    /// The moment the forecast stood at.
    pub as_of: DateTime<Utc>,
    /// The scheduled run it is, if scheduled.
    pub scheduled_for: Option<DateTime<Utc>>,
    /// Base currency.
    pub currency: String,
    /// Closed won at `as_of`, minor units.
    pub closed_won: i128,
    /// Each method's forecast of the total, minor units.
    pub forecasts: MethodForecasts,
    /// The whole forecast as served (JSON).
    pub body: String,
}

/// A kept snapshot.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// Id.
    pub id: Uuid,
    /// Who took it (`None`: the schedule).
    pub taken_by: Option<Uuid>,
    /// When it was taken.
    pub taken_at: DateTime<Utc>,
    /// What was kept.
    pub draft: SnapshotDraft,
}

fn to_i64(v: i128) -> Result<i64, DomainError> {
    i64::try_from(v).map_err(|_| DomainError::Internal("a forecast total exceeds 64 bits".into()))
}

fn to_snapshot(m: snap::Model) -> Result<Snapshot, DomainError> {
    let corrupt = || DomainError::Internal("stored forecast snapshot is bad".into());
    Ok(Snapshot {
        id: m.id,
        taken_by: m.taken_by,
        taken_at: m.taken_at,
        draft: SnapshotDraft {
            period: FiscalPeriod::parse("period", &m.period).map_err(|_| corrupt())?,
            first_day: m.first_day,
            team_id: m.team_id,
            group_by: GroupBy::parse(&m.group_by).ok_or_else(corrupt)?,
            as_of: m.as_of,
            scheduled_for: m.scheduled_for,
            currency: m.currency,
            closed_won: i128::from(m.closed_won),
            forecasts: MethodForecasts {
                weighted: i128::from(m.weighted_forecast),
                history: i128::from(m.history_forecast),
                commit: i128::from(m.commit_forecast),
                best_case: i128::from(m.best_case_forecast),
            },
            body: m.body,
        },
    })
}

/// An org's snapshot schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    /// How often.
    pub frequency: Frequency,
    /// Which period each run forecasts: the one of this length containing
    /// the run's local day.
    pub period_kind: PeriodKind,
    /// Row grouping kept.
    pub group_by: GroupBy,
    /// When the next run is due.
    pub next_run_at: DateTime<Utc>,
}

/// A scheduled run this server claimed.
#[derive(Debug, Clone, Copy)]
pub struct ClaimedRun {
    /// Whose.
    pub org_id: Uuid,
    /// The run's due instant (unique per org).
    pub scheduled_for: DateTime<Utc>,
    /// What to forecast.
    pub schedule: Schedule,
    /// The period of `schedule.period_kind` containing the run's local day.
    pub period: FiscalPeriod,
}

fn to_schedule(m: &sched::Model) -> Result<Schedule, DomainError> {
    let corrupt = || DomainError::Internal("stored snapshot schedule is bad".into());
    Ok(Schedule {
        frequency: Frequency::parse("frequency", &m.frequency).map_err(|_| corrupt())?,
        period_kind: PeriodKind::parse("period_kind", &m.period_kind).map_err(|_| corrupt())?,
        group_by: GroupBy::parse(&m.group_by).ok_or_else(corrupt)?,
        next_run_at: m.next_run_at,
    })
}

fn require_planner(scope: &Scope) -> Result<(), DomainError> {
    match scope.role {
        Role::Admin | Role::Manager => Ok(()),
        _ => Err(DomainError::Forbidden("only admins and managers keep forecast snapshots".into())),
    }
}

impl Store {
    /// Keeps a snapshot (taken by the caller, or by the schedule when
    /// `draft.scheduled_for` is set).
    ///
    /// # Errors
    /// [`DomainError::Forbidden`] for roles other than admin and manager;
    /// [`DomainError::Conflict`] when that scheduled run is already kept.
    pub async fn save_forecast_snapshot(&self, scope: &Scope, draft: SnapshotDraft) -> Result<Snapshot, DomainError> {
        require_planner(scope)?;
        let s = Snapshot {
            id: Uuid::now_v7(),
            taken_by: draft.scheduled_for.is_none().then_some(scope.user_id),
            taken_at: self.now(),
            draft,
        };
        let d = &s.draft;
        snap::ActiveModel {
            id: Set(s.id),
            org_id: Set(scope.org_id),
            period_kind: Set(d.period.kind.as_str().to_owned()),
            period: Set(d.period.label()),
            first_day: Set(d.first_day),
            team_id: Set(d.team_id),
            group_by: Set(d.group_by.as_str().to_owned()),
            as_of: Set(d.as_of),
            taken_at: Set(s.taken_at),
            trigger: Set(if d.scheduled_for.is_some() { "scheduled" } else { "manual" }.to_owned()),
            taken_by: Set(s.taken_by),
            scheduled_for: Set(d.scheduled_for),
            currency: Set(d.currency.clone()),
            closed_won: Set(to_i64(d.closed_won)?),
            weighted_forecast: Set(to_i64(d.forecasts.weighted)?),
            history_forecast: Set(to_i64(d.forecasts.history)?),
            commit_forecast: Set(to_i64(d.forecasts.commit)?),
            best_case_forecast: Set(to_i64(d.forecasts.best_case)?),
            body: Set(d.body.clone()),
        }
        .insert(self.conn())
        .await
        .map_err(db_err)?;
        Ok(s)
    }

    /// Snapshots of a period (all when `None`), oldest `as_of` first: an
    /// admin reads every snapshot, a manager the ones they took (a
    /// snapshot holds whatever its taker could see).
    ///
    /// # Errors
    /// [`DomainError::Forbidden`] for roles other than admin and manager.
    pub async fn list_forecast_snapshots(
        &self,
        scope: &Scope,
        period: Option<(PeriodKind, NaiveDate)>,
    ) -> Result<Vec<Snapshot>, DomainError> {
        require_planner(scope)?;
        let mut q = snap::Entity::find().filter(snap::Column::OrgId.eq(scope.org_id));
        if !scope.is_admin() {
            q = q.filter(snap::Column::TakenBy.eq(scope.user_id));
        }
        if let Some((kind, first_day)) = period {
            q = q
                .filter(snap::Column::PeriodKind.eq(kind.as_str()))
                .filter(snap::Column::FirstDay.eq(first_day));
        }
        q.order_by_asc(snap::Column::AsOf)
            .order_by_asc(snap::Column::Id)
            .limit(1000)
            .all(self.conn())
            .await
            .map_err(db_err)?
            .into_iter()
            .map(to_snapshot)
            .collect()
    }

    /// One snapshot (admins: any; managers: their own).
    ///
    /// # Errors
    /// [`DomainError::NotFound`] when absent, another org's, or (for a
    /// manager) another's; [`DomainError::Forbidden`] for other roles.
    pub async fn forecast_snapshot(&self, scope: &Scope, id: Uuid) -> Result<Snapshot, DomainError> {
        require_planner(scope)?;
        let mut q = snap::Entity::find_by_id(id).filter(snap::Column::OrgId.eq(scope.org_id));
        if !scope.is_admin() {
            q = q.filter(snap::Column::TakenBy.eq(scope.user_id));
        }
        let m = q
            .one(self.conn())
            .await
            .map_err(db_err)?
            .ok_or(DomainError::NotFound("forecast snapshot"))?;
        to_snapshot(m)
    }

    /// The org's snapshot schedule, if any.
    ///
    /// # Errors
    /// [`DomainError::Internal`] on storage failure.
    pub async fn snapshot_schedule(&self, scope: &Scope) -> Result<Option<Schedule>, DomainError> {
        sched::Entity::find()
            .filter(sched::Column::OrgId.eq(scope.org_id))
            .one(self.conn())
            .await
            .map_err(db_err)?
            .as_ref()
            .map(to_schedule)
            .transpose()
    }

    /// Sets (or with `None` removes) the org's schedule; the first run is
    /// the next one after now in the org's time zone.
    ///
    /// # Errors
    /// [`DomainError::Forbidden`] for non-admins.
    pub async fn set_snapshot_schedule(
        &self,
        scope: &Scope,
        schedule: Option<(Frequency, PeriodKind, GroupBy)>,
    ) -> Result<Option<Schedule>, DomainError> {
        if !scope.is_admin() {
            return Err(DomainError::Forbidden("only admins set the snapshot schedule".into()));
        }
        let txn = self.begin_write().await?;
        sched::Entity::delete_many()
            .filter(sched::Column::OrgId.eq(scope.org_id))
            .exec(&txn)
            .await
            .map_err(db_err)?;
        let out = match schedule {
            None => None,
            Some((frequency, period_kind, group_by)) => {
                let tz = crate::calendars::org_time_zone(&txn, scope.org_id).await?;
                let now = self.now();
                let s = Schedule {
                    frequency,
                    period_kind,
                    group_by,
                    next_run_at: frequency.next_run(now, tz),
                };
                sched::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    org_id: Set(scope.org_id),
                    frequency: Set(frequency.as_str().to_owned()),
                    period_kind: Set(period_kind.as_str().to_owned()),
                    group_by: Set(group_by.as_str().to_owned()),
                    next_run_at: Set(s.next_run_at),
                    updated_at: Set(now),
                }
                .insert(&txn)
                .await
                .map_err(db_err)?;
                Some(s)
            }
        };
        txn.commit().await.map_err(db_err)?;
        Ok(out)
    }

    /// Claims the scheduled runs due by now, at most `limit`: each run is
    /// moved to its next due instant with a compare-and-set on the stored
    /// one, so of several servers polling the same database exactly one
    /// claims it.
    ///
    /// # Errors
    /// [`DomainError::Internal`] on storage failure.
    pub async fn claim_due_snapshot_runs(&self, limit: u64) -> Result<Vec<ClaimedRun>, DomainError> {
        let now = self.now();
        let due = sched::Entity::find()
            .filter(sched::Column::NextRunAt.lte(now))
            .order_by_asc(sched::Column::NextRunAt)
            .limit(limit)
            .all(self.conn())
            .await
            .map_err(db_err)?;
        let mut claimed = Vec::new();
        for m in due {
            let schedule = to_schedule(&m)?;
            let org = super::deals::org_settings(self.conn(), m.org_id).await?;
            let next = schedule.frequency.next_run(now, org.tz);
            let moved = sched::Entity::update_many()
                .col_expr(sched::Column::NextRunAt, sea_orm::sea_query::Expr::value(next))
                .filter(sched::Column::Id.eq(m.id))
                .filter(sched::Column::NextRunAt.eq(m.next_run_at))
                .exec(self.conn())
                .await
                .map_err(db_err)?;
            if moved.rows_affected == 1 {
                let day = m.next_run_at.with_timezone(&org.tz.tz()).date_naive();
                claimed.push(ClaimedRun {
                    org_id: m.org_id,
                    scheduled_for: m.next_run_at,
                    schedule,
                    period: FiscalPeriod::containing(schedule.period_kind, day, org.start),
                });
            }
        }
        Ok(claimed)
    }
}
