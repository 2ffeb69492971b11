//! Forecast cells: what a set of deals contributes to a forecast, summed so
//! that the sums can be kept current by every write and read back in a few
//! rows (see `persistence::rollups`), or built on the spot from deals as
//! they stood at a past moment. A forecast row is evaluated from its cells
//! alone, so both ways give the same numbers.
//!
//! - A **book cell** sums the open deals with a close day and the won
//!   deals (close day = the local day won) by stage, kind, forecast
//!   category, close day and currency: the forecast categories, weighted
//!   pipeline and closed won.
//! - An **age cell** sums the open deals by stage, the local day they
//!   entered it, currency and — for a currency other than the base — close
//!   day (the day whose exchange rate converts them): the history-based
//!   model's chances.
//!
//! Conversion: each cell's sum is converted once, at the rate of its close
//! day (of today for an open deal without one), rounding half away from
//! zero to the base currency's minor unit.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use uuid::Uuid;

use super::fx::{ExchangeRate, rate_on};
use super::model::{Chances, WinModel};
use super::{DealAsOf, ForecastFigures};
use crate::DomainError;
use crate::org::Currency;
use crate::pipeline::{ForecastCategory, StageKind};

/// Where a book cell sits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BookKey {
    /// The deal's stage.
    pub stage_id: Uuid,
    /// Open or won.
    pub kind: StageKind,
    /// Forecast category.
    pub category: ForecastCategory,
    /// Close day (won: the local day won).
    pub close_day: NaiveDate,
    /// ISO 4217 code of the amounts.
    pub currency: String,
}

/// Where an age cell sits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AgeKey {
    /// The open stage.
    pub stage_id: Uuid,
    /// The local day the deals entered it.
    pub entered_day: Option<NaiveDate>,
    /// Close day, kept only for a currency other than the base.
    pub close_day: Option<NaiveDate>,
    /// ISO 4217 code of the amounts.
    pub currency: String,
}

/// Sums of the deals in one cell, minor units of the cell's currency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sums {
    /// Deals.
    pub n: i64,
    /// Deals of nonzero amount.
    pub live: i64,
    /// Σ amount.
    pub amount: i128,
    /// Σ amount².
    pub amount_sq: i128,
}

impl Sums {
    /// One deal of `amount`.
    pub fn one(amount: i64) -> Self {
        let a = i128::from(amount);
        Self {
            n: 1,
            live: i64::from(amount != 0),
            amount: a,
            amount_sq: a * a,
        }
    }

    /// Adds `sign` × `other`.
    pub fn add(&mut self, other: &Sums, sign: i64) {
        self.n += sign * other.n;
        self.live += sign * other.live;
        self.amount += i128::from(sign) * other.amount;
        self.amount_sq += i128::from(sign) * other.amount_sq;
    }

    /// Whether every sum is zero (a cell that can be dropped).
    pub fn is_zero(&self) -> bool {
        *self == Self::default()
    }
}

/// The cells of a set of deals.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ForecastCells {
    /// Book cells.
    pub book: BTreeMap<BookKey, Sums>,
    /// Age cells.
    pub age: BTreeMap<AgeKey, Sums>,
}

impl ForecastCells {
    /// Adds `sign` × what `deal` contributes; `entered_day` is the local day
    /// it entered its stage, `base` the org's base currency.
    pub fn add_deal(&mut self, deal: &DealAsOf, entered_day: Option<NaiveDate>, base: &str, sign: i64) {
        let one = Sums::one(deal.amount_minor);
        let (Some(stage), kind) = (deal.stage_id, deal.kind) else { return };
        if let (Some(close_day), StageKind::Open | StageKind::Won) = (deal.close_day, kind) {
            let key = BookKey {
                stage_id: stage,
                kind,
                category: deal.category,
                close_day,
                currency: deal.currency.clone(),
            };
            self.book.entry(key).or_default().add(&one, sign);
        }
        if kind == StageKind::Open {
            let key = AgeKey {
                stage_id: stage,
                entered_day,
                close_day: deal.close_day.filter(|_| deal.currency != base),
                currency: deal.currency.clone(),
            };
            self.age.entry(key).or_default().add(&one, sign);
        }
    }

