//! Quotas, exchange rates and fiscal periods: what forecasts are measured
//! against.

pub mod adjustment;
pub mod fx;
pub mod period;
pub mod quota;
pub mod rollup;

pub use adjustment::{AdjustedCategory, ForecastAdjustment};
pub use fx::{ExchangeRate, Rate};
pub use period::{FiscalPeriod, PeriodKind};
pub use quota::{Quota, QuotaTarget};
pub use rollup::{DealAsOf, ForecastFigures, attainment};
