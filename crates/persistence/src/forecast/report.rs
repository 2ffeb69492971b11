//! The forecast of one fiscal period: every deal as it stood at `as_of`
//! (stage and fields read back from history), converted to the base
//! currency at the rate of its close day, rolled up per owner, team or org
//! against quotas.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use glassbox_domain::analytics::AsOf;
use glassbox_domain::forecast::fx::to_base;
use glassbox_domain::forecast::{AdjustedCategory, DealAsOf, FiscalPeriod, ForecastFigures, QuotaTarget};
use glassbox_domain::money::Money;
use glassbox_domain::org::{Currency, FiscalYearStartMonth};
use glassbox_domain::pipeline::{ForecastCategory, StageKind};
use glassbox_domain::team::with_descendants;
use glassbox_domain::{DomainError, Scope};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryResult};
use uuid::Uuid;

use crate::Store;
use crate::analytics::sql::Sql;
use crate::analytics::waterfall::{field_at, kind_at};
use crate::entities::{orgs, quotas, team_members};
use crate::error::db_err;

/// How forecast rows are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    /// One row per deal owner.
    Owner,
    /// One row per team, each summing its members and its sub-teams'.
    Team,
    /// One row for the org.
    Org,
}

/// What a forecast covers.
#[derive(Debug, Clone, Copy)]
pub struct ForecastQuery {
    /// The fiscal period.
    pub period: FiscalPeriod,
    /// Row grouping.
    pub group_by: GroupBy,
    /// Only this team and its sub-teams (and their members' deals).
    pub team_id: Option<Uuid>,
    /// Read history as it stood then (default now, capped at now).
    pub as_of: Option<AsOf>,
}

/// Whose row it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RowKey {
    /// A user's deals.
    Owner(Uuid),
    /// A team's (with sub-teams).
    Team(Uuid),
    /// The whole org (or the `team_id` subtree).
    Org,
}

/// One forecast row.
#[derive(Debug, Clone, PartialEq)]
pub struct ForecastRow {
    /// Whose.
    pub key: RowKey,
    /// The sums, base-currency minor units.
    pub figures: ForecastFigures,
    /// Quota in base-currency minor units (team: its own, else the sum of
    /// its members'; org: the sum of every user's); `None` when there is
    /// none.
    pub quota: Option<i128>,
    /// The commit a manager put in force for this owner or team, if any.
    pub adjusted_commit: Option<i128>,
    /// The best case a manager put in force, if any.
    pub adjusted_best_case: Option<i128>,
}

/// A forecast.
#[derive(Debug, Clone, PartialEq)]
pub struct ForecastReport {
    /// The period.
    pub period: FiscalPeriod,
    /// Its first and last local day.
    pub days: (NaiveDate, NaiveDate),
    /// History read as it stood then.
    pub as_of: DateTime<Utc>,
    /// Base currency of every amount.
    pub currency: String,
    /// Rows, ordered by key.
    pub rows: Vec<ForecastRow>,
    /// Currencies of deals left out for want of an exchange rate on their
    /// close day.
    pub missing_rates: Vec<String>,
}

fn stored_currency(_: DomainError) -> DomainError {
    DomainError::Internal("a stored currency is not ISO 4217".into())
}

struct Org {
    start: FiscalYearStartMonth,
    tz: glassbox_domain::org::TimeZone,
    base: Currency,
}

async fn org_settings(conn: &impl ConnectionTrait, org: Uuid) -> Result<Org, DomainError> {
    let m = orgs::Entity::find_by_id(org)
        .one(conn)
        .await
        .map_err(db_err)?
        .ok_or(DomainError::NotFound("org"))?;
    let corrupt = |what: &str| DomainError::Internal(format!("stored org {what} is bad"));
    Ok(Org {
        start: FiscalYearStartMonth::parse("m", i64::from(m.fiscal_year_start_month)).map_err(|_| corrupt("fiscal start"))?,
        tz: crate::calendars::org_time_zone(conn, org).await?,
        base: Currency::parse("c", &m.base_currency).map_err(|_| corrupt("currency"))?,
    })
}

/// Every live deal created by `t`, as it stood at `t`.
async fn deals_at(conn: &impl ConnectionTrait, org: Uuid, t: DateTime<Utc>, tz: &Org) -> Result<Vec<DealAsOf>, DomainError> {
    let mut s = Sql::new(conn.get_database_backend());
    let (o, at) = (s.bind(org), s.bind(t));
    let current = |col: &str| {
        format!(
            "(SELECT h.{col} FROM opportunity_stage_history h WHERE h.org_id = {o} AND h.opportunity_id = d.id \
              AND h.entered_at <= {at} AND (h.exited_at IS NULL OR h.exited_at > {at}) ORDER BY h.entered_at DESC LIMIT 1)"
        )
    };
    s.push(&format!(
        "SELECT d.amount_minor, d.currency, CAST(d.close_date AS TEXT) AS close_date, d.owner_id, d.forecast_category, \
           {} AS kind_t, {} AS stage_t, {} AS entered_t, {} AS amount_t, {} AS currency_t, {} AS close_t, \
           {} AS owner_t, {} AS category_t, \
           (SELECT st.probability FROM stages st WHERE st.id = {}) AS probability \
         FROM opportunities d WHERE d.org_id = {o} AND d.deleted_at IS NULL AND d.created_at <= {at}",
        kind_at(&o, &at),
        current("to_stage_id"),
        current("entered_at"),
        field_at(&o, "amount", &at),
        field_at(&o, "currency", &at),
        field_at(&o, "close_date", &at),
        field_at(&o, "owner_id", &at),
        field_at(&o, "forecast_category", &at),
        current("to_stage_id"),
    ));
    let rows = s.all(conn).await?;
    rows.iter().filter_map(|r| deal_of(r, tz).transpose()).collect()
}

