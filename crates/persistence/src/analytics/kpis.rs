//! Headline sales KPIs over a window, aggregated in SQL.

use chrono::{DateTime, Utc};
use glassbox_domain::analytics::SECONDS_PER_DAY;
use glassbox_domain::stats::WinLoss;
use glassbox_domain::window::DateWindow;
use glassbox_domain::{DomainError, Scope};

use super::sql::{Sql, exact_sum, read_exact_sum};
use super::{ReportQuery, bounds, count, owner_filter};
use crate::Store;
use crate::error::db_err;

/// The figures the KPIs are computed from.
#[derive(Debug, Clone, PartialEq)]
pub struct KpiReport {
    /// Days covered (org time zone).
    pub window: DateWindow,
    /// History read as it stood at this instant.
    pub as_of: DateTime<Utc>,
    /// Deals closed in the window (won or lost stage entered in it, still
    /// current at `as_of`).
    pub closed: WinLoss,
    /// Won amounts, minor units per currency.
    pub won_amounts: Vec<(String, i128)>,
    /// Mean days from creation to close of the won deals.
    pub mean_cycle_days: Option<f64>,
    /// Deal owners with a deal created or closed in the window.
    pub reps: u64,
    /// Accounts with a deal won in the window.
    pub accounts_won: u64,
    /// Deals open at `as_of`, current amounts, minor units per currency.
    pub open_pipeline: Vec<(String, i128)>,
}

impl Store {
    /// KPI inputs from `from` to `to` (org-local days; default the 365 days
    /// to the day of `as_of`) as history stood at `as_of`.
    ///
    /// # Errors
    /// [`DomainError::Validation`] naming `owner_id`, `team_id` or `from`.
    pub async fn kpis(&self, scope: &Scope, q: &ReportQuery) -> Result<KpiReport, DomainError> {
        let conn = self.conn();
        let b = bounds(conn, scope, q, self.now()).await?;
        let (org, start, end, as_of, window) = (b.org, b.start, b.end, b.as_of, b.window);
        let backend = conn.get_database_backend();

        let mut s = Sql::new(backend);
        let cte = b.closed_cte(&mut s);
        let secs = s.seconds_between("closed_at", "created_at");
        let sum = exact_sum("amount", "amount");
        s.push(&format!(
            "WITH {cte} SELECT kind, currency, COUNT(*) AS n, {sum}, CAST(SUM({secs}) AS BIGINT) AS cycle FROM closed GROUP BY kind, currency"
        ));
        let (mut closed, mut won_amounts, mut cycle_secs) = (WinLoss::default(), Vec::new(), 0i64);
        for r in s.all(conn).await? {
            let n = count(&r, "n")?;
            if r.try_get::<String>("", "kind").map_err(db_err)? == "won" {
                closed.won += n;
                won_amounts.push((r.try_get("", "currency").map_err(db_err)?, read_exact_sum(&r, "amount")?));
                cycle_secs += r.try_get::<Option<i64>>("", "cycle").map_err(db_err)?.unwrap_or(0);
            } else {
                closed.lost += n;
            }
        }

        let mut s = Sql::new(backend);
        let cte = b.closed_cte(&mut s);
        let (o, a, e, t) = (s.bind(org), s.bind(start), s.bind(end), s.bind(as_of));
        let who = owner_filter(&mut s, "owner_id", &b.owners);
        s.push(&format!(
            "WITH {cte} SELECT \
               (SELECT COUNT(DISTINCT account_id) FROM closed WHERE kind = 'won') AS accounts, \
               (SELECT COUNT(*) FROM (SELECT owner_id FROM closed UNION SELECT owner_id FROM opportunities \
                 WHERE org_id = {o} AND deleted_at IS NULL AND created_at >= {a} AND created_at < {e} \
                 AND created_at <= {t}{who}) AS owners) AS reps"
        ));
        let rows = s.all(conn).await?;
        let (accounts_won, reps) = match rows.first() {
            Some(r) => (count(r, "accounts")?, count(r, "reps")?),
            None => (0, 0),
        };

        let mut s = Sql::new(backend);
        let (o, t, t2) = (s.bind(org), s.bind(as_of), s.bind(as_of));
        let who = owner_filter(&mut s, "o.owner_id", &b.owners);
        let sum = exact_sum("COALESCE(o.amount_minor, 0)", "amount");
        s.push(&format!(
            "SELECT o.currency AS currency, {sum} FROM opportunity_stage_history h \
             JOIN stages st ON st.id = h.to_stage_id JOIN opportunities o ON o.id = h.opportunity_id \
             WHERE h.org_id = {o} AND o.deleted_at IS NULL AND st.kind = 'open' AND h.entered_at <= {t} \
               AND (h.exited_at IS NULL OR h.exited_at > {t2}){who} GROUP BY o.currency ORDER BY o.currency"
        ));
        let open_pipeline = s
            .all(conn)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("", "currency").map_err(db_err)?, read_exact_sum(r, "amount")?)))
            .collect::<Result<Vec<_>, DomainError>>()?;
        won_amounts.sort();
        Ok(KpiReport {
            window,
            as_of,
            mean_cycle_days: (closed.won > 0).then(|| cycle_secs as f64 / closed.won as f64 / SECONDS_PER_DAY),
            closed,
            won_amounts,
            reps,
            accounts_won,
            open_pipeline,
        })
    }
}
