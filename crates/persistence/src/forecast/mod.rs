//! Quotas and exchange rates: what forecasts are measured against.

mod fx;
mod quotas;

pub use quotas::QuotaFilter;
