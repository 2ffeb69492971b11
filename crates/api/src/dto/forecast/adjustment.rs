//! Forecast adjustment wire types.

use chrono::{DateTime, Utc};
use glassbox_domain::DomainError;
use glassbox_domain::error::Errors;
use glassbox_domain::forecast::{AdjustedCategory, FiscalPeriod, ForecastAdjustment, QuotaTarget};
use glassbox_domain::money::Money;
use glassbox_domain::org::{Currency, Org, optional_text};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

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
            amount: super::super::opportunity::amount_string(a.amount_minor, &a.currency),
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
        let start = super::super::quota::fiscal_start(org)?;
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
