//! Funnel and stage conversion.

use std::collections::HashMap;

use chrono::NaiveDate;
use glassbox_domain::analytics::{AsOf, Funnel, FunnelStage, Outcomes, SECONDS_PER_DAY, StageConversion, StageOutcomes, Transition};
use glassbox_domain::pipeline::StageKind;
use glassbox_domain::stats::Quantile;
use glassbox_domain::{DomainError, Scope};
use uuid::Uuid;

use super::sql::{Sql, exact_sum, order_statistics, read_exact_sum};
use super::{Audience, Frame, count, kind, moment, owner_filter, owners, pipeline_stages, read_quantiles};
use crate::Store;
use crate::error::db_err;

/// What a funnel or stage-conversion report covers.
#[derive(Debug, Clone, Copy)]
pub struct FunnelQuery {
    /// The pipeline; default the org's oldest.
    pub pipeline_id: Option<Uuid>,
    /// First day of the window (org time zone); default 364 days before `to`.
    pub from: Option<NaiveDate>,
    /// Last day, included; default the day of `as_of`.
    pub to: Option<NaiveDate>,
    /// Whose deals.
    pub audience: Audience,
    /// Read history as it stood then; default now.
    pub as_of: Option<AsOf>,
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
        let org = scope.org_id;
        let (pipeline_id, stages) = pipeline_stages(conn, org, q.pipeline_id).await?;
        let owners = owners(conn, org, q.audience).await?;
        let (as_of, window) = moment(conn, org, q.as_of, self.now(), Some((q.from, q.to))).await?;
        let Some((window, start, end)) = window else {
            return Err(DomainError::Internal("funnel window missing".into()));
        };
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

        // One row per cohort deal and stage entered, first entry only, with
        // the deal's furthest non-lost position and its stage kind at as_of
        // from window functions: one pass over the cohort's history.
        let entries = |s: &mut Sql| {
            let cte = cohort(s);
            let (o, t1, t2) = (s.bind(org), s.bind(as_of), s.bind(as_of));
            format!(
                "WITH {cte}, entries AS (SELECT h.opportunity_id AS opp, h.to_stage_id AS stage, st.position AS pos, \
                   c.currency, c.amount, \
                   MAX(CASE WHEN st.kind <> 'lost' THEN st.position END) OVER (PARTITION BY h.opportunity_id) AS furthest, \
                   MAX(CASE WHEN h.exited_at IS NULL OR h.exited_at > {t2} THEN st.kind END) \
                     OVER (PARTITION BY h.opportunity_id) AS outcome, \
                   ROW_NUMBER() OVER (PARTITION BY h.opportunity_id, h.to_stage_id ORDER BY h.entered_at) AS nth, \
                   ROW_NUMBER() OVER (PARTITION BY h.opportunity_id ORDER BY h.entered_at, h.id) AS first \
                 FROM opportunity_stage_history h JOIN cohort c ON c.id = h.opportunity_id \
                 JOIN stages st ON st.id = h.to_stage_id WHERE h.org_id = {o} AND h.entered_at <= {t1}) "
            )
        };
        let mut s = Sql::new(backend);
        let with = entries(&mut s);
        let sum = exact_sum("amount", "amount");
        s.push(&format!(
            "{with} SELECT stage, currency, COUNT(*) AS reached, \
               SUM(CASE WHEN furthest > pos THEN 1 ELSE 0 END) AS advanced, \
               SUM(CASE WHEN outcome = 'won' THEN 1 ELSE 0 END) AS won, \
               SUM(CASE WHEN outcome = 'lost' THEN 1 ELSE 0 END) AS lost, {sum} \
             FROM entries WHERE nth = 1 GROUP BY stage, currency"
        ));
        let rows = s.all(conn).await?;

        // The whole cohort's outcomes: one row per deal.
        let mut s = Sql::new(backend);
        let with = entries(&mut s);
        s.push(&format!(
            "{with} SELECT outcome AS kind, COUNT(*) AS n FROM entries WHERE first = 1 GROUP BY outcome"
        ));
        let mut overall = Outcomes::default();
        for r in s.all(conn).await? {
            let k: Option<String> = r.try_get("", "kind").map_err(db_err)?;
            overall.add(k.as_deref().map(kind).transpose()?.unwrap_or(StageKind::Open), count(&r, "n")?);
        }

