//! API keys for integrations: stored as a SHA-256 hash of the secret, with
//! scopes, expiry, last use and revocation.

use sea_orm_migration::prelude::*;

use super::m20261129_000005_create_sales_core::{fk, index, table, text, ts, ts_null, uuid};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(table(
                "api_keys",
                vec![
                    uuid("org_id"),
                    text("name", 200),
                    text("prefix", 16),
                    text("key_hash", 64),
                    ColumnDef::new(Alias::new("scopes")).text().not_null().to_owned(),
                    uuid("created_by"),
                    ts_null("expires_at"),
                    ts_null("last_used_at"),
                    ts_null("revoked_at"),
                    ts("created_at"),
                ],
                vec![fk("api_keys", "org_id", "orgs"), fk("api_keys", "created_by", "users")],
                false,
            ))
            .await?;
        manager
            .create_index(index("ux_api_keys_hash", "api_keys", &["key_hash"], true))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Alias::new("api_keys")).to_owned()).await
    }
}
