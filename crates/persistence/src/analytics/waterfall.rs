//! The pipeline waterfall, from stage and field history, in SQL.

use chrono::{DateTime, TimeDelta, Utc};
use glassbox_domain::analytics::Waterfall;
use glassbox_domain::window::DateWindow;
use glassbox_domain::{DomainError, Scope};

use super::sql::{Sql, exact_sum, read_exact_sum};
use super::{Bounds, ReportQuery, bounds, owner_filter};
use crate::Store;
use crate::error::db_err;

/// Waterfalls of a window, one per currency.
#[derive(Debug, Clone, PartialEq)]
pub struct WaterfallReport {
    /// The window, which is also the period whose close dates count.
    pub window: DateWindow,
    /// Start instant (just before the window's first day).
    pub start: DateTime<Utc>,
    /// End instant (the window's last microsecond, or `as_of` if earlier).
    pub end: DateTime<Utc>,
    /// One waterfall per currency, by code.
    pub waterfalls: Vec<Waterfall>,
}

/// SQL of a deal's stage kind at instant `t` (a placeholder).
pub(crate) fn kind_at(o: &str, t: &str) -> String {
    format!(
        "(SELECT st.kind FROM opportunity_stage_history h JOIN stages st ON st.id = h.to_stage_id \
          WHERE h.org_id = {o} AND h.opportunity_id = d.id AND h.entered_at <= {t} \
          AND (h.exited_at IS NULL OR h.exited_at > {t}) ORDER BY h.entered_at DESC LIMIT 1)"
    )
}

/// SQL of a tracked field's value at `t` as history text: the old value of
/// the first change after `t` ('' when that was empty), or NULL when the
/// field has not changed since (the current value holds).
pub(crate) fn field_at(o: &str, field: &str, t: &str) -> String {
    format!(
        "(SELECT COALESCE(f.old_value, '') FROM opportunity_field_history f \
          WHERE f.org_id = {o} AND f.opportunity_id = d.id AND f.field = '{field}' AND f.changed_at > {t} \
          ORDER BY f.changed_at, f.id LIMIT 1)"
    )
}

/// Minor units from an amount as history stores it (a decimal string with
/// exactly the currency's digits, so dropping the point gives minor units),
/// falling back to the current amount.
fn minor(text: &str) -> String {
    format!(
        "(CASE WHEN {text} IS NULL THEN COALESCE(amount_minor, 0) WHEN {text} = '' THEN 0 \
          ELSE CAST(REPLACE({text}, '.', '') AS BIGINT) END)"
    )
}

