//! Funnel and stage conversion.

use uuid::Uuid;

use super::{Outcomes, StageRef};
use crate::pipeline::StageKind;

/// One funnel step.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelStage {
    /// The stage.
    pub stage: StageRef,
    /// Cohort deals that entered this stage (each deal once, however often
    /// it re-entered; a deal that skipped the stage has not reached it).
    pub reached: u64,
    /// Their amounts, exact minor units per ISO 4217 currency.
    pub amounts: Vec<(String, i128)>,
    /// Of those, deals that later entered a stage further down the pipeline
    /// (a higher position, lost stages excepted).
    pub advanced: u64,
    /// Where the deals that reached this stage stood at the moment read.
    pub outcomes: Outcomes,
    /// Median days of the finished stays in this stage; `None` without one.
    pub median_days: Option<f64>,
}

impl FunnelStage {
    /// Conversion to the next stage, `advanced / reached`; `None` for won
    /// and lost stages and stages nobody reached. Counting any later stage
    /// as "next" keeps deals that skip a stage converting (HubSpot's funnel
    /// with "include deals that skipped stages" counts the same way).
    pub fn conversion_to_next(&self) -> Option<f64> {
        (self.stage.kind == StageKind::Open && self.reached > 0).then(|| self.advanced as f64 / self.reached as f64)
    }
}

/// A cohort's way through a pipeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Funnel {
    /// Where the whole cohort stood at the moment read.
    pub outcomes: Outcomes,
    /// Steps in pipeline order.
    pub stages: Vec<FunnelStage>,
}

/// Outcomes of the deals that entered one stage.
#[derive(Debug, Clone, PartialEq)]
pub struct StageOutcomes {
    /// The stage.
    pub stage: StageRef,
    /// Deals that entered it in the window, by where they stood at the
    /// moment read. `outcomes.share(outcomes.won)` is the history-based
    /// probability that a deal entering the stage is won.
    pub outcomes: Outcomes,
}

/// Moves from one stage to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    /// Stage left.
    pub from_stage_id: Uuid,
    /// Stage entered.
    pub to_stage_id: Uuid,
    /// Number of moves.
    pub count: u64,
}

/// Stage conversion over a window.
#[derive(Debug, Clone, PartialEq)]
pub struct StageConversion {
    /// Per stage, in pipeline order.
    pub stages: Vec<StageOutcomes>,
    /// Every stage-to-stage move entered in the window.
    pub transitions: Vec<Transition>,
}
