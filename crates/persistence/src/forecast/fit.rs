//! The history-based model fitted once per org-local day (see the domain's
//! `forecast::model`: it learns from history as it stood at the start of
//! the day), kept in `forecast_model_fits` for the day, window and period
//! it was fitted for. A fit stays valid until its org's generation moves
//! on: [`invalidate`] is called by whatever can change past history (an
//! import, a rollup rebuild, a new time zone, a stage reorder, an exchange
//! rate). The generation is read before the history, so a fit computed
//! while an import commits is stored under the old generation and never
//! read.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone as _, Utc};
use glassbox_domain::DomainError;
use glassbox_domain::forecast::ExchangeRate;
use glassbox_domain::forecast::fx::to_base;
use glassbox_domain::forecast::model::{AGE_BANDS_DAYS, Cell, ClosedVisit, Horizon, WinModel, new_deal_days};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use uuid::Uuid;

use super::deals::{Org, stored_currency};
use super::generation::generation;
use super::history;
use crate::analytics::sql::Sql;
use crate::error::db_err;
use crate::rollups::keys::day_number;

/// What a fit keeps: the model's evidence and each owner's new-business
/// weight.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Fit {
    /// First day of the history read.
    pub history_from: NaiveDate,
    /// Days of history read (today − `history_from`).
    pub window_days: i64,
    /// (closed, won) per (stage, band), for stages with evidence.
    pub evidence: BTreeMap<(Uuid, usize), (u64, u64)>,
    /// Per owner: Σ amount × `new_deal_days(lag)` over the window's won
    /// deals (base minor units × days).
    pub new_weight: BTreeMap<Uuid, i128>,
    /// Currencies of won deals left out for want of a rate on their won day.
    pub missing_rates: BTreeSet<String>,
}

impl Fit {
    /// The model for `horizon`, the prior from the org's current open
    /// stages (`open_stages`: id → probability, percent).
    pub(crate) fn model(&self, horizon: Horizon, open_stages: &HashMap<Uuid, i32>) -> WinModel {
        let mut cells = BTreeMap::new();
        for (stage, p0) in open_stages {
            for band in 0..AGE_BANDS_DAYS.len() {
                let (closed, won) = self.evidence.get(&(*stage, band)).copied().unwrap_or((0, 0));
                cells.insert(
                    (*stage, band),
                    Cell {
                        closed,
                        won,
                        stage_probability: *p0,
                    },
                );
            }
        }
        WinModel::from_cells(horizon, cells)
    }
}

/// The first instant of local day `day` in the org's time zone.
pub(crate) fn day_start(org: &Org, day: NaiveDate) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    org.tz
        .tz()
        .from_local_datetime(&midnight)
        .earliest()
        .map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc))
}

/// The fit for `horizon` and a trailing window of `window_days`: the stored
/// one, else fitted now and stored.
///
/// # Errors
/// [`DomainError::Internal`] on storage failure.
pub(crate) async fn fit(
    conn: &impl ConnectionTrait,
    org: Uuid,
    settings: &Org,
    rates: &[ExchangeRate],
    horizon: Horizon,
    window_days: i64,
    now: DateTime<Utc>,
) -> Result<Fit, DomainError> {
    Ok(kept_or_fitted(conn, org, settings, rates, horizon, window_days, now).await?.0)
}

