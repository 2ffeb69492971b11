use sea_orm_migration::prelude::*;

use super::m20261129_000001_create_orgs::Orgs;
use super::m20261129_000002_create_users::Users;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Teams {
    Table,
    Id,
    OrgId,
    Name,
    Kind,
    ParentTeamId,
    ManagerUserId,
}

#[derive(DeriveIden)]
enum TeamMembers {
    Table,
    OrgId,
    TeamId,
    UserId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(Teams::Table)
            .col(ColumnDef::new(Teams::Id).uuid().not_null().primary_key())
            .col(ColumnDef::new(Teams::OrgId).uuid().not_null())
            .col(ColumnDef::new(Teams::Name).string_len(200).not_null())
            .col(ColumnDef::new(Teams::Kind).string_len(16).not_null())
            .col(ColumnDef::new(Teams::ParentTeamId).uuid().null())
            .col(ColumnDef::new(Teams::ManagerUserId).uuid().null())
            .foreign_key(
                ForeignKey::create()
                    .name("fk_teams_org")
                    .from(Teams::Table, Teams::OrgId)
                    .to(Orgs::Table, Orgs::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            )
            .foreign_key(
                ForeignKey::create()
                    .name("fk_teams_parent")
                    .from(Teams::Table, Teams::ParentTeamId)
                    .to(Teams::Table, Teams::Id)
                    .on_delete(ForeignKeyAction::Restrict),
            )
            .foreign_key(
                ForeignKey::create()
                    .name("fk_teams_manager")
                    .from(Teams::Table, Teams::ManagerUserId)
                    .to(Users::Table, Users::Id)
                    .on_delete(ForeignKeyAction::SetNull),
            );
        manager.create_table(crate::audit_columns(&mut table).to_owned()).await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_teams_org_name")
                    .table(Teams::Table)
                    .col(Teams::OrgId)
                    .col(Teams::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TeamMembers::Table)
                    .col(ColumnDef::new(TeamMembers::OrgId).uuid().not_null())
                    .col(ColumnDef::new(TeamMembers::TeamId).uuid().not_null())
                    .col(ColumnDef::new(TeamMembers::UserId).uuid().not_null())
                    .primary_key(Index::create().col(TeamMembers::TeamId).col(TeamMembers::UserId))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_team_members_team")
                            .from(TeamMembers::Table, TeamMembers::TeamId)
                            .to(Teams::Table, Teams::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_team_members_user")
                            .from(TeamMembers::Table, TeamMembers::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_team_members_user")
                    .table(TeamMembers::Table)
                    .col(TeamMembers::OrgId)
                    .col(TeamMembers::UserId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(TeamMembers::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Teams::Table).to_owned()).await
    }
}
