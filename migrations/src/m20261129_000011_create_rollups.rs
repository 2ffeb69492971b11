//! Day-granular analytics rollups (see the domain's `analytics::rollup`):
//! `rollup_deltas` (figures that hold from `day` on) and `rollup_totals`
//! (their sums: figures now), per org, pipeline and owner (an all-owners
//! row too), kept current in each write; `rollup_state` marks the orgs
//! whose rollups are complete.

use sea_orm_migration::prelude::*;

use super::m20261129_000005_create_sales_core::{fk, index, int, text, ts, uuid};

#[derive(DeriveMigrationName)]
pub struct Migration;

const KEY: [&str; 10] = [
    "org_id",
    "pipeline_id",
    "owner_id",
    "metric",
    "cohort",
    "cohort2",
    "stage_id",
    "other_id",
    "currency",
    "bucket",
];

fn big(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).big_integer().not_null().to_owned()
}

fn cells(name: &str, with_day: bool) -> TableCreateStatement {
    let mut t = Table::create();
    t.table(Alias::new(name))
        .col(uuid("org_id"))
        .col(uuid("pipeline_id"))
        .col(uuid("owner_id"))
        .col(ColumnDef::new(Alias::new("metric")).small_integer().not_null())
        .col(int("cohort"))
        .col(int("cohort2"))
        .col(uuid("stage_id"))
        .col(uuid("other_id"))
        .col(text("currency", 3))
        .col(big("bucket"));
    if with_day {
        t.col(int("day"));
    }
    for v in ["n", "advanced", "won", "lost", "amount_hi", "amount_lo"] {
        t.col(big(v));
    }
    t.foreign_key(&mut fk(name, "org_id", "orgs"));
    t.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(cells("rollup_totals", false)).await?;
        manager.create_index(index("ux_rollup_totals", "rollup_totals", &KEY, true)).await?;
        manager.create_table(cells("rollup_deltas", true)).await?;
        let mut key: Vec<&str> = KEY.to_vec();
        key.push("day");
        manager.create_index(index("ux_rollup_deltas", "rollup_deltas", &key, true)).await?;
        manager
            .create_index(index(
                "ix_rollup_deltas_day",
                "rollup_deltas",
                &["org_id", "pipeline_id", "owner_id", "metric", "day"],
                false,
            ))
            .await?;
        let mut state = Table::create();
        state
            .table(Alias::new("rollup_state"))
            .col(ColumnDef::new(Alias::new("org_id")).uuid().not_null().primary_key())
            .col(ts("built_at"))
            .foreign_key(&mut fk("rollup_state", "org_id", "orgs"));
        manager.create_table(state.to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in ["rollup_state", "rollup_deltas", "rollup_totals"] {
            manager.drop_table(Table::drop().table(Alias::new(t)).to_owned()).await?;
        }
        Ok(())
    }
}
