//! The caller's organization.

pub mod get;
pub mod update;
