//! The audit log: who did what to which record, when, from which user or
//! API key. Append-only: the database itself refuses to change or remove
//! an entry.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

use super::m20261129_000005_create_sales_core::{index, table, text, text_null, ts, uuid, uuid_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(table(
                "audit_log",
                vec![
                    uuid("org_id"),
                    ts("at"),
                    uuid_null("actor_user_id"),
                    uuid_null("api_key_id"),
                    text("action", 32),
                    text("resource", 40),
                    uuid_null("resource_id"),
                    ColumnDef::new(Alias::new("status")).integer().not_null().to_owned(),
                    text_null("request_id", 64),
                    text_null("ip", 64),
                    ColumnDef::new(Alias::new("detail")).text().null().to_owned(),
                ],
                vec![],
                false,
            ))
            .await?;
        manager
            .create_index(index("ix_audit_log_org_at", "audit_log", &["org_id", "at", "id"], false))
            .await?;
        manager
            .create_index(index("ix_audit_log_resource", "audit_log", &["org_id", "resource_id", "at"], false))
            .await?;
        let db = manager.get_connection();
        match db.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(
                    "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ \
                     BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log \
                     FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
                )
                .await?;
            }
            _ => {
                for op in ["UPDATE", "DELETE"] {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER audit_log_no_{} BEFORE {op} ON audit_log \
                         BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
                        op.to_lowercase()
                    ))
                    .await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Alias::new("audit_log")).to_owned()).await?;
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("DROP FUNCTION IF EXISTS audit_log_append_only()")
                .await?;
        }
        Ok(())
    }
}
