//! The change log behind the delta-sync feeds: one row per create, update
//! or delete of a synced record, written in the record's own transaction.

use sea_orm_migration::prelude::*;

use super::m20261129_000005_create_sales_core::{fk, index, text, ts, uuid};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut t = Table::create();
        t.table(Alias::new("changes"))
            .col(
                ColumnDef::new(Alias::new("seq"))
                    .big_integer()
                    .not_null()
                    .auto_increment()
                    .primary_key(),
            )
            .col(uuid("org_id"))
            .col(text("entity", 32))
            .col(uuid("record_id"))
            .col(text("op", 8))
            .col(ColumnDef::new(Alias::new("version")).big_integer().not_null())
            // PostgreSQL: the writing transaction's id (pg_current_xact_id);
            // SQLite, whose writers run one at a time: 0.
            .col(ColumnDef::new(Alias::new("txid")).big_integer().not_null())
            .col(ts("changed_at"))
            .foreign_key(&mut fk("changes", "org_id", "orgs"));
        manager.create_table(t.to_owned()).await?;
        manager
            .create_index(index("ix_changes_feed", "changes", &["org_id", "entity", "txid", "seq"], false))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Alias::new("changes")).to_owned()).await
    }
}
