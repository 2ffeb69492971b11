//! What each deal contributes to the rollups, read from its row and its
//! stage history in org-local days.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use glassbox_domain::DomainError;
use glassbox_domain::analytics::rollup::{DealFacts, Stay};
use glassbox_domain::org::TimeZone;
use glassbox_domain::pipeline::StageKind;
use sea_orm::{ConnectionTrait, QueryResult};
use uuid::Uuid;

use crate::analytics::sql::Sql;
use crate::error::db_err;

/// One stage-history row as the rollups read it.
struct HistoryRow {
    deal: Uuid,
    from: Option<Uuid>,
    to: Uuid,
    entered: DateTime<Utc>,
    exited: Option<DateTime<Utc>>,
}

impl HistoryRow {
    fn read(r: &QueryResult) -> Result<Self, sea_orm::DbErr> {
        Ok(Self {
            deal: r.try_get("", "opportunity_id")?,
            from: r.try_get("", "from_stage_id")?,
            to: r.try_get("", "to_stage_id")?,
            entered: r.try_get("", "entered_at")?,
            exited: r.try_get("", "exited_at")?,
        })
    }
}

/// Each pipeline's stages (id, position) of the org.
pub(super) async fn stage_lists(conn: &impl ConnectionTrait, org: Uuid) -> Result<HashMap<Uuid, Vec<(Uuid, i32)>>, DomainError> {
    let mut out: HashMap<Uuid, Vec<(Uuid, i32)>> = HashMap::new();
    for (id, (pipeline, position, _)) in stage_map(conn, org).await? {
        out.entry(pipeline).or_default().push((id, position));
    }
    for list in out.values_mut() {
        list.sort_by_key(|(_, p)| *p);
    }
    Ok(out)
}

/// Every stage of the org: id → (pipeline, position, kind).
async fn stage_map(conn: &impl ConnectionTrait, org: Uuid) -> Result<HashMap<Uuid, (Uuid, i32, StageKind)>, DomainError> {
    let mut s = Sql::new(conn.get_database_backend());
    let o = s.bind(org);
    s.push(&format!("SELECT id, pipeline_id, position, kind FROM stages WHERE org_id = {o}"));
    s.all(conn)
        .await?
        .iter()
        .map(|r| {
            let kind: String = r.try_get("", "kind").map_err(db_err)?;
            let kind = StageKind::parse("kind", &kind).map_err(|_| DomainError::Internal("bad stored stage kind".into()))?;
            Ok((
                r.try_get("", "id").map_err(db_err)?,
                (
                    r.try_get("", "pipeline_id").map_err(db_err)?,
                    r.try_get("", "position").map_err(db_err)?,
                    kind,
                ),
            ))
        })
        .collect()
}

/// Whole days of a stay as the report SQL counts them: elapsed seconds
/// rounded to the nearest second, then divided by 86,400 rounding down.
pub(crate) fn whole_days(entered: DateTime<Utc>, exited: DateTime<Utc>) -> i64 {
    let micros = (exited - entered).num_microseconds().unwrap_or(i64::MAX);
    (micros + 500_000).div_euclid(1_000_000).div_euclid(86_400)
}

/// What the live deals among `ids` contribute, by id (deleted or unknown
/// ids are absent).
pub(super) async fn facts(conn: &impl ConnectionTrait, org: Uuid, ids: &[Uuid]) -> Result<HashMap<Uuid, DealFacts>, DomainError> {
    let mut out = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let tz = crate::calendars::org_time_zone(conn, org).await?;
    let stages = stage_map(conn, org).await?;
    for chunk in ids.chunks(2000) {
        facts_of(conn, org, chunk, tz, &stages, &mut out).await?;
    }
    Ok(out)
}

async fn facts_of(
    conn: &impl ConnectionTrait,
    org: Uuid,
    ids: &[Uuid],
    tz: TimeZone,
    stages: &HashMap<Uuid, (Uuid, i32, StageKind)>,
    out: &mut HashMap<Uuid, DealFacts>,
) -> Result<(), DomainError> {
    let backend = conn.get_database_backend();
    let day = |t: DateTime<Utc>| t.with_timezone(&tz.tz()).date_naive();
    let mut s = Sql::new(backend);
    let (o, list) = (s.bind(org), s.bind_list(ids.iter().copied()));
    s.push(&format!(
        "SELECT id, pipeline_id, owner_id, currency, amount_minor, created_at FROM opportunities \
         WHERE org_id = {o} AND id IN ({list}) AND deleted_at IS NULL"
    ));
    for r in s.all(conn).await? {
        let read = |r: &QueryResult| -> Result<(Uuid, DealFacts), sea_orm::DbErr> {
            let amount: Option<i64> = r.try_get("", "amount_minor")?;
            let created: DateTime<Utc> = r.try_get("", "created_at")?;
            Ok((
                r.try_get("", "id")?,
                DealFacts {
                    pipeline_id: r.try_get("", "pipeline_id")?,
                    owner_id: r.try_get("", "owner_id")?,
                    currency: r.try_get("", "currency")?,
                    amount_minor: amount.unwrap_or(0),
                    created: day(created),
                    stays: Vec::new(),
                },
            ))
        };
        let (id, f) = read(&r).map_err(db_err)?;
        out.insert(id, f);
    }
    let mut s = Sql::new(backend);
    let (o, list) = (s.bind(org), s.bind_list(ids.iter().copied()));
    s.push(&format!(
        "SELECT opportunity_id, from_stage_id, to_stage_id, entered_at, exited_at FROM opportunity_stage_history \
         WHERE org_id = {o} AND opportunity_id IN ({list}) ORDER BY opportunity_id, entered_at, id"
    ));
    for r in s.all(conn).await? {
        let HistoryRow {
            deal,
            from,
            to,
            entered,
            exited,
        } = HistoryRow::read(&r).map_err(db_err)?;
        let Some(facts) = out.get_mut(&deal) else { continue };
        let (pipeline, position, kind) = stages
            .get(&to)
            .copied()
            .ok_or_else(|| DomainError::Internal(format!("history names unknown stage {to}")))?;
        facts.stays.push(Stay {
            stage_id: to,
            from_stage_id: from,
            position: (pipeline == facts.pipeline_id).then_some(position),
            kind,
            entered: day(entered),
            exited: exited.map(day),
            whole_days: exited.map(|x| whole_days(entered, x)),
        });
    }
    Ok(())
}