impl Store {
    /// The waterfall of the open pipeline whose close dates fall from `from`
    /// to `to` (org-local days, both included; default this calendar
    /// month's 30 days to today), between the start of `from` and the end of
    /// `to` (or `as_of` when earlier): start, new, pulled in, increased,
    /// decreased, pushed out, won, lost, end — see
    /// [`glassbox_domain::analytics::Waterfall`]. Amounts and close dates
    /// come from field history as they stood at each end; every sum is
    /// exact and computed in SQL.
    ///
    /// # Errors
    /// [`DomainError::Validation`] naming `owner_id`, `team_id`, `from`, or
    /// `as_of` when it (or now) is before the window starts.
    pub async fn pipeline_changes(&self, scope: &Scope, q: &ReportQuery) -> Result<WaterfallReport, DomainError> {
        let conn = self.conn();
        let Bounds {
            org,
            owners,
            as_of: at,
            day: _,
            window,
            start,
            end,
        } = bounds(conn, scope, q, self.now()).await?;
        if at < start {
            return Err(DomainError::invalid(
                "as_of",
                "before_window",
                "the window starts after as_of (or after now): nothing to compare",
            ));
        }
        let tick = TimeDelta::microseconds(1);
        let (t_start, t_end) = ((start - tick).min(at), (end - tick).min(at));
        let mut s = Sql::new(conn.get_database_backend());
        let o = s.bind(org);
        let (ts, te) = (s.bind(t_start), s.bind(t_end));
        let (p1, p2) = (s.bind(window.from.to_string()), s.bind(window.to.to_string()));
        let who = owner_filter(&mut s, "d.owner_id", &owners);
        let (kind_s, kind_e) = (kind_at(&o, &ts), kind_at(&o, &te));
        let (amount_s, amount_e) = (field_at(&o, "amount", &ts), field_at(&o, "amount", &te));
        let (close_s, close_e) = (field_at(&o, "close_date", &ts), field_at(&o, "close_date", &te));
        let close = |text: &str| format!("(CASE WHEN {text} IS NULL THEN CAST(close_date AS TEXT) ELSE NULLIF({text}, '') END)");
        let (amt_s, amt_e) = (minor("amount_s"), minor("amount_e"));
        let (cs, ce) = (close("close_s"), close("close_e"));
        let sums = [
            ("start", "in_s * amt_s".to_owned()),
            (
                "increased",
                "CASE WHEN in_s = 1 AND in_e = 1 AND amt_e > amt_s THEN amt_e - amt_s ELSE 0 END".into(),
            ),
            (
                "decreased",
                "CASE WHEN in_s = 1 AND in_e = 1 AND amt_e < amt_s THEN amt_s - amt_e ELSE 0 END".into(),
            ),
            (
                "pushed",
                "CASE WHEN in_s = 1 AND in_e = 0 AND kind_e = 'open' THEN amt_s ELSE 0 END".into(),
            ),
            (
                "won_out",
                "CASE WHEN in_s = 1 AND in_e = 0 AND kind_e = 'won' THEN amt_s ELSE 0 END".into(),
            ),
            (
                "lost_out",
                "CASE WHEN in_s = 1 AND in_e = 0 AND kind_e = 'lost' THEN amt_s ELSE 0 END".into(),
            ),
            (
                "new_in",
                "CASE WHEN in_s = 0 AND in_e = 1 AND is_new = 1 THEN amt_e ELSE 0 END".into(),
            ),
            (
                "pulled",
                "CASE WHEN in_s = 0 AND in_e = 1 AND is_new = 0 THEN amt_e ELSE 0 END".into(),
            ),
            (
                "passing_won",
                "CASE WHEN in_s = 0 AND in_e = 0 AND is_new = 1 AND kind_e = 'won' AND in_period_e = 1 THEN amt_e ELSE 0 END".into(),
            ),
            (
                "passing_lost",
                "CASE WHEN in_s = 0 AND in_e = 0 AND is_new = 1 AND kind_e = 'lost' AND in_period_e = 1 THEN amt_e ELSE 0 END".into(),
            ),
            ("ending", "in_e * amt_e".into()),
        ];
        let sums: Vec<String> = sums.iter().map(|(name, expr)| exact_sum(&format!("({expr})"), name)).collect();
        s.push(&format!(
            "WITH d0 AS MATERIALIZED (SELECT d.id, d.currency, d.created_at, d.amount_minor, d.close_date, \
               {kind_s} AS kind_s, {kind_e} AS kind_e, {amount_s} AS amount_s, {amount_e} AS amount_e, \
               {close_s} AS close_s, {close_e} AS close_e \
             FROM opportunities d WHERE d.org_id = {o} AND d.deleted_at IS NULL AND d.created_at <= {te}{who}), \
             d1 AS (SELECT currency, created_at, kind_s, kind_e, {amt_s} AS amt_s, {amt_e} AS amt_e, \
               {cs} AS cs, {ce} AS ce FROM d0), \
             v AS (SELECT currency, kind_e, amt_s, amt_e, \
               CASE WHEN created_at <= {ts} AND kind_s = 'open' AND cs >= {p1} AND cs <= {p2} THEN 1 ELSE 0 END AS in_s, \
               CASE WHEN kind_e = 'open' AND ce >= {p1} AND ce <= {p2} THEN 1 ELSE 0 END AS in_e, \
               CASE WHEN ce >= {p1} AND ce <= {p2} THEN 1 ELSE 0 END AS in_period_e, \
               CASE WHEN created_at > {ts} THEN 1 ELSE 0 END AS is_new FROM d1) \
             SELECT currency, {} FROM v GROUP BY currency ORDER BY currency",
            sums.join(", ")
        ));
        let mut waterfalls = Vec::new();
        for r in s.all(conn).await? {
            let sum = |name: &str| read_exact_sum(&r, name);
            let (passing_won, passing_lost) = (sum("passing_won")?, sum("passing_lost")?);
            waterfalls.push(Waterfall {
                currency: r.try_get("", "currency").map_err(db_err)?,
                start: sum("start")?,
                new: sum("new_in")? + passing_won + passing_lost,
                pulled_in: sum("pulled")?,
                increased: sum("increased")?,
                decreased: sum("decreased")?,
                pushed_out: sum("pushed")?,
                won: sum("won_out")? + passing_won,
                lost: sum("lost_out")? + passing_lost,
                end: sum("ending")?,
            });
        }
        Ok(WaterfallReport {
            window,
            start: t_start,
            end: t_end,
            waterfalls,
        })
    }
}
