//! Forecast wire types.

mod adjustment;
mod snapshot;

pub use adjustment::{AdjustmentDto, AdjustmentInput, AdjustmentList, AdjustmentQuery};
pub use snapshot::*;

use chrono::{DateTime, NaiveDate, Utc};
use glassbox_domain::DomainError;
use glassbox_domain::error::Errors;
use glassbox_domain::forecast::{FiscalPeriod, attainment, model};
use glassbox_domain::money::format_minor;
use glassbox_domain::org::Currency;
use glassbox_persistence::forecast::{ForecastQuery, ForecastReport, ForecastRow, GroupBy, RowKey};
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::analytics::{parse_as_of, ratio};

/// Forecast parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ForecastParams {
    /// Fiscal period: `2017` (year), `2017-Q3` (quarter) or `2017-M07`
    /// (month) of the org's fiscal calendar.
    #[param(example = "2017-Q3")]
    pub period: String,
    /// `owner`, `team` or `org` (default `org`).
    pub group_by: Option<String>,
    /// Only this team, its sub-teams and their members' deals.
    pub team_id: Option<Uuid>,
    /// Read deals as they stood then: an RFC 3339 timestamp or a date (end
    /// of that local day); default now, capped at now.
    pub as_of: Option<String>,
    /// Trailing window of closed history the history-based model learns
    /// from, in days (30–3650, default 365).
    pub window_days: Option<i64>,
}

impl ForecastParams {
    /// The persistence query.
    ///
    /// # Errors
    /// [`DomainError::Validation`] naming `period`, `group_by` or `as_of`.
    pub fn query(&self) -> Result<ForecastQuery, DomainError> {
        let mut errors = Errors::new();
        let period = errors.take(FiscalPeriod::parse("period", &self.period));
        let group_by = GroupBy::parse(self.group_by.as_deref().unwrap_or("org"));
        if group_by.is_none() {
            errors.push(glassbox_domain::FieldError::new(
                "group_by",
                "invalid_choice",
                "must be owner, team or org",
            ));
        }
        let as_of = errors.take(parse_as_of(self.as_of.as_deref())).flatten();
        let window_days = self.window_days.unwrap_or(model::DEFAULT_WINDOW_DAYS);
        errors.take(check_window(window_days));
        errors.finish()?;
        let (Some(period), Some(group_by)) = (period, group_by) else {
            return Err(DomainError::Internal("validated forecast query is incomplete".into()));
        };
        Ok(ForecastQuery {
            period,
            group_by,
            team_id: self.team_id,
            as_of,
            window_days,
        })
    }
}

/// Refuses a model window outside 30–3650 days.
///
/// # Errors
/// [`DomainError::Validation`] on `window_days`: `out_of_range`.
pub(crate) fn check_window(days: i64) -> Result<(), DomainError> {
    if (30..=3650).contains(&days) {
        Ok(())
    } else {
        Err(DomainError::invalid("window_days", "out_of_range", "must be from 30 to 3650 days"))
    }
}

/// One row: a deal owner's, a team's (members and sub-teams included) or
/// the org's figures, all decimal strings in the base currency.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ForecastRowDto {
    /// The owner (group_by=owner), else null.
    pub owner_id: Option<Uuid>,
    /// The team (group_by=team), else null.
    pub team_id: Option<Uuid>,
    /// Won within the period.
    #[schema(example = "120000.00")]
    pub closed_won: String,
    /// Closed won + open deals in Commit.
    pub commit: String,
    /// Commit + open deals in Best Case.
    pub best_case: String,
    /// Open deals not Omitted, closing in the period.
    pub pipeline: String,
    /// Σ amount × stage probability of the open deals closing in the
    /// period, rounded half away from zero.
    pub weighted: String,
    /// The quota (a team without one: the sum of its members'; the org:
    /// the sum of every user's); null without one.
    pub quota: Option<String>,
    /// closed_won / quota, 4 decimals; null without a positive quota.
    pub attainment: Option<f64>,
    /// quota − closed_won; null without a quota.
    pub gap_to_quota: Option<String>,
    /// The commit a manager put in force for this owner or team (the
    /// newest forecast adjustment), shown beside the computed `commit`;
    /// null without one.
    pub adjusted_commit: Option<String>,
    /// The best case a manager put in force; null without one.
    pub adjusted_best_case: Option<String>,
    /// History-based expected won revenue in the period from deals that
    /// exist at `as_of`: closed_won + Σ amount × P(won in the period |
    /// stage, days in stage) over open deals (see `model`).
    pub expected: String,
    /// Won revenue expected in the period from deals created from the day
    /// after `as_of` on, from the window's creation-to-win times (days) and
    /// amounts; reported apart from `expected`.
    pub expected_new: String,
    /// 10th percentile of the won revenue whose mean is `expected`.
    pub p10: String,
    /// Median of that won revenue.
    pub p50: String,
    /// 90th percentile of that won revenue.
    pub p90: String,
}

