//! Rep performance: created, closed, won amounts, sales cycle, activities,
//! cadence and demos per deal owner, aggregated in SQL.

use std::collections::HashMap;

use glassbox_domain::analytics::{RepFigures, SECONDS_PER_DAY};
use glassbox_domain::stats::Quantile;
use glassbox_domain::window::DateWindow;
use glassbox_domain::{DomainError, Scope};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::sql::{Sql, exact_sum, order_statistics, read_exact_sum};
use super::{Bounds, ReportQuery, bounds, count, merge_currencies, owner_filter, read_quantiles};
use crate::Store;
use crate::error::db_err;

/// Rep figures and the same figures for everyone pooled.
#[derive(Debug, Clone, PartialEq)]
pub struct RepReport {
    /// Days covered (org time zone).
    pub window: DateWindow,
    /// History read as it stood at this instant.
    pub as_of: chrono::DateTime<chrono::Utc>,
    /// One row per rep with anything in the window, by owner id.
    pub reps: Vec<RepFigures>,
    /// Everyone's deals and activities together (`owner_id` is the org's
    /// id); medians are over the pooled deals, not a mean of medians.
    pub all: RepFigures,
}

impl Bounds {
    /// `closed AS (…)`: deals whose current stay at `as_of` is a won or lost
    /// stage entered in the window — columns id, owner_id, created_at,
    /// currency, amount, kind, closed_at.
    pub(super) fn closed_cte(&self, s: &mut Sql) -> String {
        let (o, a, b, t, t2) = (
            s.bind(self.org),
            s.bind(self.start),
            s.bind(self.end),
            s.bind(self.as_of),
            s.bind(self.as_of),
        );
        let who = owner_filter(s, "o.owner_id", &self.owners);
        format!(
            "closed AS (SELECT o.id, o.owner_id, o.account_id, o.created_at, o.currency, COALESCE(o.amount_minor, 0) AS amount, \
               st.kind, h.entered_at AS closed_at \
             FROM opportunity_stage_history h JOIN stages st ON st.id = h.to_stage_id \
             JOIN opportunities o ON o.id = h.opportunity_id \
             WHERE h.org_id = {o} AND o.deleted_at IS NULL AND st.kind IN ('won', 'lost') \
               AND h.entered_at >= {a} AND h.entered_at < {b} AND h.entered_at <= {t} \
               AND (h.exited_at IS NULL OR h.exited_at > {t2}){who})"
        )
    }

    /// `grp` expression: the owner, or one group for everyone.
    fn group(&self, s: &mut Sql, pooled: bool, owner_col: &str) -> String {
        if pooled { s.bind(self.org) } else { owner_col.to_owned() }
    }
}

async fn medians(conn: &impl ConnectionTrait, b: &Bounds, pooled: bool) -> Result<(HashMap<Uuid, f64>, HashMap<Uuid, f64>), DomainError> {
    let backend = conn.get_database_backend();
    // Sales cycle: creation to close of the won deals.
    let mut s = Sql::new(backend);
    let cte = b.closed_cte(&mut s);
    let grp = b.group(&mut s, pooled, "owner_id");
    let secs = s.seconds_between("closed_at", "created_at");
    let rows = format!("SELECT {grp} AS grp, {secs} AS val FROM closed WHERE kind = 'won'");
    s.push(&format!("WITH {cte} {}", order_statistics(&rows, Quantile::MEDIAN)));
    let cycle = read_quantiles(&s.all(conn).await?, Quantile::MEDIAN)?;

    // Cadence: gaps between consecutive activities on deals open at as_of.
    let mut s = Sql::new(backend);
    let (o, t, t2, o2, a, t3) = (
        s.bind(b.org),
        s.bind(b.as_of),
        s.bind(b.as_of),
        s.bind(b.org),
        s.bind(b.start),
        s.bind(b.as_of),
    );
    let who = owner_filter(&mut s, "o.owner_id", &b.owners);
    let grp = b.group(&mut s, pooled, "owner_id");
    let secs = s.seconds_between("occurred_at", "prev");
    let rows = format!("SELECT {grp} AS grp, {secs} AS val FROM gaps WHERE prev IS NOT NULL");
    s.push(&format!(
        "WITH open_deals AS (SELECT o.id, o.owner_id FROM opportunity_stage_history h \
           JOIN stages st ON st.id = h.to_stage_id JOIN opportunities o ON o.id = h.opportunity_id \
           WHERE h.org_id = {o} AND o.deleted_at IS NULL AND st.kind = 'open' AND h.entered_at <= {t} \
             AND (h.exited_at IS NULL OR h.exited_at > {t2}){who}), \
         gaps AS (SELECT d.owner_id, a.occurred_at, \
           LAG(a.occurred_at) OVER (PARTITION BY a.opportunity_id ORDER BY a.occurred_at) AS prev \
           FROM activities a JOIN open_deals d ON d.id = a.opportunity_id \
           WHERE a.org_id = {o2} AND a.deleted_at IS NULL AND a.occurred_at >= {a} AND a.occurred_at <= {t3}) {}",
        order_statistics(&rows, Quantile::MEDIAN)
    ));
    let cadence = read_quantiles(&s.all(conn).await?, Quantile::MEDIAN)?;
    Ok((cycle, cadence))
}

