//! Wire form of `GET /api/v1/analytics/pipeline-changes`.

use chrono::{DateTime, NaiveDate, Utc};
use glassbox_domain::analytics::Waterfall;
use glassbox_domain::money::format_minor;
use glassbox_domain::org::Currency;
use glassbox_persistence::analytics::WaterfallReport;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Pipeline-changes parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PipelineChangesParams {
    /// First day of the window and period (YYYY-MM-DD, org time zone).
    #[serde(default, deserialize_with = "super::strict_date")]
    pub from: Option<NaiveDate>,
    /// Last day, included.
    #[serde(default, deserialize_with = "super::strict_date")]
    pub to: Option<NaiveDate>,
    /// Only deals owned by this user.
    pub owner_id: Option<Uuid>,
    /// Only deals owned by members of this team or its sub-teams.
    pub team_id: Option<Uuid>,
    /// End the window here when earlier than the end of `to` (date or RFC
    /// 3339).
    pub as_of: Option<String>,
}

/// One currency's bridge; every amount a decimal string, and
/// `start + new + pulled_in + increased − decreased − pushed_out − won −
/// lost = end` exactly.
#[derive(Debug, Serialize, ToSchema)]
pub struct WaterfallDto {
    /// ISO 4217 code (the deals' current currency).
    pub currency: String,
    /// Open pipeline with a close date in the period, at the start.
    pub start: String,
    /// Added by deals created in the window (also those that closed in it).
    pub new: String,
    /// Added by older deals whose close date moved into the period, or that
    /// reopened.
    pub pulled_in: String,
    /// Amount increases of deals in the pipeline at both ends.
    pub increased: String,
    /// Amount decreases of deals in the pipeline at both ends.
    pub decreased: String,
    /// Close dates moved out of the period.
    pub pushed_out: String,
    /// Won (deals in the pipeline at the start at their starting amount;
    /// deals created in the window at their won amount).
    pub won: String,
    /// Lost, valued the same way.
    pub lost: String,
    /// Open pipeline with a close date in the period, at the end.
    pub end: String,
}

impl From<Waterfall> for WaterfallDto {
    fn from(w: Waterfall) -> Self {
        let e = Currency::parse("currency", &w.currency).map(|c| c.exponent()).unwrap_or(2);
        let m = |v: i128| format_minor(v, e);
        Self {
            start: m(w.start),
            new: m(w.new),
            pulled_in: m(w.pulled_in),
            increased: m(w.increased),
            decreased: m(w.decreased),
            pushed_out: m(w.pushed_out),
            won: m(w.won),
            lost: m(w.lost),
            end: m(w.end),
            currency: w.currency,
        }
    }
}

/// The pipeline waterfall of a window.
#[derive(Debug, Serialize, ToSchema)]
pub struct PipelineChangesDto {
    /// First day of the window and of the close-date period.
    pub from: NaiveDate,
    /// Last day, included.
    pub to: NaiveDate,
    /// The starting state is read just before this instant's microsecond.
    pub start_at: DateTime<Utc>,
    /// The ending state is read at this instant.
    pub end_at: DateTime<Utc>,
    /// One bridge per currency.
    pub data: Vec<WaterfallDto>,
}

impl From<WaterfallReport> for PipelineChangesDto {
    fn from(r: WaterfallReport) -> Self {
        Self {
            from: r.window.from,
            to: r.window.to,
            start_at: r.start,
            end_at: r.end,
            data: r.waterfalls.into_iter().map(Into::into).collect(),
        }
    }
}
