//! Forecast cells kept current by writes (`forecast_cells`, see the
//! domain's `forecast::cells`), and the history-based model's fits kept per
//! org-local day (`forecast_model_fits`), valid while their org's
//! `forecast_fit_generations` row has not moved on.

use sea_orm_migration::prelude::*;

use super::m20261129_000005_create_sales_core::{fk, index, int, text, ts, uuid};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn big(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).big_integer().not_null().to_owned()
}

const KEY: [&str; 9] = [
    "org_id", "owner_id", "grain", "day1", "stage_id", "kind", "category", "day2", "currency",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut cells = Table::create();
        cells
            .table(Alias::new("forecast_cells"))
            .col(uuid("org_id"))
            .col(uuid("owner_id"))
            .col(ColumnDef::new(Alias::new("grain")).small_integer().not_null())
            .col(int("day1"))
            .col(uuid("stage_id"))
            .col(text("kind", 8))
            .col(text("category", 16))
            .col(int("day2"))
            .col(text("currency", 3));
        // Σ amount² reaches 10^36 (amounts up to 10^15 minor units): three
        // limbs of 10^9.
        for v in ["n", "live", "amount_hi", "amount_lo", "sq_hi", "sq_mid", "sq_lo"] {
            cells.col(big(v));
        }
        cells.foreign_key(&mut fk("forecast_cells", "org_id", "orgs"));
        manager.create_table(cells.to_owned()).await?;
        manager
            .create_index(index("ux_forecast_cells", "forecast_cells", &KEY, true))
            .await?;

        let mut fits = Table::create();
        fits.table(Alias::new("forecast_model_fits"))
            .col(uuid("org_id"))
            .col(big("generation"))
            .col(int("today"))
            .col(int("window_days"))
            .col(int("first_day"))
            .col(int("last_day"))
            .col(ColumnDef::new(Alias::new("body")).text().not_null())
            .col(ts("created_at"))
            .foreign_key(&mut fk("forecast_model_fits", "org_id", "orgs"));
        manager.create_table(fits.to_owned()).await?;
        manager
            .create_index(index(
                "ux_forecast_model_fits",
                "forecast_model_fits",
                &["org_id", "generation", "today", "window_days", "first_day", "last_day"],
                true,
            ))
            .await?;
        let mut generations = Table::create();
        generations
            .table(Alias::new("forecast_fit_generations"))
            .col(ColumnDef::new(Alias::new("org_id")).uuid().not_null().primary_key())
            .col(big("generation"))
            .foreign_key(&mut fk("forecast_fit_generations", "org_id", "orgs"));
        manager.create_table(generations.to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in ["forecast_fit_generations", "forecast_model_fits", "forecast_cells"] {
            manager.drop_table(Table::drop().table(Alias::new(t)).to_owned()).await?;
        }
        Ok(())
    }
}
