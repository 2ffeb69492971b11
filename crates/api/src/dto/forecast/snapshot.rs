//! Forecast snapshot, schedule, accuracy and back-test wire types.

use chrono::{DateTime, NaiveDate, Utc};
use glassbox_domain::DomainError;
use glassbox_domain::error::Errors;
use glassbox_domain::forecast::accuracy::{Accuracy, Method, mape};
use glassbox_domain::forecast::snapshot::Frequency;
use glassbox_domain::forecast::{FiscalPeriod, PeriodKind, model};
use glassbox_domain::money::format_minor;
use glassbox_domain::org::Currency;
use glassbox_persistence::forecast::{BacktestPoint, BacktestQuery, GroupBy, Schedule, Snapshot, SnapshotAccuracy};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::{ForecastDto, ForecastParams};

fn money(m: i128, currency: &str) -> String {
    format_minor(m, Currency::parse("currency", currency).map(|c| c.exponent()).unwrap_or(2))
}

/// A snapshot to take now: the forecast parameters of `GET /forecasts`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SnapshotInput {
    /// Fiscal period (`2017`, `2017-Q3`, `2017-M07`).
    #[schema(example = "2017-Q3")]
    pub period: String,
    /// `owner`, `team` or `org` (default `org`).
    pub group_by: Option<String>,
    /// Only this team subtree.
    pub team_id: Option<Uuid>,
    /// The forecast as it stood then (default now).
    pub as_of: Option<String>,
}

impl SnapshotInput {
    /// The same request as forecast parameters.
    pub fn params(&self) -> ForecastParams {
        ForecastParams {
            period: self.period.clone(),
            group_by: self.group_by.clone(),
            team_id: self.team_id,
            as_of: self.as_of.clone(),
            window_days: None,
        }
    }
}

/// A kept forecast, without the forecast itself.
#[derive(Debug, Serialize, ToSchema)]
pub struct SnapshotSummaryDto {
    /// Id.
    pub id: Uuid,
    /// Fiscal period.
    pub period: String,
    /// The team subtree forecast, or null for the org.
    pub team_id: Option<Uuid>,
    /// Row grouping kept.
    pub group_by: String,
    /// The moment the forecast stood at.
    pub as_of: DateTime<Utc>,
    /// When it was kept.
    pub taken_at: DateTime<Utc>,
    /// `manual` or `scheduled`.
    pub trigger: String,
    /// Who took it (null: the schedule).
    pub taken_by: Option<Uuid>,
}

impl From<&Snapshot> for SnapshotSummaryDto {
    fn from(s: &Snapshot) -> Self {
        Self {
            id: s.id,
            period: s.draft.period.label(),
            team_id: s.draft.team_id,
            group_by: s.draft.group_by.as_str().to_owned(),
            as_of: s.draft.as_of,
            taken_at: s.taken_at,
            trigger: if s.draft.scheduled_for.is_some() { "scheduled" } else { "manual" }.to_owned(),
            taken_by: s.taken_by,
        }
    }
}

/// A kept forecast.
#[derive(Debug, Serialize, ToSchema)]
pub struct SnapshotDto {
    /// What and when.
    #[serde(flatten)]
    pub summary: SnapshotSummaryDto,
    /// The forecast exactly as `GET /forecasts` answered then.
    pub forecast: ForecastDto,
}

impl SnapshotDto {
    /// The wire form of `s`.
    ///
    /// # Errors
    /// [`DomainError::Internal`] when the stored forecast does not parse.
    pub fn new(s: &Snapshot) -> Result<Self, DomainError> {
        Ok(Self {
            summary: SnapshotSummaryDto::from(s),
            forecast: serde_json::from_str(&s.draft.body).map_err(|e| DomainError::Internal(format!("stored snapshot body: {e}")))?,
        })
    }
}

/// Snapshots, oldest `as_of` first.
#[derive(Debug, Serialize, ToSchema)]
pub struct SnapshotList {
    /// Oldest first (at most 1,000).
    pub data: Vec<SnapshotSummaryDto>,
}

