//! Quota and exchange-rate wire types.

use chrono::{DateTime, NaiveDate, Utc};
use glassbox_domain::DomainError;
use glassbox_domain::error::Errors;
use glassbox_domain::forecast::{ExchangeRate, FiscalPeriod, Quota, QuotaTarget, Rate};
use glassbox_domain::money::Money;
use glassbox_domain::org::{Currency, FiscalYearStartMonth, Org};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::opportunity::amount_string;

/// A quota: what a user or a team is expected to win in a fiscal period.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuotaDto {
    /// Id.
    pub id: Uuid,
    /// The user it is for (or null for a team quota).
    pub user_id: Option<Uuid>,
    /// The team it is for (or null for a user quota). A team without a
    /// quota for a period is measured against the sum of its members'.
    pub team_id: Option<Uuid>,
    /// Fiscal period: `2017` (year), `2017-Q3` (quarter) or `2017-M07`
    /// (month), counted from the org's fiscal year start; a fiscal year is
    /// named by the calendar year it starts in.
    #[schema(example = "2017-Q3")]
    pub period: String,
    /// `month`, `quarter` or `year`.
    pub period_kind: String,
    /// First local day of the period.
    pub first_day: NaiveDate,
    /// Last local day, included.
    pub last_day: NaiveDate,
    /// Amount, decimal string in `currency`.
    #[schema(example = "250000.00")]
    pub amount: String,
    /// ISO 4217 currency.
    pub currency: String,
    /// Version; also the ETag.
    pub version: i64,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl From<Quota> for QuotaDto {
    fn from(q: Quota) -> Self {
        let (user_id, team_id) = q.target.ids();
        Self {
            id: q.id,
            user_id,
            team_id,
            period: q.period.label(),
            period_kind: q.period.kind.as_str().to_owned(),
            first_day: q.first_day,
            last_day: q.last_day,
            amount: amount_string(q.amount_minor, &q.currency),
            currency: q.currency,
            version: q.version,
            created_at: q.created_at,
            updated_at: q.updated_at,
        }
    }
}

/// The org's fiscal year start month.
pub fn fiscal_start(org: &Org) -> Result<FiscalYearStartMonth, DomainError> {
    FiscalYearStartMonth::parse("fiscal_year_start_month", i64::from(org.fiscal_year_start_month))
        .map_err(|_| DomainError::Internal("stored fiscal year start is bad".into()))
}

/// A quota to set: for exactly one of `user_id` and `team_id`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewQuotaInput {
    /// Client id.
    pub id: Option<Uuid>,
    /// The user (an active user of the org).
    pub user_id: Option<Uuid>,
    /// The team (a team of the org).
    pub team_id: Option<Uuid>,
    /// Fiscal period: `2017`, `2017-Q3` or `2017-M07`.
    #[schema(example = "2017-Q3")]
    pub period: String,
    /// Amount, decimal string.
    #[schema(example = "250000.00", pattern = "^[0-9]+(\\.[0-9]+)?$")]
    pub amount: String,
    /// ISO 4217 currency; default the org's base currency.
    #[schema(pattern = "^[A-Z]{3}$")]
    pub currency: Option<String>,
}

impl NewQuotaInput {
    /// The quota for `org`.
    ///
    /// # Errors
    /// [`DomainError::Validation`] naming every bad field.
    pub fn parse(&self, org: &Org) -> Result<Quota, DomainError> {
        let mut errors = Errors::new();
        let id = errors.take(glassbox_domain::id::new_record_id("id", self.id));
        let target = errors.take(QuotaTarget::from_ids(self.user_id, self.team_id, false)).flatten();
        let period = errors.take(FiscalPeriod::parse("period", &self.period));
        let currency = errors.take(Currency::parse("currency", self.currency.as_deref().unwrap_or(&org.base_currency)));
        let amount = currency.and_then(|c| errors.take(Money::parse_amount("amount", &self.amount, c)));
        let start = fiscal_start(org)?;
        errors.finish()?;
        let (Some(id), Some(target), Some(period), Some(amount)) = (id, target, period, amount) else {
            return Err(DomainError::Internal("validated quota input is incomplete".into()));
        };
        Ok(Quota {
            id,
            org_id: org.id,
            target,
            first_day: period.first_day(start),
            last_day: period.last_day(start),
            period,
            amount_minor: amount.minor(),
            currency: amount.currency().code().to_owned(),
            version: 0,
            created_at: org.created_at,
            updated_at: org.created_at,
        })
    }
}