    /// Adds `sign` × every cell of `other`.
    pub fn add(&mut self, other: &ForecastCells, sign: i64) {
        for (k, v) in &other.book {
            self.book.entry(k.clone()).or_default().add(v, sign);
        }
        for (k, v) in &other.age {
            self.age.entry(k.clone()).or_default().add(v, sign);
        }
    }

    /// Whether there is no cell.
    pub fn is_empty(&self) -> bool {
        self.book.is_empty() && self.age.is_empty()
    }

    /// Keeps only the book cells closing on days in `first..=last` (the
    /// others add nothing to a forecast of that period).
    pub fn keep_period(&mut self, days: (NaiveDate, NaiveDate)) {
        self.book.retain(|k, _| k.close_day >= days.0 && k.close_day <= days.1);
    }

    /// Drops cells whose sums are all zero.
    pub fn prune(&mut self) {
        self.book.retain(|_, v| !v.is_zero());
        self.age.retain(|_, v| !v.is_zero());
    }
}

/// What a row is evaluated against.
pub struct Context<'a> {
    /// Exchange rates of the org.
    pub rates: &'a [ExchangeRate],
    /// Base currency.
    pub base: Currency,
    /// Stage probabilities, percent, by stage id.
    pub probabilities: &'a std::collections::HashMap<Uuid, i32>,
    /// The fitted history-based model.
    pub model: &'a WinModel,
    /// The period's first and last local day.
    pub days: (NaiveDate, NaiveDate),
    /// The local day of `as_of` (converts open deals without a close day).
    pub today: NaiveDate,
}

/// A row's figures and chances, from its cells.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Evaluation {
    /// Categories, weighted and closed won, base minor units.
    pub figures: ForecastFigures,
    /// The open deals' chances of being won in the period.
    pub chances: Chances,
    /// Currencies of cells left out for want of a rate.
    pub missing_rates: BTreeSet<String>,
}

/// Evaluates `cells` (see the module doc).
///
/// # Errors
/// [`DomainError::Validation`] when a cell's currency is not ISO 4217.
pub fn evaluate(cells: &ForecastCells, ctx: &Context<'_>) -> Result<Evaluation, DomainError> {
    let mut out = Evaluation::default();
    for (k, s) in &cells.book {
        if k.close_day < ctx.days.0 || k.close_day > ctx.days.1 {
            continue;
        }
        let p = ctx.probabilities.get(&k.stage_id).copied().unwrap_or(0);
        match convert(ctx, &k.currency, s, k.close_day)? {
            Some((amount, _)) => out
                .figures
                .add(&ForecastFigures::of(k.kind, k.category, p, k.close_day, amount, ctx.days)),
            None => {
                out.missing_rates.insert(k.currency.clone());
            }
        }
    }
    for (k, s) in &cells.age {
        match convert(ctx, &k.currency, s, k.close_day.unwrap_or(ctx.today))? {
            Some((amount, sq)) => {
                let p = ctx.model.probability(k.stage_id, k.entered_day);
                out.chances.add(p, u64::try_from(s.live).unwrap_or(0), amount, sq);
            }
            None => {
                out.missing_rates.insert(k.currency.clone());
            }
        }
    }
    Ok(out)
}

/// A cell's Σ amount (rounded) and Σ amount² (as a float) in the base
/// currency, at the rate of `day`; `None` without a rate.
fn convert(ctx: &Context<'_>, currency: &str, s: &Sums, day: NaiveDate) -> Result<Option<(i128, f64)>, DomainError> {
    if currency == ctx.base.code() {
        return Ok(Some((s.amount, s.amount_sq as f64)));
    }
    let from = Currency::parse("currency", currency)?;
    let Some(rate) = rate_on(ctx.rates, currency, day) else {
        return Ok(None);
    };
    let factor = rate.rate.as_f64() * 10f64.powi(ctx.base.exponent() as i32 - from.exponent() as i32);
    Ok(Some((
        rate.rate.convert(s.amount, from, ctx.base),
        s.amount_sq as f64 * factor * factor,
    )))
}

#[cfg(test)]
#[path = "cells_tests.rs"]
mod tests;