/// Snapshot filter.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SnapshotQuery {
    /// Only this fiscal period.
    pub period: Option<String>,
}

/// The org's snapshot schedule.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScheduleDto {
    /// `daily`, `weekly` (Mondays) or `monthly` (the 1st), at local
    /// midnight.
    pub frequency: String,
    /// Each run keeps the forecast of the `month`, `quarter` or `year`
    /// containing its local day.
    pub period_kind: String,
    /// `owner`, `team` or `org`.
    pub group_by: String,
    /// When the next run is due.
    pub next_run_at: DateTime<Utc>,
}

/// A snapshot schedule to set.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleInput {
    /// `daily`, `weekly` (Mondays) or `monthly` (the 1st), at local
    /// midnight.
    #[schema(example = "weekly")]
    pub frequency: String,
    /// Each run keeps the forecast of the `month`, `quarter` (default) or
    /// `year` containing its local day.
    pub period_kind: Option<String>,
    /// `owner` (default), `team` or `org`.
    pub group_by: Option<String>,
}

impl ScheduleInput {
    /// The parsed schedule.
    ///
    /// # Errors
    /// [`DomainError::Validation`] naming each bad field.
    pub fn parse(&self) -> Result<(Frequency, PeriodKind, GroupBy), DomainError> {
        let mut errors = Errors::new();
        let frequency = errors.take(Frequency::parse("frequency", &self.frequency));
        let kind = errors.take(PeriodKind::parse("period_kind", self.period_kind.as_deref().unwrap_or("quarter")));
        let group_by = GroupBy::parse(self.group_by.as_deref().unwrap_or("owner"));
        if group_by.is_none() {
            errors.push(glassbox_domain::FieldError::new(
                "group_by",
                "invalid_choice",
                "must be owner, team or org",
            ));
        }
        errors.finish()?;
        match (frequency, kind, group_by) {
            (Some(f), Some(k), Some(g)) => Ok((f, k, g)),
            _ => Err(DomainError::Internal("validated schedule is incomplete".into())),
        }
    }
}

impl From<Schedule> for ScheduleDto {
    fn from(s: Schedule) -> Self {
        Self {
            frequency: s.frequency.as_str().to_owned(),
            period_kind: s.period_kind.as_str().to_owned(),
            group_by: s.group_by.as_str().to_owned(),
            next_run_at: s.next_run_at,
        }
    }
}

/// One method's forecast against the actual.
#[derive(Debug, Serialize, ToSchema)]
pub struct MethodAccuracyDto {
    /// `weighted` (closed won + weighted), `history` (expected +
    /// expected_new), `commit` or `best_case`.
    pub method: String,
    /// What it forecast.
    pub forecast: String,
    /// forecast − actual.
    pub error: String,
    /// |error| / actual, 4 decimals; null when nothing was won.
    pub absolute_percentage_error: Option<f64>,
}

fn methods(all: &[Accuracy], currency: &str) -> Vec<MethodAccuracyDto> {
    all.iter()
        .map(|a| MethodAccuracyDto {
            method: a.method.as_str().to_owned(),
            forecast: money(a.forecast, currency),
            error: money(a.error(), currency),
            absolute_percentage_error: super::ratio(a.absolute_percentage_error()),
        })
        .collect()
}

/// One method's mean absolute percentage error.
#[derive(Debug, Serialize, ToSchema)]
pub struct MapeDto {
    /// The method.
    pub method: String,
    /// Mean of the defined absolute percentage errors, 4 decimals; null
    /// when none is defined.
    pub mape: Option<f64>,
    /// How many forecasts it averages (those whose actual is not zero).
    pub forecasts: usize,
}

fn summary(all: &[Accuracy]) -> Vec<MapeDto> {
    Method::ALL
        .iter()
        .map(|m| {
            let (value, n) = mape(all, *m);
            MapeDto {
                method: m.as_str().to_owned(),
                mape: super::ratio(value),
                forecasts: n,
            }
        })
        .collect()
}

