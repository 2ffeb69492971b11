//! The forecast of one fiscal period: every deal as it stood at `as_of`
//! (stage and fields read back from history), converted to the base
//! currency at the rate of its close day, rolled up per owner, team or org
//! against quotas.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use glassbox_domain::analytics::AsOf;
use glassbox_domain::forecast::accuracy::MethodForecasts;
use glassbox_domain::forecast::fx::to_base;
use glassbox_domain::forecast::model::{self, Cell, Horizon, Range, WinModel, WonDeal};
use glassbox_domain::forecast::{AdjustedCategory, FiscalPeriod, ForecastFigures, QuotaTarget};
use glassbox_domain::pipeline::StageKind;
use glassbox_domain::team::with_descendants;
use glassbox_domain::{DomainError, Scope};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::deals::{deals_at, org_settings, stored_currency};
use super::history;
use crate::Store;
use crate::entities::{quotas, team_members};
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

/// One owner's deals, summed and listed for the model.
#[derive(Debug, Default)]
struct OwnerBook {
    figures: ForecastFigures,
    /// (amount, P(won in the period)) per open deal and per deal won in it.
    chances: Vec<(i128, Decimal)>,
    /// Deals won in the model's history window.
    won_history: Vec<WonDeal>,
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
        let asked: Option<BTreeSet<Uuid>> = q.team_id.map(members_of);
        // Aggregates cover only the caller's reach (see crate::visibility).
        let reach = crate::visibility::Reach::of(conn, scope).await?;
        let allowed = match (asked, reach.aggregate_owners()) {
            (asked, None) => asked,
            (None, Some(mine)) => Some(mine.iter().copied().collect()),
            (Some(asked), Some(mine)) => Some(asked.into_iter().filter(|u| mine.contains(u)).collect()),
        };

        // Per owner: the figures of their deals in base currency, and what
        // the history-based model needs.
        let horizon = Horizon { as_of, start, end };
        let window_from = as_of - TimeDelta::days(q.window_days);
        let history_from = history::first_created(conn, scope.org_id)
            .await?
            .map_or(as_of, |first| first.max(window_from));
        let visits = history::closed_visits(conn, scope.org_id, history_from, as_of).await?;
        let model = WinModel::fit(&visits, &history::open_stages(conn, scope.org_id).await?, horizon);
        let today = as_of.with_timezone(&org.tz.tz()).date_naive();
        let mut missing = BTreeSet::new();
        let mut by_owner: BTreeMap<Uuid, OwnerBook> = BTreeMap::new();
        for deal in deals_at(conn, scope.org_id, as_of, q.as_of.is_none(), &org).await? {
            if allowed.as_ref().is_some_and(|a| !a.contains(&deal.owner_id)) {
                continue;
            }
            let day = deal.close_day.unwrap_or(today);
            let Some(amount) = to_base(&rates, org.base, &deal.currency, deal.amount_minor, day).map_err(stored_currency)? else {
                let counts = deal.kind == StageKind::Open || ForecastFigures::of(&deal, 1, start, end, days) != ForecastFigures::default();
                if counts {
                    missing.insert(deal.currency.clone());
                }
                continue;
            };
            let book = by_owner.entry(deal.owner_id).or_default();
            if deal.close_day.is_some() {
                book.figures.add(&ForecastFigures::of(&deal, amount, start, end, days));
            }
            match (deal.kind, deal.stage_id, deal.won_at) {
                (StageKind::Open, Some(stage), _) => book.chances.push((amount, model.probability(stage, deal.stage_entered_at))),
                (StageKind::Won, _, Some(won_at)) => {
                    if won_at >= start && won_at < end {
                        book.chances.push((amount, Decimal::ONE));
                    }
                    if won_at >= history_from {
                        book.won_history.push(WonDeal {
                            created_at: deal.created_at,
                            won_at,
                            amount,
                        });
                    }
                }
                _ => {}
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
        let row = |key: RowKey, users: &BTreeSet<Uuid>, quota: Option<i128>| {
            let books: Vec<&OwnerBook> = users.iter().filter_map(|u| by_owner.get(u)).collect();
            let mut figures = ForecastFigures::default();
            books.iter().for_each(|b| figures.add(&b.figures));
            let chances: Vec<(i128, Decimal)> = books.iter().flat_map(|b| b.chances.iter().copied()).collect();
            let won: Vec<WonDeal> = books.iter().flat_map(|b| b.won_history.iter().copied()).collect();
            ForecastRow {
                key,
                figures,
                quota,
                adjusted_commit: None,
                adjusted_best_case: None,
                expected: model::expected(&chances),
                expected_new: model::expected_new(&won, history_from, horizon),
                range: model::range(0, &chances),
            }
        };

        let everyone: BTreeSet<Uuid> = match &allowed {
            Some(a) => a.clone(),
            None => by_owner.keys().chain(user_quota.keys()).copied().collect(),
        };
        let total_quota = match q.team_id {
            Some(t) => team_quota.get(&t).copied().or_else(|| sum_quota(&everyone)),
            None => sum_quota(&everyone),
        };
        let mut total = row(RowKey::Org, &everyone, total_quota);
        let mut rows: Vec<ForecastRow> = match q.group_by {
            GroupBy::Owner => {
                let mut owners: BTreeSet<Uuid> = by_owner.keys().copied().collect();
                owners.extend(user_quota.keys().filter(|u| allowed.as_ref().is_none_or(|a| a.contains(u))));
                owners
                    .into_iter()
                    .map(|u| row(RowKey::Owner(u), &BTreeSet::from([u]), user_quota.get(&u).copied()))
                    .collect()
            }
            GroupBy::Team => {
                let mut teams = teams;
                teams.sort_unstable();
                teams
                    .into_iter()
                    .map(|t| {
                        let users = members_of(t);
                        let quota = team_quota.get(&t).copied().or_else(|| sum_quota(&users));
                        row(RowKey::Team(t), &users, quota)
                    })
                    .collect()
            }
            GroupBy::Org => vec![],
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
                history_from,
                trials: model::trials(
                    everyone
                        .iter()
                        .filter_map(|u| by_owner.get(u))
                        .flat_map(|b| &b.chances)
                        .filter(|(a, p)| *a != 0 && !p.is_zero())
                        .count(),
                ),
                cells: model.cells().iter().map(|((stage, band), cell)| (*stage, *band, *cell)).collect(),
            },
        })
    }
}
