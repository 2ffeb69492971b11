//! sea-orm table models. Rows never leave this crate: repositories map them to
//! domain types.

pub mod accounts;
pub mod activities;
pub mod api_keys;
pub mod audit_log;
pub mod contacts;
pub mod exchange_rates;
pub mod forecast_adjustments;
pub mod forecast_snapshot_schedules;
pub mod forecast_snapshots;
pub mod handoff_rules;
pub mod handoff_tasks;
pub mod idempotency_keys;
pub mod opportunities;
pub mod opportunity_field_history;
pub mod opportunity_stage_history;
pub mod org_calendars;
pub mod orgs;
pub mod pipelines;
pub mod products;
pub mod quotas;
pub mod refresh_tokens;
pub mod stages;
pub mod team_members;
pub mod teams;
pub mod users;
