//! Forecast adjustments: managers' overrides of commit or best case per
//! user or team and period, append-only (the newest is in force).

use sea_orm_migration::prelude::*;

use super::m20261129_000005_create_sales_core::{fk, index, table, text, ts, uuid};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(table(
                "forecast_adjustments",
                vec![
                    uuid("org_id"),
                    text("target_kind", 8),
                    uuid("target_id"),
                    text("period_kind", 8),
                    text("period", 16),
                    ColumnDef::new(Alias::new("first_day")).date().not_null().to_owned(),
                    text("category", 16),
                    ColumnDef::new(Alias::new("amount_minor")).big_integer().not_null().to_owned(),
                    text("currency", 3),
                    ColumnDef::new(Alias::new("note")).text().not_null().to_owned(),
                    uuid("author_id"),
                    ts("created_at"),
                ],
                vec![
                    fk("forecast_adjustments", "org_id", "orgs"),
                    fk("forecast_adjustments", "author_id", "users"),
                ],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_forecast_adjustments_period",
                "forecast_adjustments",
                &["org_id", "period_kind", "first_day", "created_at"],
                false,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alias::new("forecast_adjustments")).to_owned())
            .await
    }
}
