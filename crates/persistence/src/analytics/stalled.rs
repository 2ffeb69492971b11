//! Stalled deals: open longer in their current stage than the stage allows.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};
use glassbox_domain::analytics::{SECONDS_PER_DAY, StalledOpportunity, StalledRule};
use glassbox_domain::page::{Page, PageRequest};
use glassbox_domain::stats::Quantile;
use glassbox_domain::{DomainError, Scope};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::sql::{Sql, order_statistics};
use super::{Bounds, ReportQuery, bounds, owner_filter, read_quantiles};
use crate::Store;
use crate::entities::stages;
use crate::error::db_err;

/// Keyset position: `(stage_entered_at, opportunity_id)`, longest in stage
/// first.
pub type StalledKey = (DateTime<Utc>, Uuid);

/// Threshold per open stage: `rotting_days` where set, else the 80th
/// percentile of the seconds won deals (won at `as_of`) spent in the stage,
/// over their stays finished by `as_of`.
async fn thresholds(
    conn: &impl ConnectionTrait,
    org: Uuid,
    as_of: DateTime<Utc>,
) -> Result<HashMap<Uuid, (f64, StalledRule)>, DomainError> {
    let open = stages::Entity::find()
        .filter(stages::Column::OrgId.eq(org))
        .filter(stages::Column::Kind.eq("open"))
        .all(conn)
        .await
        .map_err(db_err)?;
    let mut s = Sql::new(conn.get_database_backend());
    let (o, t, t2, o2, t3) = (s.bind(org), s.bind(as_of), s.bind(as_of), s.bind(org), s.bind(as_of));
    let secs = s.seconds_between("h.exited_at", "h.entered_at");
    let stays = format!(
        "SELECT h.to_stage_id AS grp, {secs} AS val FROM opportunity_stage_history h \
         WHERE h.org_id = {o2} AND h.opportunity_id IN (SELECT opp FROM won) \
         AND h.exited_at IS NOT NULL AND h.exited_at <= {t3}"
    );
    s.push(&format!(
        "WITH won AS (SELECT h.opportunity_id AS opp FROM opportunity_stage_history h \
           JOIN stages st ON st.id = h.to_stage_id JOIN opportunities o ON o.id = h.opportunity_id \
           WHERE h.org_id = {o} AND st.kind = 'won' AND o.deleted_at IS NULL \
           AND h.entered_at <= {t} AND (h.exited_at IS NULL OR h.exited_at > {t2})) {}",
        order_statistics(&stays, Quantile::P80)
    ));
    let p80 = read_quantiles(&s.all(conn).await?, Quantile::P80)?;
    Ok(open
        .into_iter()
        .filter_map(|st| match st.rotting_days {
            Some(days) => Some((st.id, (f64::from(days), StalledRule::RottingDays))),
            None => p80.get(&st.id).map(|secs| (st.id, (secs / SECONDS_PER_DAY, StalledRule::WonP80))),
        })
        .collect())
}

impl Store {
    /// Open deals (at `as_of`, default now) whose time in their current
    /// stage exceeds the stage's threshold: its `rotting_days`, or without
    /// one the 80th percentile of the days won deals spent in it. Longest
    /// in stage first, keyset-paginated.
    ///
    /// # Errors
    /// [`DomainError::Validation`] naming `owner_id` or `team_id`.
    pub async fn stalled_opportunities(
        &self,
        scope: &Scope,
        q: &ReportQuery,
        page: PageRequest<StalledKey>,
    ) -> Result<Page<StalledOpportunity, StalledKey>, DomainError> {
        let conn = self.conn();
        let Bounds { org, owners, as_of, .. } = bounds(conn, scope, q, self.now()).await?;
        let limits = thresholds(conn, org, as_of).await?;
        if limits.is_empty() {
            return Ok(Page {
                items: Vec::new(),
                next_after: None,
            });
        }
        let mut s = Sql::new(conn.get_database_backend());
        let (o, t, o2, t2, t3) = (s.bind(org), s.bind(as_of), s.bind(org), s.bind(as_of), s.bind(as_of));
        let who = owner_filter(&mut s, "o.owner_id", &owners);
        let mut ids: Vec<&Uuid> = limits.keys().collect();
        ids.sort();
        let past: Vec<String> = ids
            .into_iter()
            .map(|stage| {
                let days = limits[stage].0;
                let cutoff = as_of - TimeDelta::microseconds((days * SECONDS_PER_DAY * 1e6) as i64);
                format!("(h.to_stage_id = {} AND h.entered_at < {})", s.bind(*stage), s.bind(cutoff))
            })
            .collect();
        let after = match page.after {
            None => String::new(),
            Some((at, id)) => {
                let (a, a2, i) = (s.bind(at), s.bind(at), s.bind(id));
                format!(" AND (h.entered_at > {a} OR (h.entered_at = {a2} AND h.opportunity_id > {i}))")
            }
        };
        let limit = page.limit.get() + 1;
        s.push(&format!(
            "SELECT h.opportunity_id AS opp, o.name AS name, o.owner_id AS owner_id, h.to_stage_id AS stage, \
               h.entered_at AS entered_at, \
               (SELECT MAX(a.occurred_at) FROM activities a WHERE a.org_id = {o2} AND a.opportunity_id = h.opportunity_id \
                 AND a.deleted_at IS NULL AND a.occurred_at <= {t2}) AS last_activity_at \
             FROM opportunity_stage_history h JOIN opportunities o ON o.id = h.opportunity_id \
             WHERE h.org_id = {o} AND o.deleted_at IS NULL AND h.entered_at <= {t} \
               AND (h.exited_at IS NULL OR h.exited_at > {t3}){who} AND ({}){after} \
             ORDER BY h.entered_at, h.opportunity_id LIMIT {limit}",
            past.join(" OR ")
        ));
        let rows = s
            .all(conn)
            .await?
            .iter()
            .map(|r| {
                let stage: Uuid = r.try_get("", "stage")?;
                let entered: DateTime<Utc> = r.try_get("", "entered_at")?;
                let (threshold, rule) = limits.get(&stage).copied().unwrap_or((0.0, StalledRule::RottingDays));
                Ok(StalledOpportunity {
                    opportunity_id: r.try_get("", "opp")?,
                    name: r.try_get("", "name")?,
                    owner_id: r.try_get("", "owner_id")?,
                    stage_id: stage,
                    stage_entered_at: entered,
                    days_in_stage: (as_of - entered).num_seconds() as f64 / SECONDS_PER_DAY,
                    threshold_days: threshold,
                    rule,
                    last_activity_at: r.try_get("", "last_activity_at")?,
                })
            })
            .collect::<Result<Vec<_>, sea_orm::DbErr>>()
            .map_err(db_err)?;
        Ok(Page::from_overfetch(rows, page.limit, |r| (r.stage_entered_at, r.opportunity_id)))
    }
}
