//! Forecast wire types.

use chrono::{DateTime, NaiveDate, Utc};
use glassbox_domain::DomainError;
use glassbox_domain::error::Errors;
use glassbox_domain::forecast::{AdjustedCategory, FiscalPeriod, ForecastAdjustment, QuotaTarget, attainment};
use glassbox_domain::money::Money;
use glassbox_domain::money::format_minor;
use glassbox_domain::org::{Currency, Org, optional_text};
use glassbox_persistence::forecast::{ForecastQuery, ForecastReport, GroupBy, RowKey};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

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
}

impl ForecastParams {
    /// The persistence query.
    ///
    /// # Errors
    /// [`DomainError::Validation`] naming `period`, `group_by` or `as_of`.
    pub fn query(&self) -> Result<ForecastQuery, DomainError> {
        let mut errors = Errors::new();
        let period = errors.take(FiscalPeriod::parse("period", &self.period));
        let group_by = match self.group_by.as_deref() {
            None | Some("org") => Some(GroupBy::Org),
            Some("owner") => Some(GroupBy::Owner),
            Some("team") => Some(GroupBy::Team),
            Some(_) => {
                errors.push(glassbox_domain::FieldError::new(
                    "group_by",
                    "invalid_choice",
                    "must be owner, team or org",
                ));
                None
            }
        };
        let as_of = errors.take(parse_as_of(self.as_of.as_deref())).flatten();
        errors.finish()?;
        let (Some(period), Some(group_by)) = (period, group_by) else {
            return Err(DomainError::Internal("validated forecast query is incomplete".into()));
        };
        Ok(ForecastQuery {
            period,
            group_by,
            team_id: self.team_id,
            as_of,
        })
    }
}

/// One row: a deal owner's, a team's (members and sub-teams included) or
/// the org's figures, all decimal strings in the base currency.
#[derive(Debug, Serialize, ToSchema)]
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
}

/// A forecast of one fiscal period.
#[derive(Debug, Serialize, ToSchema)]
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
}

impl ForecastDto {
    /// The wire form of `r`.
    pub fn new(r: ForecastReport) -> Self {
        let exponent = Currency::parse("currency", &r.currency).map(|c| c.exponent()).unwrap_or(2);
        let money = |m: i128| format_minor(m, exponent);
        Self {
            period: r.period.label(),
            first_day: r.days.0,
            last_day: r.days.1,
            as_of: r.as_of,
            currency: r.currency,
            missing_rates: r.missing_rates,
            rows: r
                .rows
                .into_iter()
                .map(|row| {
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
                    }
                })
                .collect(),
        }
    }
}

/// A manager's override of a rep's or a team's commit or best case.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdjustmentDto {
    /// Id.
    pub id: Uuid,
    /// The user whose forecast is adjusted (or null).
    pub user_id: Option<Uuid>,
    /// The team whose forecast is adjusted (or null).
    pub team_id: Option<Uuid>,
    /// Fiscal period.
    pub period: String,
    /// `commit` or `best_case`.
    pub category: String,
    /// The value put in force, decimal string in `currency`.
    pub amount: String,
    /// The org's base currency.
    pub currency: String,
    /// Why.
    pub note: String,
    /// Who made it.
    pub author_id: Uuid,
    /// When.
    pub created_at: DateTime<Utc>,
}

impl From<ForecastAdjustment> for AdjustmentDto {
    fn from(a: ForecastAdjustment) -> Self {
        let (user_id, team_id) = a.target.ids();
        Self {
            id: a.id,
            user_id,
            team_id,
            period: a.period.label(),
            category: a.category.as_str().to_owned(),
            amount: super::opportunity::amount_string(a.amount_minor, &a.currency),
            currency: a.currency,
            note: a.note,
            author_id: a.author_id,
            created_at: a.created_at,
        }
    }
}

/// An adjustment to record: for exactly one of `user_id` and `team_id`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdjustmentInput {
    /// The user.
    pub user_id: Option<Uuid>,
    /// The team.
    pub team_id: Option<Uuid>,
    /// Fiscal period (`2017`, `2017-Q3`, `2017-M07`).
    #[schema(example = "2017-Q3")]
    pub period: String,
    /// `commit` or `best_case`.
    pub category: String,
    /// The value to put in force, decimal string in the base currency.
    #[schema(example = "180000.00")]
    pub amount: String,
    /// Why (1–2,000 characters).
    pub note: String,
}

impl AdjustmentInput {
    /// The adjustment for `org`.
    ///
    /// # Errors
    /// [`DomainError::Validation`] naming every bad field.
    pub fn parse(&self, org: &Org) -> Result<ForecastAdjustment, DomainError> {
        let mut errors = Errors::new();
        let target = errors.take(QuotaTarget::from_ids(self.user_id, self.team_id, false)).flatten();
        let period = errors.take(FiscalPeriod::parse("period", &self.period));
        let category = errors.take(AdjustedCategory::parse("category", &self.category));
        let base = Currency::parse("currency", &org.base_currency).map_err(|_| DomainError::Internal("bad base currency".into()))?;
        let amount = errors.take(Money::parse_amount("amount", &self.amount, base));
        let note = errors.take(optional_text("note", Some(&self.note), 2000, true)).flatten();
        if note.is_none() && self.note.trim().is_empty() {
            errors.push(glassbox_domain::FieldError::new(
                "note",
                "required",
                "say why the forecast is adjusted",
            ));
        }
        let start = super::quota::fiscal_start(org)?;
        errors.finish()?;
        let (Some(target), Some(period), Some(category), Some(amount), Some(note)) = (target, period, category, amount, note) else {
            return Err(DomainError::Internal("validated adjustment is incomplete".into()));
        };
        Ok(ForecastAdjustment {
            id: Uuid::now_v7(),
            org_id: org.id,
            target,
            first_day: period.first_day(start),
            period,
            category,
            amount_minor: amount.minor(),
            currency: base.code().to_owned(),
            note,
            author_id: Uuid::nil(),
            created_at: org.created_at,
        })
    }
}

/// Adjustment history filters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AdjustmentQuery {
    /// Only this fiscal period.
    pub period: Option<String>,
    /// Only this user's.
    pub user_id: Option<Uuid>,
    /// Only this team's.
    pub team_id: Option<Uuid>,
}

/// Adjustment history, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdjustmentList {
    /// Newest first.
    pub data: Vec<AdjustmentDto>,
}
