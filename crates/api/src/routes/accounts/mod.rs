//! Accounts (customer companies).

pub mod create;
pub mod delete;
pub mod get;
pub mod list;
pub mod timeline;
pub mod update;
