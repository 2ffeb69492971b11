//! Pipelines and stages, accounts, products, opportunities and their stage
//! and field history.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

pub(crate) fn uuid(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).uuid().not_null().to_owned()
}
pub(crate) fn uuid_null(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).uuid().null().to_owned()
}
pub(crate) fn text(name: &str, len: u32) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).string_len(len).not_null().to_owned()
}
pub(crate) fn text_null(name: &str, len: u32) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).string_len(len).null().to_owned()
}
pub(crate) fn int(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).integer().not_null().to_owned()
}
pub(crate) fn bigint_null(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).big_integer().null().to_owned()
}
pub(crate) fn ts(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).timestamp_with_time_zone().not_null().to_owned()
}
pub(crate) fn ts_null(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).timestamp_with_time_zone().null().to_owned()
}
pub(crate) fn fk(table: &str, col: &str, to: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{col}"))
        .from(Alias::new(table), Alias::new(col))
        .to(Alias::new(to), Alias::new("id"))
        .to_owned()
}
pub(crate) fn table(name: &str, cols: Vec<ColumnDef>, fks: Vec<ForeignKeyCreateStatement>, audit: bool) -> TableCreateStatement {
    let mut t = Table::create();
    t.table(Alias::new(name))
        .col(ColumnDef::new(Alias::new("id")).uuid().not_null().primary_key());
    for mut c in cols {
        t.col(&mut c);
    }
    for mut f in fks {
        t.foreign_key(&mut f);
    }
    if audit {
        crate::audit_columns(&mut t);
    }
    t.to_owned()
}
pub(crate) fn index(name: &str, table: &str, cols: &[&str], unique: bool) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(Alias::new(table));
    for c in cols {
        i.col(Alias::new(*c));
    }
    if unique {
        i.unique();
    }
    i.to_owned()
}

