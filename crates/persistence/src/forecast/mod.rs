//! Quotas and exchange rates: what forecasts are measured against.

mod adjustments;
mod fx;
mod quotas;
mod report;

pub use quotas::QuotaFilter;
pub use report::{ForecastQuery, ForecastReport, ForecastRow, GroupBy, RowKey};