/// Changes to a quota: its amount, and its currency (with an amount).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuotaPatch {
    /// Amount, decimal string.
    #[serde(default, deserialize_with = "super::non_null")]
    #[schema(nullable = false, example = "260000.00")]
    pub amount: Option<String>,
    /// ISO 4217 currency; changing it needs `amount` too.
    #[serde(default, deserialize_with = "super::non_null")]
    #[schema(nullable = false, pattern = "^[A-Z]{3}$")]
    pub currency: Option<String>,
}

impl QuotaPatch {
    /// Applies the changes to `q`.
    ///
    /// # Errors
    /// [`DomainError::Validation`] on `amount` or `currency`.
    pub fn apply(&self, q: &mut Quota) -> Result<(), DomainError> {
        let mut errors = Errors::new();
        let currency = errors.take(Currency::parse("currency", self.currency.as_deref().unwrap_or(&q.currency)));
        match (&self.amount, currency) {
            (Some(raw), Some(c)) => {
                if let Some(m) = errors.take(Money::parse_amount("amount", raw, c)) {
                    q.amount_minor = m.minor();
                    q.currency = c.code().to_owned();
                }
            }
            (None, Some(c)) if c.code() != q.currency => errors.push(glassbox_domain::FieldError::new(
                "amount",
                "required",
                "a new currency needs the amount in it",
            )),
            _ => {}
        }
        errors.finish()
    }
}

/// Quota list filters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct QuotaQuery {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Opaque cursor.
    pub cursor: Option<String>,
    /// Only this user's quotas.
    pub user_id: Option<Uuid>,
    /// Only this team's quotas.
    pub team_id: Option<Uuid>,
    /// Only quotas of this fiscal period (`2017`, `2017-Q3`, `2017-M07`).
    pub period: Option<String>,
}

/// An exchange rate to the org's base currency.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExchangeRateDto {
    /// Id.
    pub id: Uuid,
    /// ISO 4217 currency converted.
    pub currency: String,
    /// Base-currency units per unit of `currency`, decimal string.
    #[schema(example = "1.0845")]
    pub rate_to_base: String,
    /// First local day the rate applies to (until the currency's next rate).
    pub valid_from: NaiveDate,
    /// Creation time.
    pub created_at: DateTime<Utc>,
}

impl From<ExchangeRate> for ExchangeRateDto {
    fn from(r: ExchangeRate) -> Self {
        Self {
            id: r.id,
            rate_to_base: r.rate.to_decimal_string(),
            currency: r.currency,
            valid_from: r.valid_from,
            created_at: r.created_at,
        }
    }
}

/// A rate to add.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExchangeRateInput {
    /// Client id.
    pub id: Option<Uuid>,
    /// ISO 4217 currency (not the base currency).
    #[schema(pattern = "^[A-Z]{3}$")]
    pub currency: String,
    /// Base-currency units per unit, positive decimal string, at most 9
    /// fraction digits.
    #[schema(example = "1.0845")]
    pub rate_to_base: String,
    /// First local day it applies to.
    pub valid_from: NaiveDate,
}

impl ExchangeRateInput {
    /// The rate.
    ///
    /// # Errors
    /// [`DomainError::Validation`] naming every bad field.
    pub fn parse(&self, org: &Org) -> Result<ExchangeRate, DomainError> {
        let mut errors = Errors::new();
        let id = errors.take(glassbox_domain::id::new_record_id("id", self.id));
        let currency = errors.take(Currency::parse("currency", &self.currency));
        let rate = errors.take(Rate::parse("rate_to_base", &self.rate_to_base));
        if !(1900..=2999).contains(&chrono::Datelike::year(&self.valid_from)) {
            errors.push(glassbox_domain::FieldError::new(
                "valid_from",
                "out_of_range",
                "must be in the years 1900–2999",
            ));
        }
        errors.finish()?;
        let (Some(id), Some(currency), Some(rate)) = (id, currency, rate) else {
            return Err(DomainError::Internal("validated rate input is incomplete".into()));
        };
        Ok(ExchangeRate {
            id,
            org_id: org.id,
            currency: currency.code().to_owned(),
            rate,
            valid_from: self.valid_from,
            created_at: org.created_at,
        })
    }
}

/// Every exchange rate of the org.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExchangeRateList {
    /// By currency, then `valid_from`.
    pub data: Vec<ExchangeRateDto>,
}

/// Exchange-rate list filter.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExchangeRateQuery {
    /// Only this currency's rates (ISO 4217).
    pub currency: Option<String>,
}

impl ExchangeRateQuery {
    /// The currency filter.
    ///
    /// # Errors
    /// [`DomainError::Validation`] on `currency`.
    pub fn currency(&self) -> Result<Option<Currency>, DomainError> {
        self.currency.as_deref().map(|c| Currency::parse("currency", c)).transpose()
    }
}