/// One (stage, age band) estimate of the history-based model.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ModelCellDto {
    /// An open stage.
    pub stage_id: Uuid,
    /// Days in the stage on `as_of`'s local day (today − the day entered):
    /// `0-7`, `7-14`, `14-30`, `30-60`, `60-90`, `90-180`, `180-365` or
    /// `365+`.
    pub age_band: String,
    /// Deals closed in the window that stayed at least the band's lower
    /// edge in the stage (n).
    pub closed_deals: u64,
    /// Of those, won on a day within the period (and not before today) once
    /// shifted to reach the band today (k).
    pub won_in_period: u64,
    /// The stage's configured probability, percent (the prior's mean).
    pub stage_probability: i32,
    /// (k + m × stage_probability / 100) / (n + m), 6 decimals.
    pub probability: f64,
}

/// The history-based model's method and evidence.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ForecastModelDto {
    /// Trailing window, days.
    pub window_days: i64,
    /// Where the history read starts: the start of the local day `as_of`'s
    /// day − window, or of the org's first opportunity's day when later. It
    /// ends at the start of `as_of`'s local day.
    pub history_from: DateTime<Utc>,
    /// Weight m of the Beta prior, in deals.
    pub prior_strength: i64,
    /// Monte Carlo draws behind p10/p50/p90 (fixed seed), or 0 where the
    /// normal approximation was used for very many deals.
    pub trials: usize,
    /// One estimate per open stage and age band.
    pub cells: Vec<ModelCellDto>,
}

/// A forecast of one fiscal period.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ForecastDto {
    /// The period label.
    pub period: String,
    /// Its first local day.
    pub first_day: NaiveDate,
    /// Its last local day, included.
    pub last_day: NaiveDate,
    /// Deals read as they stood at this instant.
    pub as_of: DateTime<Utc>,
    /// Currency of every amount (the org's base currency).
    pub currency: String,
    /// Currencies of deals (or quotas) left out because no exchange rate
    /// was valid on their close day; add rates to include them.
    pub missing_rates: Vec<String>,
    /// Rows by owner or team id (one for the org).
    pub rows: Vec<ForecastRowDto>,
    /// The org's row, or the `team_id` subtree's.
    pub total: ForecastRowDto,
    /// How `expected`, `expected_new` and p10/p50/p90 were estimated.
    pub model: ForecastModelDto,
}

impl ForecastDto {
    /// The wire form of `r`.
    pub fn new(r: ForecastReport) -> Self {
        let exponent = Currency::parse("currency", &r.currency).map(|c| c.exponent()).unwrap_or(2);
        let row = |row: ForecastRow| row_dto(row, exponent);
        Self {
            period: r.period.label(),
            first_day: r.days.0,
            last_day: r.days.1,
            as_of: r.as_of,
            currency: r.currency,
            missing_rates: r.missing_rates,
            rows: r.rows.into_iter().map(row).collect(),
            total: row(r.total),
            model: ForecastModelDto {
                window_days: r.model.window_days,
                history_from: r.model.history_from,
                prior_strength: model::PRIOR_STRENGTH,
                trials: r.model.trials,
                cells: r
                    .model
                    .cells
                    .into_iter()
                    .map(|(stage_id, band, cell)| ModelCellDto {
                        stage_id,
                        age_band: model::band_label(band),
                        closed_deals: cell.closed,
                        won_in_period: cell.won,
                        stage_probability: cell.stage_probability,
                        probability: cell.probability().round_dp(6).to_f64().unwrap_or_default(),
                    })
                    .collect(),
            },
        }
    }
}

fn row_dto(row: ForecastRow, exponent: u32) -> ForecastRowDto {
    let money = |m: i128| format_minor(m, exponent);
    let (owner_id, team_id) = match row.key {
        RowKey::Owner(u) => (Some(u), None),
        RowKey::Team(t) => (None, Some(t)),
        RowKey::Org => (None, None),
    };
    let f = row.figures;
    ForecastRowDto {
        owner_id,
        team_id,
        closed_won: money(f.closed_won),
        commit: money(f.commit),
        best_case: money(f.best_case),
        pipeline: money(f.pipeline),
        weighted: money(f.weighted()),
        quota: row.quota.map(money),
        attainment: ratio(attainment(f.closed_won, row.quota)),
        gap_to_quota: row.quota.map(|q| money(q - f.closed_won)),
        adjusted_commit: row.adjusted_commit.map(money),
        adjusted_best_case: row.adjusted_best_case.map(money),
        expected: money(row.expected),
        expected_new: money(row.expected_new),
        p10: money(row.range.p10),
        p50: money(row.range.p50),
        p90: money(row.range.p90),
    }
}
