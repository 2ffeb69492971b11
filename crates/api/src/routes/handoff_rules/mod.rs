//! Handoff rules: which stage entry asks which team for what.

pub mod create;
pub mod delete;
pub mod get;
pub mod list;
pub mod update;