const TABLES: [&str; 7] = [
    "opportunity_field_history",
    "opportunity_stage_history",
    "opportunities",
    "products",
    "accounts",
    "stages",
    "pipelines",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(table(
                "pipelines",
                vec![uuid("org_id"), text("name", 255)],
                vec![fk("pipelines", "org_id", "orgs")],
                true,
            ))
            .await?;
        manager
            .create_index(index("ux_pipelines_org_name", "pipelines", &["org_id", "name"], true))
            .await?;
        manager
            .create_table(table(
                "stages",
                vec![
                    uuid("org_id"),
                    uuid("pipeline_id"),
                    text("name", 255),
                    int("position"),
                    int("probability"),
                    text("kind", 8),
                    text("forecast_category", 16),
                    ColumnDef::new(Alias::new("rotting_days")).integer().null().to_owned(),
                    ColumnDef::new(Alias::new("required_fields")).text().not_null().to_owned(),
                ],
                vec![fk("stages", "pipeline_id", "pipelines")],
                true,
            ))
            .await?;
        manager
            .create_index(index("ix_stages_pipeline", "stages", &["org_id", "pipeline_id", "position"], false))
            .await?;
        manager
            .create_table(table(
                "accounts",
                vec![
                    uuid("org_id"),
                    text("name", 255),
                    uuid_null("parent_account_id"),
                    text_null("industry", 255),
                    text_null("website", 2048),
                    ColumnDef::new(Alias::new("employees")).integer().null().to_owned(),
                    bigint_null("annual_revenue_minor"),
                    text("currency", 3),
                    uuid("owner_id"),
                    text_null("external_id", 255),
                    ts_null("deleted_at"),
                ],
                vec![
                    fk("accounts", "org_id", "orgs"),
                    fk("accounts", "parent_account_id", "accounts"),
                    fk("accounts", "owner_id", "users"),
                ],
                true,
            ))
            .await?;
        manager
            .create_index(index("ux_accounts_org_external", "accounts", &["org_id", "external_id"], true))
            .await?;
        manager
            .create_index(index("ix_accounts_org_name", "accounts", &["org_id", "name"], false))
            .await?;
        manager
            .create_table(table(
                "products",
                vec![
                    uuid("org_id"),
                    text("name", 255),
                    text_null("code", 64),
                    ColumnDef::new(Alias::new("list_price_minor")).big_integer().not_null().to_owned(),
                    text("currency", 3),
                    ColumnDef::new(Alias::new("active")).boolean().not_null().default(true).to_owned(),
                ],
                vec![fk("products", "org_id", "orgs")],
                true,
            ))
            .await?;
        manager
            .create_index(index("ux_products_org_name", "products", &["org_id", "name"], true))
            .await?;
        manager
            .create_index(index("ux_products_org_code", "products", &["org_id", "code"], true))
            .await?;
        manager
            .create_table(table(
                "opportunities",
                vec![
                    uuid("org_id"),
                    text("name", 255),
                    uuid_null("account_id"),
                    uuid("owner_id"),
                    uuid("pipeline_id"),
                    uuid("stage_id"),
                    text("status", 8),
                    bigint_null("amount_minor"),
                    text("currency", 3),
                    ColumnDef::new(Alias::new("close_date")).date().null().to_owned(),
                    text("forecast_category", 16),
                    text_null("next_step", 1000),
                    text_null("lead_source", 255),
                    uuid_null("campaign_id"),
                    uuid_null("product_id"),
                    text_null("loss_reason", 1000),
                    ts_null("closed_at"),
                    ts("stage_entered_at"),
                    ts_null("last_activity_at"),
                    text_null("external_id", 255),
                    ts_null("deleted_at"),
                ],
                vec![
                    fk("opportunities", "account_id", "accounts"),
                    fk("opportunities", "owner_id", "users"),
                    fk("opportunities", "pipeline_id", "pipelines"),
                    fk("opportunities", "stage_id", "stages"),
                    fk("opportunities", "product_id", "products"),
                ],
                true,
            ))
            .await?;
        for (name, cols, unique) in [
            ("ux_opportunities_org_external", &["org_id", "external_id"][..], true),
            ("ix_opportunities_org_created", &["org_id", "created_at", "id"][..], false),
            (
                "ix_opportunities_org_owner_stage",
                &["org_id", "owner_id", "stage_id", "created_at", "id"][..],
                false,
            ),
            ("ix_opportunities_org_stage", &["org_id", "stage_id", "created_at", "id"][..], false),
            ("ix_opportunities_org_account", &["org_id", "account_id"][..], false),
            ("ix_opportunities_org_updated", &["org_id", "updated_at", "id"][..], false),
            ("ix_opportunities_org_close_date", &["org_id", "close_date"][..], false),
        ] {
            manager.create_index(index(name, "opportunities", cols, unique)).await?;
        }
        manager
            .create_table(table(
                "opportunity_stage_history",
                vec![
                    uuid("org_id"),
                    uuid("opportunity_id"),
                    uuid_null("from_stage_id"),
                    uuid("to_stage_id"),
                    ts("entered_at"),
                    ts_null("exited_at"),
                    uuid_null("actor_id"),
                ],
                vec![
                    fk("opportunity_stage_history", "opportunity_id", "opportunities"),
                    fk("opportunity_stage_history", "to_stage_id", "stages"),
                ],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_stage_history_opp",
                "opportunity_stage_history",
                &["org_id", "opportunity_id", "entered_at"],
                false,
            ))
            .await?;
        manager
            .create_table(table(
                "opportunity_field_history",
                vec![
                    uuid("org_id"),
                    uuid("opportunity_id"),
                    text("field", 32),
                    text_null("old_value", 255),
                    text_null("new_value", 255),
                    uuid_null("actor_id"),
                    ts("changed_at"),
                ],
                vec![fk("opportunity_field_history", "opportunity_id", "opportunities")],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_field_history_opp",
                "opportunity_field_history",
                &["org_id", "opportunity_id", "changed_at"],
                false,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in TABLES {
            manager.drop_table(Table::drop().table(Alias::new(t)).to_owned()).await?;
        }
        Ok(())
    }
}
