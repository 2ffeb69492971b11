//! Idempotency keys: the first answer to a POST, replayed for retries.

use sea_orm_migration::prelude::*;

use super::m20261129_000005_create_sales_core::{fk, index, table, text, ts, ts_null, uuid};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(table(
                "idempotency_keys",
                vec![
                    uuid("org_id"),
                    text("key", 255),
                    text("request_hash", 64),
                    ColumnDef::new(Alias::new("status")).integer().null().to_owned(),
                    ColumnDef::new(Alias::new("headers")).text().null().to_owned(),
                    ColumnDef::new(Alias::new("body")).text().null().to_owned(),
                    ts("created_at"),
                    ts_null("completed_at"),
                ],
                vec![fk("idempotency_keys", "org_id", "orgs")],
                false,
            ))
            .await?;
        // One live key per org: a second claim of the same key conflicts.
        manager
            .create_index(index("ux_idempotency_keys_org_key", "idempotency_keys", &["org_id", "key"], true))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alias::new("idempotency_keys")).to_owned())
            .await
    }
}
