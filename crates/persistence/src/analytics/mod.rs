//! Process analytics in SQL: funnel, stage conversion, stalled deals. Every
//! query aggregates in the database and reads stage history as it stood at
//! an `as_of` instant.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use glassbox_domain::DomainError;
use glassbox_domain::Scope;
use glassbox_domain::analytics::{AsOf, StageRef};
use glassbox_domain::pipeline::StageKind;
use glassbox_domain::stats::Quantile;
use glassbox_domain::team::with_descendants;
use glassbox_domain::window::DateWindow;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QueryResult, QuerySelect};
use uuid::Uuid;

use crate::entities::{pipelines, stages, team_members};
use crate::error::db_err;
use crate::refs::{Ref, check};

mod funnel;
mod kpis;
mod reps;
pub(crate) mod sql;
mod stalled;
pub(crate) mod waterfall;

pub use funnel::{FunnelQuery, Source};
pub use kpis::KpiReport;
pub use reps::RepReport;
pub use stalled::StalledKey;
pub use waterfall::WaterfallReport;

/// Whose deals a report covers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Audience {
    /// The whole org.
    #[default]
    Org,
    /// Deals owned by this user.
    Owner(Uuid),
    /// Deals owned by members of this team or any team below it.
    Team(Uuid),
}

/// The owners a report is limited to (`None`: everyone).
///
/// # Errors
/// [`DomainError::Validation`] naming `owner_id` or `team_id` when it is not
/// a user or team of the org.
async fn owners(conn: &impl ConnectionTrait, org: Uuid, who: Audience) -> Result<Option<Vec<Uuid>>, DomainError> {
    match who {
        Audience::Org => Ok(None),
        Audience::Owner(user) => {
            check(conn, org, &[("owner_id", Some(user), Ref::User)]).await?;
            Ok(Some(vec![user]))
        }
        Audience::Team(team) => {
            check(conn, org, &[("team_id", Some(team), Ref::Team)]).await?;
            let teams = with_descendants(&[team], &crate::teams::edges(conn, org).await?);
            let mut users: Vec<Uuid> = team_members::Entity::find()
                .select_only()
                .column(team_members::Column::UserId)
                .filter(team_members::Column::OrgId.eq(org))
                .filter(team_members::Column::TeamId.is_in(teams))
                .into_tuple()
                .all(conn)
                .await
                .map_err(db_err)?;
            users.sort_unstable();
            users.dedup();
            Ok(Some(users))
        }
    }
}

/// What a report read: the pipeline, the window and the instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame {
    /// Pipeline reported on.
    pub pipeline_id: Uuid,
    /// Days covered (org time zone).
    pub window: DateWindow,
    /// History read as it stood at this instant.
    pub as_of: DateTime<Utc>,
}

/// A pipeline of the org (default: its oldest) and its stages, in order.
///
/// # Errors
/// [`DomainError::Validation`] naming `pipeline_id` when it is not a
/// pipeline of the org.
async fn pipeline_stages(conn: &impl ConnectionTrait, org: Uuid, pipeline: Option<Uuid>) -> Result<(Uuid, Vec<StageRef>), DomainError> {
    let mut q = pipelines::Entity::find().filter(pipelines::Column::OrgId.eq(org));
    if let Some(id) = pipeline {
        q = q.filter(pipelines::Column::Id.eq(id));
    }
    let found = q
        .order_by_asc(pipelines::Column::CreatedAt)
        .order_by_asc(pipelines::Column::Id)
        .one(conn)
        .await
        .map_err(db_err)?
        .ok_or_else(|| DomainError::invalid("pipeline_id", "unknown_pipeline", "not a pipeline of this org"))?;
    let stages = stages::Entity::find()
        .filter(stages::Column::OrgId.eq(org))
        .filter(stages::Column::PipelineId.eq(found.id))
        .order_by_asc(stages::Column::Position)
        .all(conn)
        .await
        .map_err(db_err)?
        .into_iter()
        .map(|s| {
            Ok(StageRef {
                kind: StageKind::parse("kind", &s.kind).map_err(|_| DomainError::Internal("bad stored stage kind".into()))?,
                id: s.id,
                name: s.name,
                position: s.position,
            })
        })
        .collect::<Result<_, DomainError>>()?;
    Ok((found.id, stages))
}

/// What a report covers: whose deals, which days, read when.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReportQuery {
    /// Whose deals.
    pub audience: Audience,
    /// First day (org time zone); default 364 days before `to`.
    pub from: Option<chrono::NaiveDate>,
    /// Last day, included; default the day of `as_of`.
    pub to: Option<chrono::NaiveDate>,
    /// Read history as it stood then; default now, and capped at now.
    pub as_of: Option<AsOf>,
}