/// One row of [`deals_at`]; `None` for a deal without a stage then.
fn deal_of(r: &QueryResult, org: &Org) -> Result<Option<DealAsOf>, DomainError> {
    let get = |c: &str| r.try_get::<Option<String>>("", c).map_err(db_err);
    let corrupt = |what: &str| DomainError::Internal(format!("stored opportunity {what} is bad"));
    let Some(kind) = get("kind_t")? else { return Ok(None) };
    let kind = StageKind::parse("kind", &kind).map_err(|_| corrupt("stage kind"))?;
    // A history value: NULL = unchanged since (the current value holds),
    // '' = empty then.
    let then = |hist: Option<String>, now: Option<String>| match hist {
        None => now,
        Some(v) if v.is_empty() => None,
        Some(v) => Some(v),
    };
    let currency = then(get("currency_t")?, get("currency")?).ok_or_else(|| corrupt("currency"))?;
    let cur = Currency::parse("currency", &currency).map_err(|_| corrupt("currency"))?;
    let now_amount: Option<i64> = r.try_get("", "amount_minor").map_err(db_err)?;
    let amount_minor = match get("amount_t")? {
        None => now_amount.unwrap_or(0),
        Some(v) if v.is_empty() => 0,
        Some(v) => Money::parse_amount("amount", &v, cur)
            .map_err(|_| corrupt("amount history"))?
            .minor(),
    };
    let close = then(get("close_t")?, get("close_date")?);
    let owner = then(get("owner_t")?, None).map_or_else(
        || r.try_get::<Uuid>("", "owner_id").map_err(db_err),
        |v| v.parse::<Uuid>().map_err(|_| corrupt("owner history")),
    )?;
    let category = then(get("category_t")?, get("forecast_category")?).ok_or_else(|| corrupt("category"))?;
    let entered: Option<DateTime<Utc>> = r.try_get("", "entered_t").map_err(db_err)?;
    let probability: Option<i32> = r.try_get("", "probability").map_err(db_err)?;
    let won_at = entered.filter(|_| kind == StageKind::Won);
    let close_day = match (kind, won_at) {
        (StageKind::Won, Some(t)) => Some(t.with_timezone(&org.tz.tz()).date_naive()),
        _ => close
            .map(|c| c.get(..10).unwrap_or(&c).parse::<NaiveDate>())
            .transpose()
            .map_err(|_| corrupt("close date"))?,
    };
    Ok(Some(DealAsOf {
        owner_id: owner,
        kind,
        won_at,
        close_day,
        amount_minor,
        currency,
        category: ForecastCategory::parse("forecast_category", &category).map_err(|_| corrupt("forecast category"))?,
        probability: probability.unwrap_or(0),
    }))
}

