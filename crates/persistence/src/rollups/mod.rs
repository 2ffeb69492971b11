//! Analytics rollups kept current in the write transaction (the cells are
//! defined in the domain's `analytics::rollup`): what each deal contributes
//! is computed from its row and stage history before and after a write,
//! and the difference is added to `rollup_deltas` and `rollup_totals`, once
//! under the deal's owner and once under [`ALL_OWNERS`].
//!
//! Deadlocks: a transaction adds its cells in one statement per table in a
//! fixed key order, after it has locked the deals it changes, so two
//! writers never wait for each other's cells in opposite orders.
//! [`Store::rebuild_rollups`] recomputes an org from scratch (after bulk
//! SQL loads, a time-zone change or a stage reorder) while holding writers
//! to opportunities and their history off.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use glassbox_domain::DomainError;
use glassbox_domain::analytics::rollup::{CellKey, DealFacts, Figures, cells};
use glassbox_domain::forecast::cells::ForecastCells;
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::analytics::sql::{SPLIT, Sql};
use crate::forecast::cells as forecast_cells;
use crate::forecast::deals::{Org, org_settings};

mod facts;
pub(crate) mod keys;
pub(crate) mod read;
mod rebuild;

use facts::{facts, stage_lists};
pub use keys::ALL_OWNERS;
pub(crate) use keys::day_number;
pub(crate) use rebuild::mark_stale;

/// A cell with its place: (pipeline, owner, key).
pub(super) type Placed = (Uuid, Uuid, CellKey);

/// The deals a write is about to change, with their contributions before.
pub(crate) struct Tracked {
    org: Uuid,
    ids: Vec<Uuid>,
    before: Vec<DealFacts>,
    /// The org settings forecast cells are computed with, once read.
    settings: Option<Org>,
    forecast_before: BTreeMap<Uuid, ForecastCells>,
}

/// Reads what `ids` contribute now; call [`Tracked::apply`] after writing
/// them, in the same transaction.
///
/// # Errors
/// [`DomainError::Internal`] on storage failure.
pub(crate) async fn track(conn: &impl ConnectionTrait, org: Uuid, ids: &[Uuid]) -> Result<Tracked, DomainError> {
    let before = facts(conn, org, ids).await?.into_values().collect();
    let settings = org_settings(conn, org).await?;
    let forecast_before = forecast_cells::of_deals(conn, org, &settings, ids).await?;
    Ok(Tracked {
        org,
        ids: ids.to_vec(),
        before,
        settings: Some(settings),
        forecast_before,
    })
}

/// Deals created in this transaction: nothing to subtract.
pub(crate) fn created(org: Uuid, ids: &[Uuid]) -> Tracked {
    Tracked {
        org,
        ids: ids.to_vec(),
        before: Vec::new(),
        settings: None,
        forecast_before: BTreeMap::new(),
    }
}

impl Tracked {
    /// Adds the tracked deals' new contributions and removes their old ones.
    ///
    /// # Errors
    /// [`DomainError::Internal`] on storage failure.
    pub(crate) async fn apply(self, conn: &impl ConnectionTrait) -> Result<(), DomainError> {
        let after: Vec<DealFacts> = facts(conn, self.org, &self.ids).await?.into_values().collect();
        let stages = stage_lists(conn, self.org).await?;
        let mut diff: HashMap<Placed, Figures> = HashMap::new();
        contribute(&mut diff, &self.before, &stages, -1);
        contribute(&mut diff, &after, &stages, 1);
        diff.retain(|_, f| !f.is_zero());
        upsert(conn, self.org, diff).await?;
        let settings = match self.settings {
            Some(s) => s,
            None => org_settings(conn, self.org).await?,
        };
        let forecast_after = forecast_cells::of_deals(conn, self.org, &settings, &self.ids).await?;
        forecast_cells::apply_diff(conn, self.org, &self.forecast_before, &forecast_after).await
    }
}

/// Adds `sign` times the cells of `deals` to `into`, under each deal's
/// owner and under [`ALL_OWNERS`].
pub(super) fn contribute(into: &mut HashMap<Placed, Figures>, deals: &[DealFacts], stages: &HashMap<Uuid, Vec<(Uuid, i32)>>, sign: i64) {
    let none = Vec::new();
    for deal in deals {
        let list = stages.get(&deal.pipeline_id).unwrap_or(&none);
        for (key, f) in cells(deal, list) {
            for owner in [deal.owner_id, ALL_OWNERS] {
                into.entry((deal.pipeline_id, owner, key.clone())).or_default().add(&f, sign);
            }
        }
    }
}

