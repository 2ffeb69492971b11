//! Wire forms of `GET /api/v1/handoff-tasks/metrics`.

use chrono::NaiveDate;
use glassbox_domain::handoff::{SlaTally, TaskStatus};
use glassbox_domain::stats::{WinLoss, round_to};
use glassbox_persistence::handoffs::HandoffMetrics;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Metrics query.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct HandoffMetricsQuery {
    /// Team measured (tasks assigned to it; deals it completed a task on);
    /// every team when absent.
    pub team_id: Option<Uuid>,
    /// First day (YYYY-MM-DD, org time zone); default 29 days before `to`.
    #[serde(default, deserialize_with = "super::strict_date")]
    pub from: Option<NaiveDate>,
    /// Last day, included (YYYY-MM-DD, org time zone); default today.
    #[serde(default, deserialize_with = "super::strict_date")]
    pub to: Option<NaiveDate>,
}

/// Tasks per status.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct StatusCountsDto {
    /// Waiting for an answer.
    pub open: u64,
    /// Taken.
    pub accepted: u64,
    /// Being worked on.
    pub in_progress: u64,
    /// Finished.
    pub done: u64,
    /// Refused.
    pub declined: u64,
    /// Withdrawn.
    pub cancelled: u64,
}

/// Response time of the answered tasks, in business minutes.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResponseTimeDto {
    /// Tasks answered (accepted or declined).
    pub answered: u64,
    /// Median; null when none was answered.
    pub median_minutes: Option<f64>,
    /// 90th percentile; null when none was answered.
    pub p90_minutes: Option<f64>,
}

/// One SLA's results.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlaResultDto {
    /// Tasks that met it.
    pub met: u64,
    /// Tasks whose outcome is known (met, or due time passed without it).
    pub measured: u64,
    /// `100 · met / measured`, 2 decimals; null when nothing is measured.
    pub met_pct: Option<f64>,
}

impl From<SlaTally> for SlaResultDto {
    fn from(t: SlaTally) -> Self {
        Self {
            met: t.met,
            measured: t.measured,
            met_pct: t.met_pct().map(|p| round_to(p, 2)),
        }
    }
}

/// Requesters' ratings.
#[derive(Debug, Serialize, ToSchema)]
pub struct RatingDto {
    /// Tasks rated.
    pub rated: u64,
    /// Mean rating (1–5), 2 decimals; null when none is rated.
    pub mean: Option<f64>,
}

/// Won and lost deals and their win rate.
#[derive(Debug, Serialize, ToSchema)]
pub struct WinRateDto {
    /// Closed won.
    pub won: u64,
    /// Closed lost.
    pub lost: u64,
    /// `won / (won + lost)`, 4 decimals; null when none closed.
    pub win_rate: Option<f64>,
}

impl From<WinLoss> for WinRateDto {
    fn from(w: WinLoss) -> Self {
        Self {
            won: w.won,
            lost: w.lost,
            win_rate: w.win_rate().map(|r| round_to(r, 4)),
        }
    }
}

/// How fast and how well a team answered handoff tasks, and whether its help
/// went with won deals.
#[derive(Debug, Serialize, ToSchema)]
pub struct HandoffMetricsDto {
    /// Team measured; null for every team.
    pub team_id: Option<Uuid>,
    /// First day of the window (org time zone).
    pub from: NaiveDate,
    /// Last day of the window, included.
    pub to: NaiveDate,
    /// Tasks created in the window.
    pub total: u64,
    /// The same tasks per current status.
    pub by_status: StatusCountsDto,
    /// Business minutes from creation to the first answer. Percentiles by
    /// linear interpolation (Hyndman & Fan 1996 definition 7, as R's
    /// `quantile` and Excel's `PERCENTILE.INC`), 2 decimals.
    pub response_time: ResponseTimeDto,
    /// First answer by `response_due_at`.
    pub response_sla: SlaResultDto,
    /// Done by `due_at` (declined tasks owe no completion).
    pub completion_sla: SlaResultDto,
    /// Requesters' ratings of the done tasks.
    pub rating: RatingDto,
    /// Deals closed in the window with at least one done task of the team.
    pub with_completed_task: WinRateDto,
    /// Deals closed in the window without one.
    pub without_completed_task: WinRateDto,
}

impl From<HandoffMetrics> for HandoffMetricsDto {
    fn from(m: HandoffMetrics) -> Self {
        let t = &m.tasks;
        let mut by_status = StatusCountsDto::default();
        for (status, n) in &t.by_status {
            let slot = match status {
                TaskStatus::Open => &mut by_status.open,
                TaskStatus::Accepted => &mut by_status.accepted,
                TaskStatus::InProgress => &mut by_status.in_progress,
                TaskStatus::Done => &mut by_status.done,
                TaskStatus::Declined => &mut by_status.declined,
                TaskStatus::Cancelled => &mut by_status.cancelled,
            };
            *slot = *n;
        }
        Self {
            team_id: m.team_id,
            from: m.window.from,
            to: m.window.to,
            total: t.by_status.iter().map(|(_, n)| n).sum(),
            by_status,
            response_time: ResponseTimeDto {
                answered: t.response_minutes.len() as u64,
                median_minutes: t.response_median().map(|q| round_to(q, 2)),
                p90_minutes: t.response_p90().map(|q| round_to(q, 2)),
            },
            response_sla: t.response_sla.into(),
            completion_sla: t.completion_sla.into(),
            rating: RatingDto {
                rated: t.rated,
                mean: t.mean_rating().map(|r| round_to(r, 2)),
            },
            with_completed_task: m.with_completed_task.into(),
            without_completed_task: m.without_completed_task.into(),
        }
    }
}
