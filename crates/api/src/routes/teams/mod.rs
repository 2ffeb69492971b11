//! Teams: a hierarchy of sales, presales, marketing and service groups.

pub mod create;
pub mod delete;
pub mod get;
pub mod list;
pub mod update;
