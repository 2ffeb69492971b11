//! Rebuilding rollups from scratch, and dropping cells that add up to zero.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use glassbox_domain::DomainError;
use glassbox_domain::analytics::rollup::{DealFacts, Figures};
use glassbox_domain::forecast::cells::ForecastCells;
use sea_orm::{ConnectionTrait, DbBackend};
use uuid::Uuid;

use super::facts::{facts, stage_lists};
use super::{Placed, contribute, mark_ready, write};
use crate::Store;
use crate::analytics::sql::Sql;
use crate::error::db_err;
use crate::forecast::cells as forecast_cells;
use crate::forecast::deals::org_settings;

/// Recomputes one org's rollups inside `conn`'s transaction.
///
/// # Errors
/// [`DomainError::Internal`] on storage failure.
pub(crate) async fn rebuild_in(conn: &impl ConnectionTrait, org: Uuid, now: DateTime<Utc>) -> Result<u64, DomainError> {
    let backend = conn.get_database_backend();
    if backend == DbBackend::Postgres {
        // Writers of deals wait until the rebuild commits; readers do not.
        // Then the org row, so a time-zone change waits too (and one that
        // committed before is read below).
        conn.execute_unprepared("LOCK TABLE opportunities, opportunity_stage_history IN SHARE MODE")
            .await
            .map_err(db_err)?;
        let mut s = Sql::new(backend);
        let o = s.bind(org);
        s.push(&format!("SELECT id FROM orgs WHERE id = {o} FOR SHARE"));
        s.all(conn).await?;
    }
    for table in ["rollup_totals", "rollup_deltas"] {
        let mut s = Sql::new(backend);
        let o = s.bind(org);
        s.push(&format!("DELETE FROM {table} WHERE org_id = {o}"));
        s.execute(conn).await?;
    }
    let stages = stage_lists(conn, org).await?;
    let settings = org_settings(conn, org).await?;
    let mut all: HashMap<Placed, Figures> = HashMap::new();
    let mut forecast: BTreeMap<Uuid, ForecastCells> = BTreeMap::new();
    let mut after: Option<Uuid> = None;
    let mut deals = 0_u64;
    loop {
        let mut s = Sql::new(backend);
        let o = s.bind(org);
        let from = after.map(|a| format!(" AND id > {}", s.bind(a))).unwrap_or_default();
        s.push(&format!(
            "SELECT id FROM opportunities WHERE org_id = {o} AND deleted_at IS NULL{from} ORDER BY id LIMIT 20000"
        ));
        let ids = s.ids(conn).await?;
        let Some(last) = ids.last().copied() else { break };
        after = Some(last);
        deals += ids.len() as u64;
        let facts: Vec<DealFacts> = facts(conn, org, &ids).await?.into_values().collect();
        contribute(&mut all, &facts, &stages, 1);
        for (owner, cells) in forecast_cells::of_deals(conn, org, &settings, &ids).await? {
            forecast.entry(owner).or_default().add(&cells, 1);
        }
    }
    all.retain(|_, f| !f.is_zero());
    let mut rows: Vec<(Placed, Figures)> = all.into_iter().collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let (totals, deltas): (Vec<_>, Vec<_>) = rows.into_iter().partition(|((_, _, k), _)| k.day.is_none());
    write(conn, org, "rollup_totals", &totals, false).await?;
    write(conn, org, "rollup_deltas", &deltas, false).await?;
    forecast_cells::replace(conn, org, forecast).await?;
    mark_ready(conn, org, now).await?;
    // After `mark_ready`: the same row order as `mark_stale`, so the two
    // never wait for each other's rows in opposite orders.
    crate::forecast::generation::invalidate(conn, org).await?;
    if backend == DbBackend::Postgres {
        // Fresh statistics, so the planner aggregates the cells in memory.
        conn.execute_unprepared("ANALYZE rollup_totals, rollup_deltas, forecast_cells")
            .await
            .map_err(db_err)?;
    }
    Ok(deals)
}

