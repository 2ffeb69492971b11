//! Quotas per user or team and fiscal period.

pub mod create;
pub mod delete;
pub mod get;
pub mod list;
pub mod update;
