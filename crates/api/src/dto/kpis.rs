//! Wire form of `GET /api/v1/analytics/kpis`.

use chrono::{DateTime, NaiveDate, Utc};
use glassbox_domain::analytics::mean_minor;
use glassbox_domain::money::format_minor;
use glassbox_domain::org::Currency;
use glassbox_domain::stats::round_to;
use glassbox_persistence::analytics::KpiReport;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::analytics::{CurrencyAmountDto, amounts, ratio};

/// KPI parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct KpiParams {
    /// First day (YYYY-MM-DD, org time zone); default 364 days before `to`.
    #[serde(default, deserialize_with = "super::strict_date")]
    pub from: Option<NaiveDate>,
    /// Last day, included; default the day of `as_of`.
    #[serde(default, deserialize_with = "super::strict_date")]
    pub to: Option<NaiveDate>,
    /// Only deals owned by this user.
    pub owner_id: Option<Uuid>,
    /// Only deals owned by members of this team or its sub-teams.
    pub team_id: Option<Uuid>,
    /// Read history as it stood then (date or RFC 3339); default now, and a
    /// later instant reads now.
    pub as_of: Option<String>,
}

/// Headline KPIs. Money in the org's base currency as decimal strings,
/// rounded half away from zero to the minor unit; deals in other currencies
/// are in `won_amounts` and `open_pipeline` only.
#[derive(Debug, Serialize, ToSchema)]
pub struct KpisDto {
    /// First day of the window.
    pub from: NaiveDate,
    /// Last day, included.
    pub to: NaiveDate,
    /// History read as it stood at this instant.
    pub as_of: DateTime<Utc>,
    /// The org's base currency.
    pub currency: String,
    /// Deals won in the window.
    pub won: u64,
    /// Deals lost in the window.
    pub lost: u64,
    /// `won / (won + lost)`, 4 decimals.
    pub win_rate: Option<f64>,
    /// Mean days from creation to close of the won deals, 2 decimals.
    pub average_sales_cycle_days: Option<f64>,
    /// Won amount.
    pub won_amount: String,
    /// Won amounts per currency.
    pub won_amounts: Vec<CurrencyAmountDto>,
    /// `won_amount / won`.
    pub average_deal_size: Option<String>,
    /// Deal owners with a deal created or closed in the window.
    pub reps: u64,
    /// `won_amount / reps`.
    pub revenue_per_rep: Option<String>,
    /// Accounts with a deal won in the window.
    pub accounts_won: u64,
    /// Customer lifetime value as won revenue per account:
    /// `won_amount / accounts_won`.
    pub customer_lifetime_value: Option<String>,
    /// Deals open at `as_of`, current amounts, per currency.
    pub open_pipeline: Vec<CurrencyAmountDto>,
    /// Open pipeline / remaining quota; null while the org has no quota for
    /// the window.
    pub pipeline_coverage: Option<f64>,
}

impl KpisDto {
    /// The wire form, money in `base`.
    pub fn new(k: KpiReport, base: &str) -> Self {
        let exponent = Currency::parse("currency", base).map(|c| c.exponent()).unwrap_or(2);
        let won: i128 = k.won_amounts.iter().filter(|(c, _)| c == base).map(|(_, m)| m).sum();
        let per = |n: u64| mean_minor(won, n).map(|m| format_minor(m, exponent));
        Self {
            from: k.window.from,
            to: k.window.to,
            as_of: k.as_of,
            currency: base.to_owned(),
            won: k.closed.won,
            lost: k.closed.lost,
            win_rate: ratio(k.closed.win_rate()),
            average_sales_cycle_days: k.mean_cycle_days.map(|d| round_to(d, 2)),
            won_amount: format_minor(won, exponent),
            won_amounts: amounts(&k.won_amounts),
            average_deal_size: per(k.closed.won),
            reps: k.reps,
            revenue_per_rep: per(k.reps),
            accounts_won: k.accounts_won,
            customer_lifetime_value: per(k.accounts_won),
            open_pipeline: amounts(&k.open_pipeline),
            pipeline_coverage: None,
        }
    }
}
