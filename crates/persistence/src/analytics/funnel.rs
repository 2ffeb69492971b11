//! Funnel and stage conversion.

use std::collections::HashMap;

use chrono::NaiveDate;
use glassbox_domain::analytics::{AsOf, Funnel, FunnelStage, Outcomes, SECONDS_PER_DAY, StageConversion, StageOutcomes, Transition};
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

/// The SQL of the current stay of each deal in `deals` (a subquery of
/// opportunity ids) at `as_of`: columns `opp`, `kind`.
fn outcome_cte(s: &mut Sql, deals: &str, as_of: chrono::DateTime<chrono::Utc>) -> String {
    let (at, at2) = (s.bind(as_of), s.bind(as_of));
    format!(
        "SELECT h.opportunity_id AS opp, st.kind AS kind FROM opportunity_stage_history h \
         JOIN stages st ON st.id = h.to_stage_id \
         WHERE h.opportunity_id IN ({deals}) AND h.entered_at <= {at} \
         AND (h.exited_at IS NULL OR h.exited_at > {at2})"
    )
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

        // Per stage and currency: reached, advanced, won, lost, amount.
        let mut s = Sql::new(backend);
        let cte = cohort(&mut s);
        let (t1, outcome) = (s.bind(as_of), outcome_cte(&mut s, "SELECT id FROM cohort", as_of));
        let sum = exact_sum("c.amount", "amount");
        s.push(&format!(
            "WITH {cte}, \
             reached AS (SELECT DISTINCT h.opportunity_id AS opp, h.to_stage_id AS stage \
               FROM opportunity_stage_history h JOIN cohort c ON c.id = h.opportunity_id WHERE h.entered_at <= {t1}), \
             furthest AS (SELECT r.opp, MAX(st.position) AS pos FROM reached r JOIN stages st ON st.id = r.stage \
               WHERE st.kind <> 'lost' GROUP BY r.opp), \
             outcome AS ({outcome}) \
             SELECT r.stage AS stage, c.currency AS currency, COUNT(*) AS reached, \
               SUM(CASE WHEN f.pos > st.position THEN 1 ELSE 0 END) AS advanced, \
               SUM(CASE WHEN x.kind = 'won' THEN 1 ELSE 0 END) AS won, \
               SUM(CASE WHEN x.kind = 'lost' THEN 1 ELSE 0 END) AS lost, {sum} \
             FROM reached r JOIN stages st ON st.id = r.stage JOIN cohort c ON c.id = r.opp \
             LEFT JOIN furthest f ON f.opp = r.opp LEFT JOIN outcome x ON x.opp = r.opp \
             GROUP BY r.stage, c.currency"
        ));
        let rows = s.all(conn).await?;

        // The whole cohort's outcomes.
        let mut s = Sql::new(backend);
        let cte = cohort(&mut s);
        let outcome = outcome_cte(&mut s, "SELECT id FROM cohort", as_of);
        s.push(&format!(
            "WITH {cte} SELECT kind, COUNT(*) AS n FROM ({outcome}) AS x GROUP BY kind"
        ));
        let mut overall = Outcomes::default();
        for r in s.all(conn).await? {
            overall.add(kind(&r.try_get::<String>("", "kind").map_err(db_err)?)?, count(&r, "n")?);
        }

        // Median days of the cohort's finished stays per stage.
        let mut s = Sql::new(backend);
        let cte = cohort(&mut s);
        let at = s.bind(as_of);
        let secs = s.seconds_between("h.exited_at", "h.entered_at");
        let stays = format!(
            "SELECT h.to_stage_id AS grp, {secs} AS val FROM opportunity_stage_history h \
             JOIN cohort c ON c.id = h.opportunity_id WHERE h.exited_at IS NOT NULL AND h.exited_at <= {at}"
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
                 WHERE o.org_id = {o} AND o.pipeline_id = {p} AND o.deleted_at IS NULL \
                 AND h.entered_at >= {a} AND h.entered_at < {b} AND h.entered_at <= {t}{who}"
            )
        };

        let mut s = Sql::new(backend);
        let from = moves(&mut s);
        let outcome = outcome_cte(&mut s, "SELECT opp FROM entered", as_of);
        s.push(&format!(
            "WITH entered AS (SELECT DISTINCT h.opportunity_id AS opp, h.to_stage_id AS stage {from}), \
             outcome AS ({outcome}) \
             SELECT e.stage AS stage, x.kind AS kind, COUNT(*) AS n FROM entered e \
             LEFT JOIN outcome x ON x.opp = e.opp GROUP BY e.stage, x.kind"
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
