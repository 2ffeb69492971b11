//! The forecast of one fiscal period: every deal as it stood at `as_of`
//! (stage and fields read back from history), converted to the base
//! currency at the rate of its close day, rolled up per owner, team or org
//! against quotas.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use glassbox_domain::analytics::AsOf;
use glassbox_domain::forecast::accuracy::MethodForecasts;
use glassbox_domain::forecast::cells::{Context, ForecastCells, evaluate};
use glassbox_domain::forecast::fx::to_base;
use glassbox_domain::forecast::model::{self, Cell, Horizon, Range};
use glassbox_domain::forecast::{AdjustedCategory, DealAsOf, FiscalPeriod, ForecastFigures, QuotaTarget};
use glassbox_domain::pipeline::StageKind;
use glassbox_domain::team::with_descendants;
use glassbox_domain::{DomainError, Scope};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::deals::{Only, current_deals, deals_at, org_settings, stored_currency};
use super::history;
use crate::Store;
use crate::entities::{quotas, team_members};
use crate::error::db_err;
use crate::rollups::ALL_OWNERS;

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

impl GroupBy {
    /// `owner`, `team` or `org`; `None` for anything else.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "owner" => Some(Self::Owner),
            "team" => Some(Self::Team),
            "org" => Some(Self::Org),
            _ => None,
        }
    }

    /// Wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Team => "team",
            Self::Org => "org",
        }
    }
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
    /// The history-based model's trailing window, days.
    pub window_days: i64,
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
    /// History-based expected won revenue in the period from deals that
    /// exist at `as_of`: Σ amount × P(won in the period), a deal already won
    /// in the period counting with P = 1.
    pub expected: i128,
    /// History-based won revenue expected from deals created after `as_of`.
    pub expected_new: i128,
    /// The 10th/50th/90th percentiles of the won revenue `expected` is the
    /// mean of.
    pub range: Range,
}

impl ForecastRow {
    /// What each forecast method says of this row's won revenue: closed won
    /// + weighted; expected + expected_new; commit; best case.
    pub fn method_forecasts(&self) -> MethodForecasts {
        MethodForecasts {
            weighted: self.figures.closed_won + self.figures.weighted(),
            history: self.expected + self.expected_new,
            commit: self.figures.commit,
            best_case: self.figures.best_case,
        }
    }
}

