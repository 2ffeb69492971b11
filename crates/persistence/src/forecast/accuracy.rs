//! Forecast accuracy: kept snapshots against what was then won, and the
//! back-test that replays history month-end by month-end.

use std::collections::HashMap;

use chrono::NaiveDate;
use glassbox_domain::analytics::AsOf;
use glassbox_domain::forecast::accuracy::{self, Accuracy, MethodForecasts};
use glassbox_domain::forecast::{FiscalPeriod, PeriodKind};
use glassbox_domain::{DomainError, Scope};
use uuid::Uuid;

use super::deals::org_settings;
use super::report::{ForecastQuery, GroupBy};
use super::snapshots::Snapshot;
use crate::Store;

/// One snapshot measured against the actual closed won of its period.
#[derive(Debug, Clone)]
pub struct SnapshotAccuracy {
    /// The snapshot.
    pub snapshot: Snapshot,
    /// Won in the period as known now, same org or team scope.
    pub actual: i128,
    /// Each method's accuracy.
    pub methods: Vec<Accuracy>,
}

/// One month-end of a back-test.
#[derive(Debug, Clone)]
pub struct BacktestPoint {
    /// The month-end the forecast was made at (end of that local day).
    pub as_of: NaiveDate,
    /// The fiscal quarter after it.
    pub period: FiscalPeriod,
    /// What each method forecast then.
    pub forecasts: MethodForecasts,
    /// Won in that quarter, as known now.
    pub actual: i128,
    /// Each method's accuracy.
    pub methods: Vec<Accuracy>,
}

/// What a back-test replays.
#[derive(Debug, Clone, Copy)]
pub struct BacktestQuery {
    /// First month (its month-end is the first forecast).
    pub from: NaiveDate,
    /// Last month.
    pub to: NaiveDate,
    /// Only this team subtree.
    pub team_id: Option<Uuid>,
    /// The history-based model's window, days.
    pub window_days: i64,
}

impl Store {
    /// Won revenue in `period` as known now, of the org or a team subtree.
    async fn actual_won(&self, scope: &Scope, period: FiscalPeriod, team_id: Option<Uuid>, window_days: i64) -> Result<i128, DomainError> {
        let q = ForecastQuery {
            period,
            group_by: GroupBy::Org,
            team_id,
            as_of: None,
            window_days,
        };
        Ok(self.forecast(scope, &q).await?.total.figures.closed_won)
    }

    /// Every snapshot of a period, each method's forecast against the
    /// closed won of the period as known now (see
    /// [`glassbox_domain::forecast::accuracy`]).
    ///
    /// # Errors
    /// As [`Store::list_forecast_snapshots`] and [`Store::forecast`].
    pub async fn forecast_accuracy(&self, scope: &Scope, period: FiscalPeriod) -> Result<Vec<SnapshotAccuracy>, DomainError> {
        let org = org_settings(self.conn(), scope.org_id).await?;
        let snapshots = self
            .list_forecast_snapshots(scope, Some((period.kind, period.first_day(org.start))))
            .await?;
        let mut actuals: HashMap<Option<Uuid>, i128> = HashMap::new();
        let mut out = Vec::with_capacity(snapshots.len());
        for snapshot in snapshots {
            let team = snapshot.draft.team_id;
            let actual = match actuals.get(&team) {
                Some(a) => *a,
                None => {
                    // A team deleted since leaves its snapshots unmeasured
                    // rather than failing the report.
                    let a = match self
                        .actual_won(scope, period, team, glassbox_domain::forecast::model::DEFAULT_WINDOW_DAYS)
                        .await
                    {
                        Err(DomainError::Validation(_)) => continue,
                        other => other?,
                    };
                    actuals.insert(team, a);
                    a
                }
            };
            out.push(SnapshotAccuracy {
                methods: accuracy::measure(&snapshot.draft.forecasts, actual),
                actual,
                snapshot,
            });
        }
        Ok(out)
    }

    /// Replays history: at the end of every month from `from` to `to`, the
    /// forecast of the next fiscal quarter with each method, against what
    /// that quarter actually won; month-ends whose next quarter has not
    /// ended by today are left out (its actual is not known yet).
    ///
    /// # Errors
    /// [`DomainError::Validation`] naming `from`, `to` or `team_id`.
    pub async fn forecast_backtest(&self, scope: &Scope, q: &BacktestQuery) -> Result<Vec<BacktestPoint>, DomainError> {
        let ends = accuracy::month_ends(q.from, q.to)?;
        let org = org_settings(self.conn(), scope.org_id).await?;
        let today = self.now().with_timezone(&org.tz.tz()).date_naive();
        let mut actuals: HashMap<FiscalPeriod, i128> = HashMap::new();
        let mut out = Vec::new();
        for day in ends.into_iter().filter(|d| *d <= today) {
            let current = FiscalPeriod::containing(PeriodKind::Quarter, day, org.start);
            let after = current.last_day(org.start).succ_opt().unwrap_or(day);
            let period = FiscalPeriod::containing(PeriodKind::Quarter, after, org.start);
            if period.last_day(org.start) >= today {
                continue;
            }
            let report = self
                .forecast(
                    scope,
                    &ForecastQuery {
                        period,
                        group_by: GroupBy::Org,
                        team_id: q.team_id,
                        as_of: Some(AsOf::Date(day)),
                        window_days: q.window_days,
                    },
                )
                .await?;
            let actual = match actuals.get(&period) {
                Some(a) => *a,
                None => {
                    let a = self.actual_won(scope, period, q.team_id, q.window_days).await?;
                    actuals.insert(period, a);
                    a
                }
            };
            let forecasts = report.total.method_forecasts();
            out.push(BacktestPoint {
                as_of: day,
                period,
                methods: accuracy::measure(&forecasts, actual),
                forecasts,
                actual,
            });
        }
        Ok(out)
    }
}