/// [`fit`], and whether it had to fit (nothing was kept).
async fn kept_or_fitted(
    conn: &impl ConnectionTrait,
    org: Uuid,
    settings: &Org,
    rates: &[ExchangeRate],
    horizon: Horizon,
    window_days: i64,
    now: DateTime<Utc>,
) -> Result<(Fit, bool), DomainError> {
    let generation = generation(conn, org).await?;
    let key = key(horizon, window_days);
    if let Some(fit) = stored(conn, org, generation, key).await?.as_deref().and_then(decode) {
        return Ok((fit, false));
    }
    let fit = compute(conn, org, settings, rates, horizon, window_days).await?;
    let mut s = Sql::new(conn.get_database_backend());
    let (o, g) = (s.bind(org), s.bind(generation));
    let (t, w, f, l) = (s.bind(key[0]), s.bind(key[1]), s.bind(key[2]), s.bind(key[3]));
    let (body, at) = (s.bind(encode(&fit)), s.bind(now));
    s.push(&format!(
        "INSERT INTO forecast_model_fits (org_id, generation, today, window_days, first_day, last_day, body, created_at) \
         VALUES ({o}, {g}, {t}, {w}, {f}, {l}, {body}, {at}) \
         ON CONFLICT (org_id, generation, today, window_days, first_day, last_day) DO NOTHING"
    ));
    s.execute(conn).await?;
    // Fits of earlier generations, and any older than a week, are not
    // needed again.
    let mut s = Sql::new(conn.get_database_backend());
    let (o, g, old) = (s.bind(org), s.bind(generation), s.bind(now - TimeDelta::days(7)));
    s.push(&format!(
        "DELETE FROM forecast_model_fits WHERE org_id = {o} AND (generation < {g} OR created_at < {old})"
    ));
    s.execute(conn).await?;
    Ok((fit, true))
}

/// The stored key of a fit: today, window, first and last day.
fn key(horizon: Horizon, window_days: i64) -> [i32; 4] {
    [
        day_number(horizon.today),
        i32::try_from(window_days).unwrap_or(i32::MAX),
        day_number(horizon.first),
        day_number(horizon.last),
    ]
}

/// The body of the fit kept under `key` in `generation`, if any.
async fn stored(conn: &impl ConnectionTrait, org: Uuid, generation: i64, key: [i32; 4]) -> Result<Option<String>, DomainError> {
    let mut s = Sql::new(conn.get_database_backend());
    let (o, g) = (s.bind(org), s.bind(generation));
    let (t, w, f, l) = (s.bind(key[0]), s.bind(key[1]), s.bind(key[2]), s.bind(key[3]));
    s.push(&format!(
        "SELECT body FROM forecast_model_fits WHERE org_id = {o} AND generation = {g} AND today = {t} \
         AND window_days = {w} AND first_day = {f} AND last_day = {l}"
    ));
    match s.all(conn).await?.first() {
        Some(row) => Ok(Some(row.try_get("", "body").map_err(db_err)?)),
        None => Ok(None),
    }
}

/// Fits from history as it stood at the start of `horizon.today`.
async fn compute(
    conn: &impl ConnectionTrait,
    org: Uuid,
    settings: &Org,
    rates: &[ExchangeRate],
    horizon: Horizon,
    window_days: i64,
) -> Result<Fit, DomainError> {
    let start = day_start(settings, horizon.today);
    let local = |t: DateTime<Utc>| t.with_timezone(&settings.tz.tz()).date_naive();
    let earliest = horizon.today - TimeDelta::days(window_days.max(0));
    let history_from = history::first_created(conn, org, start)
        .await?
        .map_or(horizon.today, |first| local(first).max(earliest));
    let from = day_start(settings, history_from);
    let visits: Vec<ClosedVisit> = history::closed_visits(conn, org, from, start)
        .await?
        .into_iter()
        .map(|v| ClosedVisit {
            stage_id: v.stage_id,
            entered: local(v.entered_at),
            exited: local(v.exited_at),
            won: v.won_at.map(local),
        })
        .collect();
    let open = history::open_stages(conn, org).await?;
    let model = WinModel::fit(&visits, &open, horizon);
    let evidence = model
        .cells()
        .iter()
        .filter(|(_, c)| c.closed > 0)
        .map(|(k, c)| (*k, (c.closed, c.won)))
        .collect();
    let mut new_weight: BTreeMap<Uuid, i128> = BTreeMap::new();
    let mut missing_rates = BTreeSet::new();
    for won in history::won_deals(conn, org, from, start).await? {
        let day = local(won.won_at);
        let Some(amount) = to_base(rates, settings.base, &won.currency, i128::from(won.amount_minor), day).map_err(stored_currency)? else {
            missing_rates.insert(won.currency);
            continue;
        };
        let lag = (day - local(won.created_at)).num_days();
        *new_weight.entry(won.owner_id).or_default() += amount * i128::from(new_deal_days(lag, horizon));
    }
    Ok(Fit {
        history_from,
        window_days: (horizon.today - history_from).num_days(),
        evidence,
        new_weight,
        missing_rates,
    })
}