/// What the history-based model learnt, to show its evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelSummary {
    /// Trailing window of closed history, days.
    pub window_days: i64,
    /// Where the history read starts: `as_of` − window, or the org's first
    /// opportunity when later.
    pub history_from: DateTime<Utc>,
    /// Per open stage and age band: the evidence and the probability.
    pub cells: Vec<(Uuid, usize, Cell)>,
    /// Monte Carlo draws behind the total's range (0: normal
    /// approximation).
    pub trials: usize,
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
    /// Rows, ordered by key (group_by=org: the total alone).
    pub rows: Vec<ForecastRow>,
    /// The whole org's (or the `team_id` subtree's) row.
    pub total: ForecastRow,
    /// Currencies of deals left out for want of an exchange rate on their
    /// close day.
    pub missing_rates: Vec<String>,
    /// The history-based model's evidence.
    pub model: ModelSummary,
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
        let asked: Option<BTreeSet<Uuid>> = q.team_id.map(members_of);
        // Aggregates cover only the caller's reach (see crate::visibility).
        let reach = crate::visibility::Reach::of(conn, scope).await?;
        let allowed = match (asked, reach.aggregate_owners()) {
            (asked, None) => asked,
            (None, Some(mine)) => Some(mine.iter().copied().collect()),
            (Some(asked), Some(mine)) => Some(asked.into_iter().filter(|u| mine.contains(u)).collect()),
        };

        // The model, fitted once per local day (see `fit`).
        let today = as_of.with_timezone(&org.tz.tz()).date_naive();
        let horizon = Horizon {
            today,
            first: days.0,
            last: days.1,
        };
        let fit = super::fit::fit(conn, scope.org_id, &org, &rates, horizon, q.window_days, self.now()).await?;
        let model = fit.model(horizon, &history::open_stages(conn, scope.org_id).await?);
        let probabilities = history::stage_probabilities(conn, scope.org_id).await?;

        // Each owner's cells: kept by writes for the present, built from
        // deals as they stood for a past `as_of` (or while rollups are
        // rebuilt).
        let allowed_list: Option<Vec<Uuid>> = allowed.as_ref().map(|a| a.iter().copied().collect());
        let from_store = q.as_of.is_none() && crate::rollups::ready(conn, scope.org_id).await?;
        let mut past_deals: Vec<DealAsOf> = Vec::new();
        let cells: BTreeMap<Uuid, ForecastCells> = if from_store {
            let owners = match (&allowed_list, q.group_by) {
                (Some(list), _) => Some(list.clone()),
                (None, GroupBy::Org) => Some(vec![ALL_OWNERS]),
                (None, _) => None,
            };
            super::cells::read(conn, scope.org_id, owners.as_deref(), today, days).await?
        } else {
            past_deals = match q.as_of {
                None => current_deals(conn, scope.org_id, &org, Only::All).await?,
                Some(_) => deals_at(conn, scope.org_id, as_of, &org).await?,
            };
            past_deals.retain(|d| allowed.as_ref().is_none_or(|a| a.contains(&d.owner_id)));
            let mut cells = super::cells::by_owner(&past_deals, &org);
            cells.values_mut().for_each(|c| c.keep_period(days));
            cells
        };
        let ctx = Context {
            rates: &rates,
            base: org.base,
            probabilities: &probabilities,
            model: &model,
            days,
            today,
        };
        let mut missing = fit.missing_rates.clone();

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
        // Teams whose own quota has no rate: no quota rather than their
        // members' sum.
        let mut unconverted: BTreeSet<Uuid> = BTreeSet::new();
        for m in quota_rows {
            let Some(amount) = to_base(&rates, org.base, &m.currency, i128::from(m.amount_minor), days.1).map_err(stored_currency)? else {
                missing.insert(m.currency.clone());
                unconverted.insert(m.target_id);
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
        let team_quota_of = |team: Uuid, members: &BTreeSet<Uuid>| -> Option<i128> {
            match team_quota.get(&team) {
                Some(q) => Some(*q),
                None if unconverted.contains(&team) => None,
                None => sum_quota(members),
            }
        };
        let visible = |u: &Uuid| allowed.as_ref().is_none_or(|a| a.contains(u));
        // Owners with something in the period: cells, a quota, or won
        // history that predicts new business.
        let owners: BTreeSet<Uuid> = cells
            .iter()
            .filter(|(u, c)| **u != ALL_OWNERS && !c.is_empty())
            .map(|(u, _)| *u)
            .chain(user_quota.keys().copied())
            .chain(fit.new_weight.iter().filter(|(_, w)| **w != 0).map(|(u, _)| *u))
            .filter(visible)
            .collect();
        let everyone: BTreeSet<Uuid> = match &allowed {
            Some(a) => a.clone(),
            None => owners.clone(),
        };
        let total_quota = match q.team_id {
            Some(t) => team_quota_of(t, &everyone),
            None => sum_quota(&everyone),
        };
        let mut specs: Vec<(RowKey, BTreeSet<Uuid>, Option<i128>)> = match q.group_by {
            GroupBy::Owner => owners
                .iter()
                .map(|u| (RowKey::Owner(*u), BTreeSet::from([*u]), user_quota.get(u).copied()))
                .collect(),
            GroupBy::Team => {
                let mut teams = teams;
                teams.sort_unstable();
                teams
                    .into_iter()
                    .map(|t| {
                        let members = members_of(t);
                        let quota = team_quota_of(t, &members);
                        // Only members in the caller's reach count.
                        (RowKey::Team(t), members.into_iter().filter(visible).collect(), quota)
                    })
                    .collect()
            }
            GroupBy::Org => vec![],
        };
        specs.push((RowKey::Org, everyone.clone(), total_quota));

        let mut rows: Vec<ForecastRow> = Vec::with_capacity(specs.len());
        let mut total_live = 0;
        let mut open_now: Option<Vec<DealAsOf>> = None;
        for (key, users, quota) in specs {
            let mut merged = ForecastCells::default();
            let all = cells.get(&ALL_OWNERS).filter(|_| key == RowKey::Org && allowed.is_none());
            match all {
                Some(all) => merged.add(all, 1),
                None => users.iter().filter_map(|u| cells.get(u)).for_each(|c| merged.add(c, 1)),
            }
            let e = evaluate(&merged, &ctx).map_err(stored_currency)?;
            missing.extend(e.missing_rates);
            let live = e.chances.live();
            let draws = if model::trials(live) > 0 {
                // Open deals in reach, read once for every row that draws.
                if from_store && open_now.is_none() {
                    let only = allowed_list.as_deref().map_or(Only::Open, Only::OpenOf);
                    open_now = Some(current_deals(conn, scope.org_id, &org, only).await?);
                }
                let source = open_now.as_deref().unwrap_or(&past_deals);
                let mine = source.iter().filter(|d| all.is_some() || users.contains(&d.owner_id));
                chances_of(mine, &ctx, &org)?
            } else {
                Vec::new()
            };
            if key == RowKey::Org {
                total_live = live;
            }
            let weight: i128 = users.iter().filter_map(|u| fit.new_weight.get(u)).sum();
            rows.push(ForecastRow {
                key,
                figures: e.figures,
                quota,
                adjusted_commit: None,
                adjusted_best_case: None,
                expected: e.figures.closed_won + model::expected(&e.chances),
                expected_new: model::expected_new(weight, fit.window_days),
                range: model::range(e.figures.closed_won, &e.chances, &draws),
            });
        }
        let Some(mut total) = rows.pop() else {
            return Err(DomainError::Internal("forecast without a total row".into()));
        };
        let adjustments = super::adjustments::in_force(conn, scope.org_id, q.period.kind, days.0).await?;
        for row in rows.iter_mut().chain(std::iter::once(&mut total)) {
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
            rows: if q.group_by == GroupBy::Org { vec![total.clone()] } else { rows },
            total,
            missing_rates: missing.into_iter().collect(),
            model: ModelSummary {
                window_days: q.window_days,
                history_from: super::fit::day_start(&org, fit.history_from),
                trials: model::trials(total_live),
                cells: model.cells().iter().map(|((stage, band), cell)| (*stage, *band, *cell)).collect(),
            },
        })
    }
}

/// (amount in base currency, P(won in the period)) of each open deal among
/// `deals`, in their order (by id), for the Monte Carlo draws; deals without
/// a rate are left out (and reported by the cells).
fn chances_of<'a>(
    deals: impl Iterator<Item = &'a DealAsOf>,
    ctx: &Context<'_>,
    org: &super::deals::Org,
) -> Result<Vec<(i128, Decimal)>, DomainError> {
    let mut out = Vec::new();
    for d in deals {
        let (StageKind::Open, Some(stage)) = (d.kind, d.stage_id) else {
            continue;
        };
        let day = d.close_day.unwrap_or(ctx.today);
        let Some(amount) = to_base(ctx.rates, ctx.base, &d.currency, i128::from(d.amount_minor), day).map_err(stored_currency)? else {
            continue;
        };
        let entered = d.stage_entered_at.map(|t| t.with_timezone(&org.tz.tz()).date_naive());
        out.push((amount, ctx.model.probability(stage, entered)));
    }
    Ok(out)
}
