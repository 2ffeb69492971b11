//! Change-log retention: per org and synced kind, the feed position of the
//! newest pruned tombstone (cursors before it get 410 Gone), and an index to
//! find a record's rows when pruning.

use sea_orm_migration::prelude::*;

use super::m20261129_000005_create_sales_core::{fk, index, text, ts, uuid};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut t = Table::create();
        t.table(Alias::new("change_horizons"))
            .col(uuid("org_id"))
            .col(text("entity", 32))
            .col(ColumnDef::new(Alias::new("txid")).big_integer().not_null())
            .col(ColumnDef::new(Alias::new("seq")).big_integer().not_null())
            .col(ts("pruned_at"))
            .primary_key(Index::create().col(Alias::new("org_id")).col(Alias::new("entity")))
            .foreign_key(&mut fk("change_horizons", "org_id", "orgs"));
        manager.create_table(t.to_owned()).await?;
        manager
            .create_index(index(
                "ix_changes_record",
                "changes",
                &["org_id", "entity", "record_id", "version"],
                false,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name("ix_changes_record").table(Alias::new("changes")).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Alias::new("change_horizons")).to_owned())
            .await
    }
}
