//! Forecast snapshots (a whole forecast kept as of a moment, with each
//! method's total for accuracy) and per-org snapshot schedules, claimed
//! from the database so that several servers take each run once.

use sea_orm_migration::prelude::*;

use super::m20261129_000005_create_sales_core::{fk, index, table, text, ts, ts_null, uuid, uuid_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn big(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).big_integer().not_null().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(table(
                "forecast_snapshots",
                vec![
                    uuid("org_id"),
                    text("period_kind", 8),
                    text("period", 16),
                    ColumnDef::new(Alias::new("first_day")).date().not_null().to_owned(),
                    uuid_null("team_id"),
                    text("group_by", 8),
                    ts("as_of"),
                    ts("taken_at"),
                    text("trigger", 16),
                    uuid_null("taken_by"),
                    ts_null("scheduled_for"),
                    text("currency", 3),
                    big("closed_won"),
                    big("weighted_forecast"),
                    big("history_forecast"),
                    big("commit_forecast"),
                    big("best_case_forecast"),
                    ColumnDef::new(Alias::new("body")).text().not_null().to_owned(),
                ],
                vec![fk("forecast_snapshots", "org_id", "orgs")],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_forecast_snapshots_period",
                "forecast_snapshots",
                &["org_id", "period_kind", "first_day", "as_of"],
                false,
            ))
            .await?;
        // One scheduled snapshot per org and run, whoever takes it.
        manager
            .create_index(index(
                "ux_forecast_snapshots_scheduled",
                "forecast_snapshots",
                &["org_id", "scheduled_for"],
                true,
            ))
            .await?;
        manager
            .create_table(table(
                "forecast_snapshot_schedules",
                vec![
                    uuid("org_id"),
                    text("frequency", 8),
                    text("period_kind", 8),
                    text("group_by", 8),
                    ts("next_run_at"),
                    ts("updated_at"),
                ],
                vec![fk("forecast_snapshot_schedules", "org_id", "orgs")],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "ux_forecast_snapshot_schedules_org",
                "forecast_snapshot_schedules",
                &["org_id"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_forecast_snapshot_schedules_due",
                "forecast_snapshot_schedules",
                &["next_run_at"],
                false,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in ["forecast_snapshot_schedules", "forecast_snapshots"] {
            manager.drop_table(Table::drop().table(Alias::new(t)).to_owned()).await?;
        }
        Ok(())
    }
}