impl Store {
    /// Per-rep performance from `from` to `to` (org-local days; default the
    /// 365 days to `as_of`'s day) as history stood at `as_of`: deals
    /// created; deals closed won or lost; won amounts; median sales cycle
    /// (creation to close) of won deals; activities per type; median days
    /// between activities on open deals; closed deals with a demo activity
    /// before close. Every figure is aggregated in SQL.
    ///
    /// # Errors
    /// [`DomainError::Validation`] naming `owner_id`, `team_id` or `from`.
    pub async fn rep_performance(&self, scope: &Scope, q: &ReportQuery) -> Result<RepReport, DomainError> {
        let conn = self.conn();
        let b = bounds(conn, scope, q, self.now()).await?;
        let (org, start, end, as_of) = (b.org, b.start, b.end, b.as_of);
        let backend = conn.get_database_backend();
        let mut reps: HashMap<Uuid, RepFigures> = HashMap::new();
        let mut all = RepFigures {
            owner_id: org,
            ..RepFigures::default()
        };

        let mut s = Sql::new(backend);
        let (o, a, e, t) = (s.bind(org), s.bind(start), s.bind(end), s.bind(as_of));
        let who = owner_filter(&mut s, "owner_id", &b.owners);
        s.push(&format!(
            "SELECT owner_id, COUNT(*) AS n FROM opportunities WHERE org_id = {o} AND deleted_at IS NULL \
             AND created_at >= {a} AND created_at < {e} AND created_at <= {t}{who} GROUP BY owner_id"
        ));
        for r in s.all(conn).await? {
            let n = count(&r, "n")?;
            rep(&mut reps, r.try_get("", "owner_id").map_err(db_err)?).created += n;
            all.created += n;
        }

        let mut s = Sql::new(backend);
        let cte = b.closed_cte(&mut s);
        let o = s.bind(org);
        let sum = exact_sum("amount", "amount");
        s.push(&format!(
            "WITH {cte} SELECT owner_id, kind, currency, COUNT(*) AS n, {sum}, \
               SUM(CASE WHEN EXISTS (SELECT 1 FROM activities a WHERE a.org_id = {o} AND a.opportunity_id = closed.id \
                 AND a.type = 'demo' AND a.deleted_at IS NULL AND a.occurred_at < closed.closed_at) THEN 1 ELSE 0 END) AS demos \
             FROM closed GROUP BY owner_id, kind, currency"
        ));
        for r in s.all(conn).await? {
            let (n, demos) = (count(&r, "n")?, count(&r, "demos")?);
            let won = r.try_get::<String>("", "kind").map_err(db_err)? == "won";
            let currency: String = r.try_get("", "currency").map_err(db_err)?;
            let amount = read_exact_sum(&r, "amount")?;
            for f in [rep(&mut reps, r.try_get("", "owner_id").map_err(db_err)?), &mut all] {
                f.closed_with_demo += demos;
                if won {
                    f.closed.won += n;
                    f.won_amounts.push((currency.clone(), amount));
                } else {
                    f.closed.lost += n;
                }
            }
        }

        let mut s = Sql::new(backend);
        let (o, a, t) = (s.bind(org), s.bind(start), s.bind(as_of));
        let e = s.bind(end);
        let who = owner_filter(&mut s, "owner_id", &b.owners);
        s.push(&format!(
            "SELECT owner_id, type, COUNT(*) AS n FROM activities WHERE org_id = {o} AND deleted_at IS NULL \
             AND occurred_at >= {a} AND occurred_at <= {t} AND occurred_at < {e}{who} GROUP BY owner_id, type"
        ));
        for r in s.all(conn).await? {
            let n = count(&r, "n")?;
            let kind: String = r.try_get("", "type").map_err(db_err)?;
            *rep(&mut reps, r.try_get("", "owner_id").map_err(db_err)?)
                .activities
                .entry(kind.clone())
                .or_default() += n;
            *all.activities.entry(kind).or_default() += n;
        }

        let (cycle, cadence) = medians(conn, &b, false).await?;
        let (all_cycle, all_cadence) = medians(conn, &b, true).await?;
        all.median_cycle_days = all_cycle.get(&org).map(|s| s / SECONDS_PER_DAY);
        all.median_days_between_activities = all_cadence.get(&org).map(|s| s / SECONDS_PER_DAY);
        let mut reps: Vec<RepFigures> = reps.into_values().collect();
        for r in &mut reps {
            r.median_cycle_days = cycle.get(&r.owner_id).map(|s| s / SECONDS_PER_DAY);
            r.median_days_between_activities = cadence.get(&r.owner_id).map(|s| s / SECONDS_PER_DAY);
            merge_currencies(&mut r.won_amounts);
        }
        merge_currencies(&mut all.won_amounts);
        reps.sort_by_key(|r| r.owner_id);
        Ok(RepReport {
            window: b.window,
            as_of,
            reps,
            all,
        })
    }
}

/// The figures of rep `id`, created empty on first use.
fn rep(reps: &mut HashMap<Uuid, RepFigures>, id: Uuid) -> &mut RepFigures {
    reps.entry(id).or_insert_with(|| RepFigures {
        owner_id: id,
        ..RepFigures::default()
    })
}