/// Adds `cells` to the stored ones (inserting missing keys), in key order.
async fn upsert(conn: &impl ConnectionTrait, org: Uuid, cells: HashMap<Placed, Figures>) -> Result<(), DomainError> {
    let mut rows: Vec<(Placed, Figures)> = cells.into_iter().collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let (totals, deltas): (Vec<_>, Vec<_>) = rows.into_iter().partition(|((_, _, k), _)| k.day.is_none());
    write(conn, org, "rollup_totals", &totals, true).await?;
    write(conn, org, "rollup_deltas", &deltas, true).await
}

const KEY_COLUMNS: &str = "org_id, pipeline_id, owner_id, metric, cohort, cohort2, stage_id, other_id, currency, bucket";

/// Inserts `rows` into `table`; with `add`, a key already stored gets the
/// figures added instead.
pub(super) async fn write(
    conn: &impl ConnectionTrait,
    org: Uuid,
    table: &str,
    rows: &[(Placed, Figures)],
    add: bool,
) -> Result<(), DomainError> {
    let with_day = table == "rollup_deltas";
    let key = if with_day {
        format!("{KEY_COLUMNS}, day")
    } else {
        KEY_COLUMNS.to_owned()
    };
    for chunk in rows.chunks(400) {
        let mut s = Sql::new(conn.get_database_backend());
        let o = s.bind(org);
        let values: Vec<String> = chunk
            .iter()
            .map(|((pipeline, owner, k), f)| {
                let (hi, lo) = split(f.amount);
                let mut v = vec![
                    o.clone(),
                    s.bind(*pipeline),
                    s.bind(*owner),
                    s.bind(k.metric.code()),
                    s.bind(day_number(k.cohort)),
                    s.bind(day_number(k.cohort2)),
                    s.bind(k.stage_id),
                    s.bind(k.other_id),
                    s.bind(k.currency.clone()),
                    s.bind(k.bucket),
                ];
                if let Some(d) = k.day {
                    v.push(s.bind(day_number(d)));
                }
                for x in [f.n, f.advanced, f.won, f.lost, hi, lo] {
                    v.push(s.bind(x));
                }
                format!("({})", v.join(", "))
            })
            .collect();
        let on_conflict = if add {
            format!(
                " ON CONFLICT ({key}) DO UPDATE SET n = {table}.n + excluded.n, advanced = {table}.advanced + excluded.advanced, \
                 won = {table}.won + excluded.won, lost = {table}.lost + excluded.lost, \
                 amount_hi = {table}.amount_hi + excluded.amount_hi + ({table}.amount_lo + excluded.amount_lo) / {SPLIT}, \
                 amount_lo = ({table}.amount_lo + excluded.amount_lo) % {SPLIT}"
            )
        } else {
            String::new()
        };
        s.push(&format!(
            "INSERT INTO {table} ({key}, n, advanced, won, lost, amount_hi, amount_lo) VALUES {}{on_conflict}",
            values.join(", ")
        ));
        s.execute(conn).await?;
    }
    Ok(())
}

/// An amount as (billions, remainder in 0..SPLIT), as the report SQL sums
/// them; stored sums keep the remainder in that range, so a zero amount is
/// stored as (0, 0).
fn split(amount: i128) -> (i64, i64) {
    let split = i128::from(SPLIT);
    (
        i64::try_from(amount.div_euclid(split)).unwrap_or(i64::MAX),
        i64::try_from(amount.rem_euclid(split)).unwrap_or(0),
    )
}

/// Whether the org's rollups are complete (built, then kept current).
///
/// # Errors
/// [`DomainError::Internal`] on storage failure.
pub(crate) async fn ready(conn: &impl ConnectionTrait, org: Uuid) -> Result<bool, DomainError> {
    let mut s = Sql::new(conn.get_database_backend());
    let o = s.bind(org);
    s.push(&format!("SELECT org_id FROM rollup_state WHERE org_id = {o}"));
    Ok(!s.all(conn).await?.is_empty())
}

/// Marks a new, empty org's rollups complete.
///
/// # Errors
/// [`DomainError::Internal`] on storage failure.
pub(crate) async fn mark_ready(conn: &impl ConnectionTrait, org: Uuid, now: DateTime<Utc>) -> Result<(), DomainError> {
    let mut s = Sql::new(conn.get_database_backend());
    let (o, at) = (s.bind(org), s.bind(now));
    s.push(&format!(
        "INSERT INTO rollup_state (org_id, built_at) VALUES ({o}, {at}) ON CONFLICT (org_id) DO UPDATE SET built_at = excluded.built_at"
    ));
    s.execute(conn).await
}