/// A [`ReportQuery`] resolved against the org.
struct Bounds {
    /// The org.
    org: Uuid,
    /// Owners the report is limited to (`None`: everyone).
    owners: Option<Vec<Uuid>>,
    /// `as_of` as an instant.
    as_of: DateTime<Utc>,
    /// The org-local day of `as_of`.
    day: chrono::NaiveDate,
    /// The window in org-local days.
    window: DateWindow,
    /// UTC start of the window's first day.
    start: DateTime<Utc>,
    /// UTC start of the day after the window.
    end: DateTime<Utc>,
}

/// Resolves a report's query: its owners, `as_of` (capped at now: history
/// has nothing later) and the window's UTC bounds in the org's time zone.
///
/// # Errors
/// [`DomainError::Validation`] naming `owner_id`, `team_id` or `from` (see
/// [`DateWindow::parse`]).
async fn bounds(conn: &impl ConnectionTrait, scope: &Scope, q: &ReportQuery, now: DateTime<Utc>) -> Result<Bounds, DomainError> {
    let org = scope.org_id;
    let asked = owners(conn, org, q.audience).await?;
    // Aggregates cover only the caller's reach (see crate::visibility).
    let reach = crate::visibility::Reach::of(conn, scope).await?;
    let owners = match (asked, reach.aggregate_owners()) {
        (asked, None) => asked,
        (None, Some(mine)) => Some(mine.to_vec()),
        (Some(asked), Some(mine)) => Some(asked.into_iter().filter(|u| mine.contains(u)).collect()),
    };
    let tz = crate::calendars::org_time_zone(conn, org).await?;
    let as_of = q.as_of.map_or(now, |a| a.instant(tz)).min(now);
    let today = as_of.with_timezone(&tz.tz()).date_naive();
    let window = DateWindow::parse(q.from, q.to, today, 365)?;
    let (start, end) = window.bounds(tz);
    Ok(Bounds {
        org,
        owners,
        as_of,
        day: today,
        window,
        start,
        end,
    })
}

/// Reads [`sql::order_statistics`] rows back into one quantile per group.
fn read_quantiles(rows: &[QueryResult], q: Quantile) -> Result<HashMap<Uuid, f64>, DomainError> {
    let mut stats: HashMap<Uuid, (i64, Option<f64>, Option<f64>)> = HashMap::new();
    for r in rows {
        let grp: Uuid = r.try_get("", "grp").map_err(db_err)?;
        let n: i64 = r.try_get("", "n").map_err(db_err)?;
        let rn: i64 = r.try_get("", "rn").map_err(db_err)?;
        let val: i64 = r.try_get("", "val").map_err(db_err)?;
        let entry = stats.entry(grp).or_insert((n, None, None));
        if rn == q.lower_rank(n) {
            entry.1 = Some(val as f64);
        } else {
            entry.2 = Some(val as f64);
        }
    }
    Ok(stats
        .into_iter()
        .filter_map(|(grp, (n, lo, hi))| lo.map(|lo| (grp, q.interpolate(n, lo, hi))))
        .collect())
}

/// Appends ` AND {col} IN (…)` for a limited audience.
fn owner_filter(s: &mut sql::Sql, col: &str, owners: &Option<Vec<Uuid>>) -> String {
    match owners {
        None => String::new(),
        Some(ids) => format!(" AND {col} IN ({})", s.bind_list(ids.iter().copied())),
    }
}

/// Reads a count column (`COUNT`/`SUM` come back as 64-bit integers).
fn count(row: &QueryResult, col: &str) -> Result<u64, DomainError> {
    let n: Option<i64> = row.try_get("", col).map_err(db_err)?;
    Ok(u64::try_from(n.unwrap_or(0)).unwrap_or(0))
}

/// Parses a stored stage kind.
fn kind(raw: &str) -> Result<StageKind, DomainError> {
    StageKind::parse("kind", raw).map_err(|_| DomainError::Internal("bad stored stage kind".into()))
}

/// Adds up repeated currencies and sorts by code.
fn merge_currencies(amounts: &mut Vec<(String, i128)>) {
    let mut merged: std::collections::BTreeMap<String, i128> = std::collections::BTreeMap::new();
    for (c, m) in amounts.drain(..) {
        *merged.entry(c).or_default() += m;
    }
    amounts.extend(merged);
}
