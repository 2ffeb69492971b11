//! Calls, meetings, visits, demos, emails and notes.

pub mod batch;
pub mod changes;
pub mod create;
pub mod delete;
pub mod get;
pub mod list;
pub mod update;