/// One snapshot measured.
#[derive(Debug, Serialize, ToSchema)]
pub struct SnapshotAccuracyDto {
    /// The snapshot.
    pub snapshot: SnapshotSummaryDto,
    /// Won in the period as known now, in the snapshot's scope.
    pub actual: String,
    /// Each method.
    pub methods: Vec<MethodAccuracyDto>,
}

/// Every snapshot of a period against what was won.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccuracyDto {
    /// The period.
    pub period: String,
    /// Currency of every amount.
    pub currency: String,
    /// Oldest `as_of` first.
    pub data: Vec<SnapshotAccuracyDto>,
    /// Each method's MAPE over them.
    pub mape: Vec<MapeDto>,
}

impl AccuracyDto {
    /// The wire form.
    pub fn new(period: FiscalPeriod, currency: String, rows: Vec<SnapshotAccuracy>) -> Self {
        let all: Vec<Accuracy> = rows.iter().flat_map(|r| r.methods.iter().copied()).collect();
        Self {
            period: period.label(),
            data: rows
                .iter()
                .map(|r| SnapshotAccuracyDto {
                    snapshot: SnapshotSummaryDto::from(&r.snapshot),
                    actual: money(r.actual, &currency),
                    methods: methods(&r.methods, &currency),
                })
                .collect(),
            mape: summary(&all),
            currency,
        }
    }
}

/// Accuracy parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AccuracyParams {
    /// The fiscal period.
    #[param(example = "2017-Q3")]
    pub period: String,
}

/// Back-test parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct BacktestParams {
    /// A day of the first month whose month-end is replayed.
    #[param(example = "2017-01-01")]
    pub from: NaiveDate,
    /// A day of the last month (at most 120 months after `from`; month-ends
    /// after today are skipped).
    #[param(example = "2017-12-31")]
    pub to: NaiveDate,
    /// Only this team subtree.
    pub team_id: Option<Uuid>,
    /// The history-based model's window, days (30–3650, default 365).
    pub window_days: Option<i64>,
}

impl BacktestParams {
    /// The persistence query.
    ///
    /// # Errors
    /// [`DomainError::Validation`] naming `window_days`.
    pub fn query(&self) -> Result<BacktestQuery, DomainError> {
        let window_days = self.window_days.unwrap_or(model::DEFAULT_WINDOW_DAYS);
        super::check_window(window_days)?;
        Ok(BacktestQuery {
            from: self.from,
            to: self.to,
            team_id: self.team_id,
            window_days,
        })
    }
}

/// One replayed month-end.
#[derive(Debug, Serialize, ToSchema)]
pub struct BacktestPointDto {
    /// The month-end (forecast as of the end of that local day).
    pub as_of: NaiveDate,
    /// The fiscal quarter after it.
    pub period: String,
    /// Won in that quarter, as known now.
    pub actual: String,
    /// Each method's forecast then.
    pub methods: Vec<MethodAccuracyDto>,
}

/// A back-test: each month-end's forecast of the next fiscal quarter by
/// every method, against what was won.
#[derive(Debug, Serialize, ToSchema)]
pub struct BacktestDto {
    /// Currency of every amount.
    pub currency: String,
    /// One per month-end.
    pub points: Vec<BacktestPointDto>,
    /// Each method's MAPE over the points with a nonzero actual.
    pub mape: Vec<MapeDto>,
}

impl BacktestDto {
    /// The wire form.
    pub fn new(currency: String, points: Vec<BacktestPoint>) -> Self {
        let all: Vec<Accuracy> = points.iter().flat_map(|p| p.methods.iter().copied()).collect();
        Self {
            points: points
                .iter()
                .map(|p| BacktestPointDto {
                    as_of: p.as_of,
                    period: p.period.label(),
                    actual: money(p.actual, &currency),
                    methods: methods(&p.methods, &currency),
                })
                .collect(),
            mape: summary(&all),
            currency,
        }
    }
}
