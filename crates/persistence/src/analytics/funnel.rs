//! Funnel and stage conversion.

use std::collections::HashMap;

use glassbox_domain::analytics::{Funnel, FunnelStage, Outcomes, StageConversion, StageOutcomes, StageRef, Transition};
use glassbox_domain::pipeline::StageKind;
use glassbox_domain::stats::Quantile;
use glassbox_domain::{DomainError, Scope};
use uuid::Uuid;

use super::merge_currencies;
use super::sql::{Sql, exact_sum, order_statistics, read_exact_sum};
use super::{Bounds, Frame, ReportQuery, bounds, count, kind, owner_filter, pipeline_stages, read_quantiles};
use crate::Store;
use crate::error::db_err;

/// What a funnel or stage-conversion report covers.
#[derive(Debug, Clone, Copy, Default)]
pub struct FunnelQuery {
    /// The pipeline; default the org's oldest.
    pub pipeline_id: Option<Uuid>,
    /// Whose deals, which days (creation days for the funnel, stage-entry
    /// days for conversion), read when.
    pub report: ReportQuery,
    /// Where the figures come from.
    pub source: Source,
}

/// Where funnel and conversion figures are read from. Both give the same
/// numbers (tests hold them to it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Source {
    /// The rollups when they can answer: the org's are complete and
    /// `as_of` is absent or a day (figures at the end of that local day;
    /// without `as_of`, of today); else stage history.
    #[default]
    Auto,
    /// Always the SQL over stage history.
    History,
}

/// `day` (the local day of `as_of`) when the rollups can answer for it.
async fn rollup_day(
    conn: &impl sea_orm::ConnectionTrait,
    org: Uuid,
    q: &FunnelQuery,
    day: chrono::NaiveDate,
) -> Result<Option<chrono::NaiveDate>, DomainError> {
    if q.source == Source::History || matches!(q.report.as_of, Some(glassbox_domain::analytics::AsOf::Instant(_))) {
        return Ok(None);
    }
    if !crate::rollups::ready(conn, org).await? {
        return Ok(None);
    }
    Ok(Some(day))
}

