//! Opportunities, their stage moves and history.

pub mod changes;
pub mod create;
pub mod delete;
pub mod get;
pub mod history;
pub mod list;
pub mod stage_history;
pub mod totals;
pub mod update;
