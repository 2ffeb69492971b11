//! Stalled deals: open too long in their current stage.

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// Which threshold flagged a deal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StalledRule {
    /// The stage's own `rotting_days` (Pipedrive's "rotting" setting).
    RottingDays,
    /// No `rotting_days`: the 80th percentile of the days won deals spent
    /// in the stage.
    WonP80,
}

impl StalledRule {
    /// Wire name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::RottingDays => "rotting_days",
            Self::WonP80 => "won_p80",
        }
    }
}

/// An open deal past its stage's threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct StalledOpportunity {
    /// The deal.
    pub opportunity_id: Uuid,
    /// Its name.
    pub name: String,
    /// Its owner.
    pub owner_id: Uuid,
    /// The stage it sits in.
    pub stage_id: Uuid,
    /// When it entered that stage.
    pub stage_entered_at: DateTime<Utc>,
    /// Days in the stage at the moment read.
    pub days_in_stage: f64,
    /// The threshold it passed, in days.
    pub threshold_days: f64,
    /// Which threshold.
    pub rule: StalledRule,
    /// Its latest activity that happened by the moment read.
    pub last_activity_at: Option<DateTime<Utc>>,
}