impl Store {
    /// The forecast of a fiscal period (see
    /// [`glassbox_domain::forecast::rollup`] for every figure).
    ///
    /// # Errors
    /// [`DomainError::Validation`] naming `team_id` when it is not a team of
    /// the org.
    pub async fn forecast(&self, scope: &Scope, q: &ForecastQuery) -> Result<ForecastReport, DomainError> {
        let conn = self.conn();
        let org = org_settings(conn, scope.org_id).await?;
        let as_of = q.as_of.map_or(self.now(), |a| a.instant(org.tz)).min(self.now());
        let (start, end) = q.period.bounds(org.start, org.tz);
        let days = (q.period.first_day(org.start), q.period.last_day(org.start));
        let rates = self.list_exchange_rates(scope, None).await?;
        let edges = crate::teams::edges(conn, scope.org_id).await?;
        if let Some(team) = q.team_id {
            crate::refs::check(conn, scope.org_id, &[("team_id", Some(team), crate::refs::Ref::Team)]).await?;
        }
        let teams: Vec<Uuid> = match q.team_id {
            Some(t) => with_descendants(&[t], &edges),
            None => edges.iter().map(|(t, _)| *t).collect(),
        };
        let memberships: Vec<(Uuid, Uuid)> = team_members::Entity::find()
            .filter(team_members::Column::OrgId.eq(scope.org_id))
            .all(conn)
            .await
            .map_err(db_err)?
            .into_iter()
            .map(|m| (m.team_id, m.user_id))
            .collect();
        let members_of = |team: Uuid| -> BTreeSet<Uuid> {
            let subtree = with_descendants(&[team], &edges);
            memberships.iter().filter(|(t, _)| subtree.contains(t)).map(|(_, u)| *u).collect()
        };
        let allowed: Option<BTreeSet<Uuid>> = q.team_id.map(members_of);

        // Per owner: the figures of their deals in base currency.
        let mut missing = BTreeSet::new();
        let mut by_owner: BTreeMap<Uuid, ForecastFigures> = BTreeMap::new();
        for deal in deals_at(conn, scope.org_id, as_of, &org).await? {
            if allowed.as_ref().is_some_and(|a| !a.contains(&deal.owner_id)) {
                continue;
            }
            let Some(day) = deal.close_day else { continue };
            let base = to_base(&rates, org.base, &deal.currency, deal.amount_minor, day).map_err(stored_currency)?;
            if ForecastFigures::of(&deal, 1, start, end, days) == ForecastFigures::default() {
                continue; // not in the period
            }
            match base {
                Some(amount) => by_owner
                    .entry(deal.owner_id)
                    .or_default()
                    .add(&ForecastFigures::of(&deal, amount, start, end, days)),
                None => {
                    missing.insert(deal.currency.clone());
                }
            }
        }

        // Quotas of exactly this period, in base currency at the period's end.
        let quota_rows = quotas::Entity::find()
            .filter(quotas::Column::OrgId.eq(scope.org_id))
            .filter(quotas::Column::PeriodKind.eq(q.period.kind.as_str()))
            .filter(quotas::Column::FirstDay.eq(days.0))
            .all(conn)
            .await
            .map_err(db_err)?;
        let mut user_quota: HashMap<Uuid, i128> = HashMap::new();
        let mut team_quota: HashMap<Uuid, i128> = HashMap::new();
        for m in quota_rows {
            let Some(amount) = to_base(&rates, org.base, &m.currency, m.amount_minor, days.1).map_err(stored_currency)? else {
                missing.insert(m.currency.clone());
                continue;
            };
            let map = if m.target_kind == "team" {
                &mut team_quota
            } else {
                &mut user_quota
            };
            map.insert(m.target_id, amount);
        }
        let sum_quota = |users: &BTreeSet<Uuid>| -> Option<i128> {
            let found: Vec<i128> = users.iter().filter_map(|u| user_quota.get(u).copied()).collect();
            (!found.is_empty()).then(|| found.iter().sum())
        };
        let sum_figures = |users: &BTreeSet<Uuid>| {
            let mut f = ForecastFigures::default();
            for (_, owner_f) in by_owner.iter().filter(|(u, _)| users.contains(u)) {
                f.add(owner_f);
            }
            f
        };

        let rows = match q.group_by {
            GroupBy::Owner => {
                let mut owners: BTreeSet<Uuid> = by_owner.keys().copied().collect();
                owners.extend(user_quota.keys().filter(|u| allowed.as_ref().is_none_or(|a| a.contains(u))));
                owners
                    .into_iter()
                    .map(|u| ForecastRow {
                        key: RowKey::Owner(u),
                        figures: by_owner.get(&u).copied().unwrap_or_default(),
                        quota: user_quota.get(&u).copied(),
                        adjusted_commit: None,
                        adjusted_best_case: None,
                    })
                    .collect()
            }
            GroupBy::Team => {
                let mut teams = teams;
                teams.sort_unstable();
                teams
                    .into_iter()
                    .map(|t| {
                        let users = members_of(t);
                        ForecastRow {
                            key: RowKey::Team(t),
                            figures: sum_figures(&users),
                            quota: team_quota.get(&t).copied().or_else(|| sum_quota(&users)),
                            adjusted_commit: None,
                            adjusted_best_case: None,
                        }
                    })
                    .collect()
            }
            GroupBy::Org => {
                let users: BTreeSet<Uuid> = match &allowed {
                    Some(a) => a.clone(),
                    None => by_owner.keys().chain(user_quota.keys()).copied().collect(),
                };
                let quota = match q.team_id {
                    Some(t) => team_quota.get(&t).copied().or_else(|| sum_quota(&users)),
                    None => sum_quota(&users),
                };
                vec![ForecastRow {
                    key: RowKey::Org,
                    figures: sum_figures(&users),
                    quota,
                    adjusted_commit: None,
                    adjusted_best_case: None,
                }]
            }
        };
        let adjustments = super::adjustments::in_force(conn, scope.org_id, q.period.kind, days.0).await?;
        let mut rows = rows;
        for row in &mut rows {
            let target = match row.key {
                RowKey::Owner(u) => Some(QuotaTarget::User(u)),
                RowKey::Team(t) => Some(QuotaTarget::Team(t)),
                RowKey::Org => q.team_id.map(QuotaTarget::Team),
            };
            if let Some(target) = target {
                row.adjusted_commit = adjustments.get(&(target, AdjustedCategory::Commit)).map(|a| i128::from(*a));
                row.adjusted_best_case = adjustments.get(&(target, AdjustedCategory::BestCase)).map(|a| i128::from(*a));
            }
        }
        Ok(ForecastReport {
            period: q.period,
            days,
            as_of,
            currency: org.base.code().to_owned(),
            rows,
            missing_rates: missing.into_iter().collect(),
        })
    }
}
