//! Contacts and activities.

use sea_orm_migration::prelude::*;

use super::m20261129_000005_create_sales_core::{fk, index, table, text, text_null, ts, ts_null, uuid, uuid_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(table(
                "contacts",
                vec![
                    uuid("org_id"),
                    uuid_null("account_id"),
                    text("name", 255),
                    text_null("email", 254),
                    text_null("phone", 50),
                    text_null("title", 255),
                    ts_null("deleted_at"),
                ],
                vec![fk("contacts", "org_id", "orgs"), fk("contacts", "account_id", "accounts")],
                true,
            ))
            .await?;
        manager
            .create_index(index("ix_contacts_org_account", "contacts", &["org_id", "account_id"], false))
            .await?;
        manager
            .create_table(table(
                "activities",
                vec![
                    uuid("org_id"),
                    text("type", 16),
                    text("subject", 255),
                    ColumnDef::new(Alias::new("notes")).text().null().to_owned(),
                    ts_null("occurred_at"),
                    ts_null("due_at"),
                    ColumnDef::new(Alias::new("duration_minutes")).integer().null().to_owned(),
                    text_null("outcome", 255),
                    ColumnDef::new(Alias::new("done")).boolean().not_null().default(false).to_owned(),
                    uuid("owner_id"),
                    uuid_null("opportunity_id"),
                    uuid_null("account_id"),
                    uuid_null("contact_id"),
                    ts_null("deleted_at"),
                    ts("recorded_at"),
                ],
                vec![
                    fk("activities", "org_id", "orgs"),
                    fk("activities", "owner_id", "users"),
                    fk("activities", "opportunity_id", "opportunities"),
                    fk("activities", "account_id", "accounts"),
                    fk("activities", "contact_id", "contacts"),
                ],
                true,
            ))
            .await?;
        for (name, cols) in [
            ("ix_activities_org_opportunity", &["org_id", "opportunity_id", "occurred_at"][..]),
            ("ix_activities_org_account", &["org_id", "account_id"][..]),
            ("ix_activities_org_owner", &["org_id", "owner_id", "occurred_at"][..]),
        ] {
            manager.create_index(index(name, "activities", cols, false)).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Alias::new("activities")).to_owned()).await?;
        manager.drop_table(Table::drop().table(Alias::new("contacts")).to_owned()).await
    }
}
