//! Quotas, exchange rates and fiscal periods: what forecasts are measured
//! against; the forecast roll-ups and the history-based model.

pub mod accuracy;
pub mod adjustment;
pub mod cells;
pub mod fx;
pub mod model;
pub mod period;
pub mod quota;
pub mod rollup;
pub mod snapshot;

pub use adjustment::{AdjustedCategory, ForecastAdjustment};
pub use fx::{ExchangeRate, Rate};
pub use period::{FiscalPeriod, PeriodKind};
pub use quota::{Quota, QuotaTarget};
pub use rollup::{DealAsOf, ForecastFigures, attainment};
