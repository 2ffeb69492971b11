//! Quotas, exchange rates, adjustments and the forecast report.

mod accuracy;
mod adjustments;
pub(crate) mod cells;
pub(crate) mod deals;
pub(crate) mod fit;
mod fx;
pub(crate) mod generation;
mod history;
mod quotas;
mod report;
mod snapshots;

pub use accuracy::{BacktestPoint, BacktestQuery, SnapshotAccuracy};
pub use quotas::QuotaFilter;
pub use report::{ForecastQuery, ForecastReport, ForecastRow, GroupBy, ModelSummary, RowKey};
pub use snapshots::{ClaimedRun, Schedule, Snapshot, SnapshotDraft};