fn encode(fit: &Fit) -> String {
    let cells: Vec<Value> = fit
        .evidence
        .iter()
        .map(|((stage, band), (closed, won))| json!([stage, band, closed, won]))
        .collect();
    let new: Vec<Value> = fit.new_weight.iter().map(|(owner, w)| json!([owner, w.to_string()])).collect();
    json!({
        "history_from": fit.history_from.to_string(),
        "window_days": fit.window_days,
        "cells": cells,
        "new": new,
        "missing_rates": fit.missing_rates,
    })
    .to_string()
}

fn decode(body: &str) -> Option<Fit> {
    let v: Value = serde_json::from_str(body).ok()?;
    let mut evidence = BTreeMap::new();
    for c in v.get("cells")?.as_array()? {
        let stage: Uuid = c.get(0)?.as_str()?.parse().ok()?;
        let band = usize::try_from(c.get(1)?.as_u64()?).ok()?;
        evidence.insert((stage, band), (c.get(2)?.as_u64()?, c.get(3)?.as_u64()?));
    }
    let mut new_weight = BTreeMap::new();
    for n in v.get("new")?.as_array()? {
        new_weight.insert(n.get(0)?.as_str()?.parse().ok()?, n.get(1)?.as_str()?.parse().ok()?);
    }
    let missing_rates = v
        .get("missing_rates")?
        .as_array()?
        .iter()
        .map(|c| c.as_str().map(str::to_owned))
        .collect::<Option<BTreeSet<String>>>()?;
    Some(Fit {
        history_from: v.get("history_from")?.as_str()?.parse().ok()?,
        window_days: v.get("window_days")?.as_i64()?,
        evidence,
        new_weight,
        missing_rates,
    })
}

impl crate::Store {
    /// Fits the model, where no fit is kept yet, for every org's current
    /// fiscal month, quarter and year with the default window, so the day's
    /// first forecast does not wait for it (`serve` calls this every hour);
    /// returns how many fits it computed.
    ///
    /// # Errors
    /// [`DomainError::Internal`] on storage failure.
    pub async fn warm_forecast_fits(&self) -> Result<usize, DomainError> {
        use glassbox_domain::forecast::model::DEFAULT_WINDOW_DAYS;
        use glassbox_domain::forecast::{FiscalPeriod, PeriodKind};
        let conn = self.conn();
        let mut s = Sql::new(conn.get_database_backend());
        s.push("SELECT id FROM orgs ORDER BY id");
        let orgs = s.ids(conn).await?;
        let now = self.now();
        let mut computed = 0;
        for org in orgs {
            let settings = super::deals::org_settings(conn, org).await?;
            let today = now.with_timezone(&settings.tz.tz()).date_naive();
            let rates = super::fx::rates_of(conn, org, None).await?;
            for kind in [PeriodKind::Month, PeriodKind::Quarter, PeriodKind::Year] {
                let period = FiscalPeriod::containing(kind, today, settings.start);
                let horizon = Horizon {
                    today,
                    first: period.first_day(settings.start),
                    last: period.last_day(settings.start),
                };
                let (_, fitted) = kept_or_fitted(conn, org, &settings, &rates, horizon, DEFAULT_WINDOW_DAYS, now).await?;
                computed += usize::from(fitted);
            }
        }
        Ok(computed)
    }
}