        // Median days of the cohort's finished stays per stage.
        let mut s = Sql::new(backend);
        let cte = cohort(&mut s);
        let (o, at) = (s.bind(org), s.bind(as_of));
        let secs = s.seconds_between("h.exited_at", "h.entered_at");
        let stays = format!(
            "SELECT h.to_stage_id AS grp, {secs} AS val FROM opportunity_stage_history h \
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
                    median_days: medians.get(&st.id).map(|secs| secs / SECONDS_PER_DAY),
                },
            );
        }
        for r in rows {
            let stage: Uuid = r.try_get("", "stage").map_err(db_err)?;
            let Some(step) = by_stage.get_mut(&stage) else { continue };
            let (reached, won, lost) = (count(&r, "reached")?, count(&r, "won")?, count(&r, "lost")?);
            step.reached += reached;
            step.advanced += count(&r, "advanced")?;
            step.outcomes.won += won;
            step.outcomes.lost += lost;
            step.outcomes.open += reached.saturating_sub(won + lost);
            let currency: String = r.try_get("", "currency").map_err(db_err)?;
            step.amounts.push((currency, read_exact_sum(&r, "amount")?));
        }
        let stages = stages
            .iter()
            .filter_map(|st| by_stage.remove(&st.id))
            .map(|mut step| {
                step.amounts.sort();
                step
            })
            .collect();
        Ok((
            Funnel { outcomes: overall, stages },
            Frame {
                pipeline_id,
                window,
                as_of,
            },
        ))
    }

    /// Stage conversion: per stage, the deals that entered it in the window
    /// by where they stood at `as_of` (won, lost, open), and the count of
    /// every stage-to-stage move entered in the window.
    ///
    /// # Errors
    /// As [`Store::funnel`].
    pub async fn stage_conversion(&self, scope: &Scope, q: &FunnelQuery) -> Result<(StageConversion, Frame), DomainError> {
        let conn = self.conn();
        let org = scope.org_id;
        let (pipeline_id, stages) = pipeline_stages(conn, org, q.pipeline_id).await?;
        let owners = owners(conn, org, q.audience).await?;
        let (as_of, window) = moment(conn, org, q.as_of, self.now(), Some((q.from, q.to))).await?;
        let Some((window, start, end)) = window else {
            return Err(DomainError::Internal("conversion window missing".into()));
        };
        let backend = conn.get_database_backend();
        let moves = |s: &mut Sql| {
            let (o, p, a, b, t) = (s.bind(org), s.bind(pipeline_id), s.bind(start), s.bind(end), s.bind(as_of));
            let who = owner_filter(s, "o.owner_id", &owners);
            format!(
                "FROM opportunity_stage_history h JOIN opportunities o ON o.id = h.opportunity_id \
                 WHERE o.org_id = {o} AND h.org_id = {o} AND o.pipeline_id = {p} AND o.deleted_at IS NULL \
                 AND h.entered_at >= {a} AND h.entered_at < {b} AND h.entered_at <= {t}{who}"
            )
        };

        // Each deal's stage kind at as_of from a window function over its
        // history, kept on the rows of the stages it entered in the window.
        let mut s = Sql::new(backend);
        let (o, p, a, b, t) = (s.bind(org), s.bind(pipeline_id), s.bind(start), s.bind(end), s.bind(as_of));
        let who = owner_filter(&mut s, "o.owner_id", &owners);
        s.push(&format!(
            "WITH e AS (SELECT h.opportunity_id AS opp, h.to_stage_id AS stage, \
               CASE WHEN h.entered_at >= {a} AND h.entered_at < {b} THEN 1 ELSE 0 END AS in_window, \
               MAX(CASE WHEN h.exited_at IS NULL OR h.exited_at > {t} THEN st.kind END) \
                 OVER (PARTITION BY h.opportunity_id) AS outcome \
             FROM opportunity_stage_history h JOIN opportunities o ON o.id = h.opportunity_id \
             JOIN stages st ON st.id = h.to_stage_id \
             WHERE o.org_id = {o} AND h.org_id = {o} AND o.pipeline_id = {p} AND o.deleted_at IS NULL \
               AND h.entered_at <= {t}{who}), \
             entered AS (SELECT DISTINCT opp, stage, outcome FROM e WHERE in_window = 1) \
             SELECT stage, outcome AS kind, COUNT(*) AS n FROM entered GROUP BY stage, outcome"
        ));
        let mut per_stage: HashMap<Uuid, Outcomes> = HashMap::new();
        for r in s.all(conn).await? {
            let stage: Uuid = r.try_get("", "stage").map_err(db_err)?;
            let k: Option<String> = r.try_get("", "kind").map_err(db_err)?;
            let k = k
                .as_deref()
                .map(kind)
                .transpose()?
                .unwrap_or(glassbox_domain::pipeline::StageKind::Open);
            per_stage.entry(stage).or_default().add(k, count(&r, "n")?);
        }

        let mut s = Sql::new(backend);
        let from = moves(&mut s);
        s.push(&format!(
            "SELECT h.from_stage_id AS from_stage, h.to_stage_id AS to_stage, COUNT(*) AS n {from} \
             AND h.from_stage_id IS NOT NULL GROUP BY h.from_stage_id, h.to_stage_id"
        ));
        let position: HashMap<Uuid, i32> = stages.iter().map(|s| (s.id, s.position)).collect();
        let mut transitions = s
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
        let rank = |id: &Uuid| position.get(id).copied().unwrap_or(i32::MAX);
        transitions.sort_by_key(|t| (rank(&t.from_stage_id), rank(&t.to_stage_id), t.from_stage_id, t.to_stage_id));
        let stages = stages
            .into_iter()
            .map(|st| StageOutcomes {
                outcomes: per_stage.remove(&st.id).unwrap_or_default(),
                stage: st,
            })
            .collect();
        Ok((
            StageConversion { stages, transitions },
            Frame {
                pipeline_id,
                window,
                as_of,
            },
        ))
    }
}
