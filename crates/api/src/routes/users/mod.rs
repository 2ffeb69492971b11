//! Users of the org.

pub mod create;
pub mod deactivate;
pub mod get;
pub mod list;
pub mod update;
