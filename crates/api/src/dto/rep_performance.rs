//! Wire form of `GET /api/v1/analytics/rep-performance`.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use glassbox_domain::analytics::{Behaviour, RepFigures, top_quartile_vs_rest};
use glassbox_domain::money::format_minor;
use glassbox_domain::org::Currency;
use glassbox_domain::stats::round_to;
use glassbox_persistence::analytics::RepReport;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::analytics::{CurrencyAmountDto, amounts, ratio};

/// Rep-performance parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RepPerformanceParams {
    /// First day (YYYY-MM-DD, org time zone); default 364 days before `to`.
    #[serde(default, deserialize_with = "super::strict_date")]
    pub from: Option<NaiveDate>,
    /// Last day, included; default the day of `as_of`.
    #[serde(default, deserialize_with = "super::strict_date")]
    pub to: Option<NaiveDate>,
    /// Only reps in this team or its sub-teams.
    pub team_id: Option<Uuid>,
    /// Read history as it stood then (date or RFC 3339); default now, and a
    /// later instant reads now.
    pub as_of: Option<String>,
}

/// One rep's figures (or everyone's, pooled).
#[derive(Debug, Serialize, ToSchema)]
pub struct RepRowDto {
    /// The rep; null on the pooled row.
    pub owner_id: Option<Uuid>,
    /// Deals created in the window.
    pub created: u64,
    /// Deals won in the window (won stage entered in it, still current at
    /// `as_of`).
    pub won: u64,
    /// Deals lost in the window.
    pub lost: u64,
    /// `won / (won + lost)`, 4 decimals.
    pub win_rate: Option<f64>,
    /// Won amount in the base currency (decimal string).
    pub won_amount: String,
    /// Won amounts per currency.
    pub won_amounts: Vec<CurrencyAmountDto>,
    /// `won_amount / won`, rounded half away from zero to the minor unit.
    pub average_deal_size: Option<String>,
    /// Median days from creation to close of the won deals (Hyndman & Fan
    /// definition 7), 2 decimals.
    pub median_sales_cycle_days: Option<f64>,
    /// Activities that happened in the window, per type.
    pub activities: BTreeMap<String, u64>,
    /// All of them.
    pub activities_total: u64,
    /// `activities_total / won`, 4 decimals.
    pub activities_per_won_deal: Option<f64>,
    /// Median days between consecutive activities on deals open at
    /// `as_of`, 2 decimals.
    pub median_days_between_activities: Option<f64>,
    /// Share of the closed deals with a demo activity before the close, 4
    /// decimals.
    pub demo_before_close_share: Option<f64>,
}

fn money(minor: i128, exponent: u32) -> String {
    format_minor(minor, exponent)
}

impl RepRowDto {
    fn new(r: &RepFigures, pooled: bool, base: &str, exponent: u32) -> Self {
        Self {
            owner_id: (!pooled).then_some(r.owner_id),
            created: r.created,
            won: r.closed.won,
            lost: r.closed.lost,
            win_rate: ratio(r.closed.win_rate()),
            won_amount: money(r.won_amount(base), exponent),
            won_amounts: amounts(&r.won_amounts),
            average_deal_size: r.average_deal_size(base).map(|m| money(m, exponent)),
            median_sales_cycle_days: r.median_cycle_days.map(|d| round_to(d, 2)),
            activities: r.activities.clone(),
            activities_total: r.activities_total(),
            activities_per_won_deal: ratio(r.activities_per_won_deal()),
            median_days_between_activities: r.median_days_between_activities.map(|d| round_to(d, 2)),
            demo_before_close_share: ratio(r.demo_before_close_share()),
        }
    }
}

/// A group's behaviour: each figure is the mean over its reps.
#[derive(Debug, Serialize, ToSchema)]
pub struct BehaviourDto {
    /// Reps in the group.
    pub reps: u64,
    /// Mean win rate, 4 decimals.
    pub win_rate: Option<f64>,
    /// Mean average deal size, base currency.
    pub average_deal_size: Option<String>,
    /// Mean median sales cycle, days, 2 decimals.
    pub median_sales_cycle_days: Option<f64>,
    /// Mean activities per rep, 2 decimals.
    pub activities_per_rep: Option<f64>,
    /// Mean activities per won deal, 4 decimals.
    pub activities_per_won_deal: Option<f64>,
    /// Mean median days between activities on open deals, 2 decimals.
    pub median_days_between_activities: Option<f64>,
    /// Mean share of closed deals with a demo before close, 4 decimals.
    pub demo_before_close_share: Option<f64>,
}

impl BehaviourDto {
    fn new(b: Behaviour, exponent: u32) -> Self {
        Self {
            reps: b.reps,
            win_rate: ratio(b.win_rate),
            average_deal_size: b.average_deal_size.map(|m| money(m, exponent)),
            median_sales_cycle_days: b.median_cycle_days.map(|d| round_to(d, 2)),
            activities_per_rep: b.activities_per_rep.map(|d| round_to(d, 2)),
            activities_per_won_deal: ratio(b.activities_per_won_deal),
            median_days_between_activities: b.median_days_between_activities.map(|d| round_to(d, 2)),
            demo_before_close_share: ratio(b.demo_before_close_share),
        }
    }
}

/// The top 25 % of reps by won amount (⌈n / 4⌉ reps) against the rest.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuartileComparisonDto {
    /// The top quartile.
    pub top_quartile: BehaviourDto,
    /// Everyone else.
    pub rest: BehaviourDto,
}

/// Per-rep performance and what the best reps do differently.
#[derive(Debug, Serialize, ToSchema)]
pub struct RepPerformanceDto {
    /// First day of the window.
    pub from: NaiveDate,
    /// Last day, included.
    pub to: NaiveDate,
    /// History read as it stood at this instant.
    pub as_of: DateTime<Utc>,
    /// The org's base currency.
    pub currency: String,
    /// One row per rep with deals or activities in the window.
    pub reps: Vec<RepRowDto>,
    /// Everyone pooled (medians over all deals, not a mean of medians).
    pub all: RepRowDto,
    /// Behaviour of the top quartile by won amount against the rest.
    pub top_quartile_vs_rest: QuartileComparisonDto,
}

impl RepPerformanceDto {
    /// The wire form, amounts in `base`.
    pub fn new(r: RepReport, base: &str) -> Self {
        let exponent = Currency::parse("currency", base).map(|c| c.exponent()).unwrap_or(2);
        let (top, rest) = top_quartile_vs_rest(&r.reps, base);
        Self {
            from: r.window.from,
            to: r.window.to,
            as_of: r.as_of,
            currency: base.to_owned(),
            reps: r.reps.iter().map(|f| RepRowDto::new(f, false, base, exponent)).collect(),
            all: RepRowDto::new(&r.all, true, base, exponent),
            top_quartile_vs_rest: QuartileComparisonDto {
                top_quartile: BehaviourDto::new(top, exponent),
                rest: BehaviourDto::new(rest, exponent),
            },
        }
    }
}