impl Store {
    /// The funnel of the deals created in the window: per stage, in order,
    /// the deals that reached it, their amounts, conversion to a later
    /// stage, where they stood at `as_of`, and the median days of finished
    /// stays; plus the whole cohort's outcomes (overall win rate =
    /// won / (won + lost)).
    ///
    /// # Errors
    /// [`DomainError::Validation`] naming `pipeline_id`, `owner_id`,
    /// `team_id` or `from`.
    pub async fn funnel(&self, scope: &Scope, q: &FunnelQuery) -> Result<(Funnel, Frame), DomainError> {
        let conn = self.conn();
        let (pipeline_id, stages) = pipeline_stages(conn, scope.org_id, q.pipeline_id).await?;
        let Bounds {
            org,
            owners,
            as_of,
            day,
            window,
            start,
            end,
        } = bounds(conn, scope, &q.report, self.now()).await?;
        if stages.iter().any(|st| !(0..63).contains(&st.position)) {
            return Err(DomainError::Internal("stage positions beyond 62".into()));
        }
        let frame = Frame {
            pipeline_id,
            window,
            as_of,
        };
        if let Some(day) = rollup_day(conn, org, q, day).await? {
            let scope = crate::rollups::read::Scope {
                org,
                pipeline: pipeline_id,
                owners: &owners,
                day,
            };
            let funnel = crate::rollups::read::funnel(conn, &scope, &stages, window.from, window.to).await?;
            return Ok((funnel, frame));
        }
        let backend = conn.get_database_backend();
        let cohort = |s: &mut Sql| {
            let (o, p, a, b, t) = (s.bind(org), s.bind(pipeline_id), s.bind(start), s.bind(end), s.bind(as_of));
            let who = owner_filter(s, "o.owner_id", &owners);
            format!(
                "cohort AS (SELECT o.id, o.currency, COALESCE(o.amount_minor, 0) AS amount FROM opportunities o \
                 WHERE o.org_id = {o} AND o.pipeline_id = {p} AND o.deleted_at IS NULL \
                 AND o.created_at >= {a} AND o.created_at < {b} AND o.created_at <= {t}{who})"
            )
        };

        // One GROUP BY over the cohort's history: per deal, the set of this
        // pipeline's stages it entered (a bit per position, DISTINCT so that
        // re-entries count once), its furthest non-lost position and its
        // stage kind at as_of; then deals with the same answers are counted
        // together, which leaves a few hundred rows at most.
        let mut s = Sql::new(backend);
        let cte = cohort(&mut s);
        let (o, t1, t2, p) = (s.bind(org), s.bind(as_of), s.bind(as_of), s.bind(pipeline_id));
        let sum = exact_sum("amount", "amount");
        s.push(&format!(
            "WITH {cte}, per_deal AS (SELECT c.currency, c.amount, \
               SUM(DISTINCT CASE WHEN st.pipeline_id = {p} THEN CAST(1 AS BIGINT) << st.position ELSE 0 END) AS mask, \
               MAX(CASE WHEN st.pipeline_id = {p} AND st.kind <> 'lost' THEN st.position END) AS furthest, \
               MAX(CASE WHEN h.exited_at IS NULL OR h.exited_at > {t2} THEN st.kind END) AS outcome \
             FROM opportunity_stage_history h JOIN cohort c ON c.id = h.opportunity_id \
             JOIN stages st ON st.id = h.to_stage_id WHERE h.org_id = {o} AND h.entered_at <= {t1} \
             GROUP BY h.opportunity_id, c.currency, c.amount) \
             SELECT CAST(mask AS BIGINT) AS mask, furthest, outcome, currency, COUNT(*) AS n, {sum} \
             FROM per_deal GROUP BY mask, furthest, outcome, currency"
        ));
        let rows = s.all(conn).await?;

        // Median whole days of the cohort's finished stays per stage.
        let mut s = Sql::new(backend);
        let cte = cohort(&mut s);
        let (o, at) = (s.bind(org), s.bind(as_of));
        let secs = s.seconds_between("h.exited_at", "h.entered_at");
        let stays = format!(
            "SELECT h.to_stage_id AS grp, ({secs}) / 86400 AS val FROM opportunity_stage_history h \
             JOIN cohort c ON c.id = h.opportunity_id WHERE h.org_id = {o} AND h.exited_at IS NOT NULL AND h.exited_at <= {at}"
        );
        s.push(&format!("WITH {cte} {}", order_statistics(&stays, Quantile::MEDIAN)));
        let medians = read_quantiles(&s.all(conn).await?, Quantile::MEDIAN)?;

        let mut by_stage: HashMap<Uuid, FunnelStage> = HashMap::new();
        for st in &stages {
            by_stage.insert(
                st.id,
                FunnelStage {
                    stage: st.clone(),
                    reached: 0,
                    amounts: Vec::new(),
                    advanced: 0,
                    outcomes: Outcomes::default(),
                    median_days: medians.get(&st.id).copied(),
                },
            );
        }
        let mut overall = Outcomes::default();
        for r in rows {
            let mask: i64 = r.try_get("", "mask").map_err(db_err)?;
            let furthest: Option<i32> = r.try_get("", "furthest").map_err(db_err)?;
            let outcome: Option<String> = r.try_get("", "outcome").map_err(db_err)?;
            let outcome = outcome.as_deref().map(kind).transpose()?.unwrap_or(StageKind::Open);
            let currency: String = r.try_get("", "currency").map_err(db_err)?;
            let (n, amount) = (count(&r, "n")?, read_exact_sum(&r, "amount")?);
            overall.add(outcome, n);
            for st in &stages {
                if mask & (1_i64 << st.position) == 0 {
                    continue;
                }
                let Some(step) = by_stage.get_mut(&st.id) else { continue };
                step.reached += n;
                step.advanced += if furthest.is_some_and(|f| f > st.position) { n } else { 0 };
                step.outcomes.add(outcome, n);
                step.amounts.push((currency.clone(), amount));
            }
        }
        let stages = stages
            .iter()
            .filter_map(|st| by_stage.remove(&st.id))
            .map(|mut step| {
                merge_currencies(&mut step.amounts);
                step
            })
            .collect();
        Ok((Funnel { outcomes: overall, stages }, frame))
    }

    /// Stage conversion: per stage, the deals that entered it in the window
    /// by where they stood at `as_of` (won, lost, open), and the count of
    /// every stage-to-stage move entered in the window.
    ///
    /// # Errors
    /// As [`Store::funnel`].
    pub async fn stage_conversion(&self, scope: &Scope, q: &FunnelQuery) -> Result<(StageConversion, Frame), DomainError> {
        let conn = self.conn();
        let (pipeline_id, stages) = pipeline_stages(conn, scope.org_id, q.pipeline_id).await?;
        let b = bounds(conn, scope, &q.report, self.now()).await?;
        if stages.iter().any(|st| !(0..63).contains(&st.position)) {
            return Err(DomainError::Internal("stage positions beyond 62".into()));
        }
        let (mut per_stage, mut transitions) = match rollup_day(conn, b.org, q, b.day).await? {
            Some(day) => {
                let scope = crate::rollups::read::Scope {
                    org: b.org,
                    pipeline: pipeline_id,
                    owners: &b.owners,
                    day,
                };
                crate::rollups::read::conversion(conn, &scope, b.window.from, b.window.to).await?
            }
            None => conversion_from_history(conn, pipeline_id, &stages, &b).await?,
        };
        let position: HashMap<Uuid, i32> = stages.iter().map(|s| (s.id, s.position)).collect();
        let rank = |id: &Uuid| position.get(id).copied().unwrap_or(i32::MAX);
        transitions.sort_by_key(|t| (rank(&t.from_stage_id), rank(&t.to_stage_id), t.from_stage_id, t.to_stage_id));
        let stages = stages
            .into_iter()
            .map(|st| StageOutcomes {
                outcomes: per_stage.remove(&st.id).unwrap_or_default(),
                stage: st,
            })
            .collect();
        let frame = Frame {
            pipeline_id,
            window: b.window,
            as_of: b.as_of,
        };
        Ok((StageConversion { stages, transitions }, frame))
    }
}

