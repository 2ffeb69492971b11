use sea_orm_migration::prelude::*;

use super::m20261129_000001_create_orgs::Orgs;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Users {
    Table,
    Id,
    OrgId,
    Name,
    Email,
    PasswordHash,
    Role,
    Active,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(Users::Table)
            .col(ColumnDef::new(Users::Id).uuid().not_null().primary_key())
            .col(ColumnDef::new(Users::OrgId).uuid().not_null())
            .col(ColumnDef::new(Users::Name).string_len(200).not_null())
            .col(ColumnDef::new(Users::Email).string_len(254).not_null())
            .col(ColumnDef::new(Users::PasswordHash).text().not_null())
            .col(ColumnDef::new(Users::Role).string_len(16).not_null())
            .col(ColumnDef::new(Users::Active).boolean().not_null().default(true))
            .foreign_key(
                ForeignKey::create()
                    .name("fk_users_org")
                    .from(Users::Table, Users::OrgId)
                    .to(Orgs::Table, Orgs::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            );
        manager.create_table(crate::audit_columns(&mut table).to_owned()).await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_users_org_email")
                    .table(Users::Table)
                    .col(Users::OrgId)
                    .col(Users::Email)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_users_email")
                    .table(Users::Table)
                    .col(Users::Email)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Users::Table).to_owned()).await
    }
}
