//! Process analytics computed from stage history, readable at any `as_of`.

pub mod funnel;
pub mod kpis;
pub mod pipeline_changes;
pub mod rep_performance;
pub mod stage_conversion;
pub mod stalled;
