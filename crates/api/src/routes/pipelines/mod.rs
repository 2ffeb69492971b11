//! Pipelines and their stages.

pub mod create;
pub mod get;
pub mod list;
pub mod update_stage;
