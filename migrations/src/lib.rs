//! Glassbox schema migrations, one file per change, each with a real `down`.
//!
//! They run unchanged on SQLite and PostgreSQL. Rules: never edit a migration
//! after it lands (expand/contract instead); every business table carries
//! `org_id`, and every unique constraint includes it.

pub use sea_orm_migration::prelude::*;

mod m20261129_000001_create_orgs;
mod m20261129_000002_create_users;
mod m20261129_000003_create_teams;
mod m20261129_000004_create_refresh_tokens;
mod m20261129_000005_create_sales_core;
mod m20261129_000006_create_contacts_activities;
mod m20261129_000007_create_handoffs;
mod m20261129_000008_create_idempotency_keys;
mod m20261129_000009_create_changes;
mod m20261129_000010_create_change_horizons;
mod m20261129_000011_create_rollups;
mod m20261129_000012_create_quotas_rates;
mod m20261129_000013_create_forecast_adjustments;
mod m20261129_000014_create_api_keys;
mod m20261129_000015_create_forecast_snapshots;
mod m20261129_000016_create_audit_log;
mod m20261129_000017_create_forecast_cells;

/// Applies Glassbox's migrations in order.
#[derive(Debug)]
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261129_000001_create_orgs::Migration),
            Box::new(m20261129_000002_create_users::Migration),
            Box::new(m20261129_000003_create_teams::Migration),
            Box::new(m20261129_000004_create_refresh_tokens::Migration),
            Box::new(m20261129_000005_create_sales_core::Migration),
            Box::new(m20261129_000006_create_contacts_activities::Migration),
            Box::new(m20261129_000007_create_handoffs::Migration),
            Box::new(m20261129_000008_create_idempotency_keys::Migration),
            Box::new(m20261129_000009_create_changes::Migration),
            Box::new(m20261129_000010_create_change_horizons::Migration),
            Box::new(m20261129_000011_create_rollups::Migration),
            Box::new(m20261129_000012_create_quotas_rates::Migration),
            Box::new(m20261129_000013_create_forecast_adjustments::Migration),
            Box::new(m20261129_000014_create_api_keys::Migration),
            Box::new(m20261129_000015_create_forecast_snapshots::Migration),
            Box::new(m20261129_000016_create_audit_log::Migration),
            Box::new(m20261129_000017_create_forecast_cells::Migration),
        ]
    }
}

/// Columns every mutable record has: `version`, `created_at`, `updated_at`.
pub(crate) fn audit_columns(table: &mut TableCreateStatement) -> &mut TableCreateStatement {
    table
        .col(ColumnDef::new(Alias::new("version")).big_integer().not_null().default(1))
        .col(ColumnDef::new(Alias::new("created_at")).timestamp_with_time_zone().not_null())
        .col(ColumnDef::new(Alias::new("updated_at")).timestamp_with_time_zone().not_null())
}
