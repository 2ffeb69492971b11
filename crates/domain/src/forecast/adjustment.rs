//! Manager judgement on a forecast: an override of a rep's or a team's
//! commit or best case for a period, with a note. Adjustments are kept as
//! history; the newest one per target, period and category is in force, and
//! forecasts show it beside the computed value.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::period::FiscalPeriod;
use super::quota::QuotaTarget;
use crate::DomainError;

/// Which roll-up is overridden.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AdjustedCategory {
    /// The commit roll-up.
    Commit,
    /// The best-case roll-up.
    BestCase,
}

impl AdjustedCategory {
    /// Parses `commit` or `best_case`.
    ///
    /// # Errors
    /// [`DomainError::Validation`] on `field` with code `invalid_choice`.
    pub fn parse(field: &str, raw: &str) -> Result<Self, DomainError> {
        match raw {
            "commit" => Ok(Self::Commit),
            "best_case" => Ok(Self::BestCase),
            _ => Err(DomainError::invalid(field, "invalid_choice", "must be commit or best_case")),
        }
    }

    /// Stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Commit => "commit",
            Self::BestCase => "best_case",
        }
    }
}

/// One adjustment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForecastAdjustment {
    /// Id.
    pub id: Uuid,
    /// Owning org.
    pub org_id: Uuid,
    /// Whose forecast.
    pub target: QuotaTarget,
    /// The period.
    pub period: FiscalPeriod,
    /// Its first local day when the adjustment was made.
    pub first_day: NaiveDate,
    /// Commit or best case.
    pub category: AdjustedCategory,
    /// The value put in force, minor units of `currency` (the org's base).
    pub amount_minor: i64,
    /// Base currency.
    pub currency: String,
    /// Why (1–2,000 characters).
    pub note: String,
    /// Who made it.
    pub author_id: Uuid,
    /// When.
    pub created_at: DateTime<Utc>,
}