/// Stage conversion in SQL over stage history: per stage the deals that
/// entered it in the window by their kind at `as_of`, and the moves.
async fn conversion_from_history(
    conn: &impl sea_orm::ConnectionTrait,
    pipeline_id: Uuid,
    stages: &[StageRef],
    b: &Bounds,
) -> Result<(HashMap<Uuid, Outcomes>, Vec<Transition>), DomainError> {
    let backend = conn.get_database_backend();
    // One GROUP BY per deal: the set of this pipeline's stages it entered
    // in the window (a bit per position) and its stage kind at as_of;
    // deals with the same answers are then counted together.
    let mut s = Sql::new(backend);
    let (o, p, a, e, t) = (s.bind(b.org), s.bind(pipeline_id), s.bind(b.start), s.bind(b.end), s.bind(b.as_of));
    let who = owner_filter(&mut s, "o.owner_id", &b.owners);
    s.push(&format!(
        "WITH per_deal AS (SELECT \
           SUM(DISTINCT CASE WHEN st.pipeline_id = {p} AND h.entered_at >= {a} AND h.entered_at < {e} \
             THEN CAST(1 AS BIGINT) << st.position ELSE 0 END) AS mask, \
           MAX(CASE WHEN h.exited_at IS NULL OR h.exited_at > {t} THEN st.kind END) AS outcome \
         FROM opportunity_stage_history h JOIN opportunities o ON o.id = h.opportunity_id \
         JOIN stages st ON st.id = h.to_stage_id \
         WHERE o.org_id = {o} AND h.org_id = {o} AND o.pipeline_id = {p} AND o.deleted_at IS NULL \
           AND h.entered_at <= {t}{who} GROUP BY h.opportunity_id) \
         SELECT CAST(mask AS BIGINT) AS mask, outcome AS kind, COUNT(*) AS n FROM per_deal \
         WHERE mask <> 0 GROUP BY mask, outcome"
    ));
    let mut per_stage: HashMap<Uuid, Outcomes> = HashMap::new();
    for r in s.all(conn).await? {
        let mask: i64 = r.try_get("", "mask").map_err(db_err)?;
        let k: Option<String> = r.try_get("", "kind").map_err(db_err)?;
        let k = k.as_deref().map(kind).transpose()?.unwrap_or(StageKind::Open);
        let n = count(&r, "n")?;
        for st in stages.iter().filter(|st| mask & (1_i64 << st.position) != 0) {
            per_stage.entry(st.id).or_default().add(k, n);
        }
    }

    let mut s = Sql::new(backend);
    let (o, p, a, e, t) = (s.bind(b.org), s.bind(pipeline_id), s.bind(b.start), s.bind(b.end), s.bind(b.as_of));
    let who = owner_filter(&mut s, "o.owner_id", &b.owners);
    s.push(&format!(
        "SELECT h.from_stage_id AS from_stage, h.to_stage_id AS to_stage, COUNT(*) AS n \
         FROM opportunity_stage_history h JOIN opportunities o ON o.id = h.opportunity_id \
         WHERE o.org_id = {o} AND h.org_id = {o} AND o.pipeline_id = {p} AND o.deleted_at IS NULL \
         AND h.entered_at >= {a} AND h.entered_at < {e} AND h.entered_at <= {t}{who} \
         AND h.from_stage_id IS NOT NULL GROUP BY h.from_stage_id, h.to_stage_id"
    ));
    let transitions = s
        .all(conn)
        .await?
        .iter()
        .map(|r| {
            Ok(Transition {
                from_stage_id: r.try_get("", "from_stage").map_err(db_err)?,
                to_stage_id: r.try_get("", "to_stage").map_err(db_err)?,
                count: count(r, "n")?,
            })
        })
        .collect::<Result<Vec<_>, DomainError>>()?;
    Ok((per_stage, transitions))
}
