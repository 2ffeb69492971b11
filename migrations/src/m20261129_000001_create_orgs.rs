use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Orgs {
    Table,
    Id,
    Name,
    BaseCurrency,
    FiscalYearStartMonth,
    TimeZone,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(Orgs::Table)
            .col(ColumnDef::new(Orgs::Id).uuid().not_null().primary_key())
            .col(ColumnDef::new(Orgs::Name).string_len(200).not_null())
            .col(ColumnDef::new(Orgs::BaseCurrency).string_len(3).not_null())
            .col(ColumnDef::new(Orgs::FiscalYearStartMonth).integer().not_null())
            .col(ColumnDef::new(Orgs::TimeZone).string_len(64).not_null());
        manager.create_table(crate::audit_columns(&mut table).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Orgs::Table).to_owned()).await
    }
}