/// Marks `org`'s rollups incomplete inside the caller's transaction (after
/// a change that moves its cells, such as a new time zone): reports read
/// stage history until [`Store::rebuild_in_background`] has rebuilt them.
///
/// # Errors
/// [`DomainError::Internal`] on storage failure.
pub(crate) async fn mark_stale(conn: &impl ConnectionTrait, org: Uuid) -> Result<(), DomainError> {
    let mut s = Sql::new(conn.get_database_backend());
    let o = s.bind(org);
    s.push(&format!("DELETE FROM rollup_state WHERE org_id = {o}"));
    s.execute(conn).await?;
    crate::forecast::generation::invalidate(conn, org).await
}

impl Store {
    /// Rebuilds `org`'s rollups in a task of its own (call it after the
    /// transaction that marked them stale has committed); a failure is
    /// logged, and the hourly job of `serve` retries orgs left without
    /// rollups.
    pub(crate) fn rebuild_in_background(&self, org: Uuid) {
        let store = self.clone();
        tokio::spawn(async move {
            if let Err(e) = store.rebuild_rollups(Some(org)).await {
                tracing::warn!(%org, error = %e, "rebuilding analytics rollups failed; reports read stage history");
            }
        });
    }

    /// Deletes rollup and forecast cells whose figures all add up to zero
    /// (left behind when deals move on); returns how many.
    ///
    /// # Errors
    /// [`DomainError::Internal`] on storage failure.
    pub async fn compact_rollups(&self) -> Result<u64, DomainError> {
        let mut removed = 0;
        for table in ["rollup_totals", "rollup_deltas"] {
            let mut s = Sql::new(self.conn().get_database_backend());
            s.push(&format!(
                "DELETE FROM {table} WHERE n = 0 AND advanced = 0 AND won = 0 AND lost = 0 AND amount_hi = 0 AND amount_lo = 0"
            ));
            removed += s.execute_counted(self.conn()).await?;
        }
        let mut s = Sql::new(self.conn().get_database_backend());
        s.push("DELETE FROM forecast_cells WHERE n = 0 AND live = 0 AND amount_hi = 0 AND amount_lo = 0 AND sq_hi = 0 AND sq_mid = 0 AND sq_lo = 0");
        removed += s.execute_counted(self.conn()).await?;
        Ok(removed)
    }

    /// Recomputes the analytics rollups of `org` (every org when `None`)
    /// from deals and stage history, one transaction per org; returns the
    /// deals read. Needed after loading data with plain SQL; writes through
    /// Glassbox keep rollups current themselves.
    ///
    /// # Errors
    /// [`DomainError::Internal`] on storage failure.
    pub async fn rebuild_rollups(&self, org: Option<Uuid>) -> Result<u64, DomainError> {
        let orgs: Vec<Uuid> = match org {
            Some(o) => vec![o],
            None => {
                let mut s = Sql::new(self.conn().get_database_backend());
                s.push("SELECT id FROM orgs ORDER BY id");
                s.ids(self.conn()).await?
            }
        };
        let mut deals = 0;
        for org in orgs {
            let txn = self.begin_write().await?;
            deals += rebuild_in(&txn, org, self.now()).await?;
            txn.commit().await.map_err(db_err)?;
        }
        Ok(deals)
    }

    /// Rebuilds the orgs whose rollups are not marked complete (such as
    /// orgs that existed before rollups did); returns how many.
    ///
    /// # Errors
    /// [`DomainError::Internal`] on storage failure.
    pub async fn rebuild_missing_rollups(&self) -> Result<usize, DomainError> {
        let mut s = Sql::new(self.conn().get_database_backend());
        s.push("SELECT id FROM orgs WHERE id NOT IN (SELECT org_id FROM rollup_state) ORDER BY id");
        let orgs = s.ids(self.conn()).await?;
        for org in &orgs {
            self.rebuild_rollups(Some(*org)).await?;
        }
        Ok(orgs.len())
    }
}
