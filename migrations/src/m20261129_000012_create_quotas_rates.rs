//! Quotas per user or team and fiscal period, and exchange rates to the
//! org's base currency valid from a day on.

use sea_orm_migration::prelude::*;

use super::m20261129_000005_create_sales_core::{fk, index, table, text, ts, uuid};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn date(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).date().not_null().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(table(
                "quotas",
                vec![
                    uuid("org_id"),
                    // `user` or `team`; the id is checked against the org on write.
                    text("target_kind", 8),
                    uuid("target_id"),
                    text("period_kind", 8),
                    text("period", 16),
                    date("first_day"),
                    date("last_day"),
                    ColumnDef::new(Alias::new("amount_minor")).big_integer().not_null().to_owned(),
                    text("currency", 3),
                ],
                vec![fk("quotas", "org_id", "orgs")],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "ux_quotas_target_period",
                "quotas",
                &["org_id", "target_kind", "target_id", "period_kind", "first_day"],
                true,
            ))
            .await?;
        manager
            .create_table(table(
                "exchange_rates",
                vec![
                    uuid("org_id"),
                    text("currency", 3),
                    // Exact decimal string: base-currency units per unit.
                    text("rate", 24),
                    date("valid_from"),
                    ts("created_at"),
                ],
                vec![fk("exchange_rates", "org_id", "orgs")],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "ux_exchange_rates_currency_day",
                "exchange_rates",
                &["org_id", "currency", "valid_from"],
                true,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in ["exchange_rates", "quotas"] {
            manager.drop_table(Table::drop().table(Alias::new(t)).to_owned()).await?;
        }
        Ok(())
    }
}
