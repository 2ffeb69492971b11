//! The history-based forecast: each open deal's chance of being won within
//! the period, learnt from the org's own closed deals, and the range of the
//! won revenue those chances imply.
//!
//! Time is counted in the org's local days throughout: a deal's age in its
//! stage is today − the day it entered; a stay lasts exit day − entry day.
//! The model learns from history as it stood at the start of `as_of`'s
//! day, so one fit serves the whole day (and can be kept, see
//! `persistence::forecast::fit`).
//!
//! **Win probability.** For an open deal in stage *s* that has been there
//! *a* days, the estimate is P(won inside the period | stage *s*, reached
//! age band *b* ∋ *a*) — a life-table estimate over age bands
//! ([`AGE_BANDS_DAYS`], the deal counted at its band's lower edge *b*).
//! Among the visits of *s* by deals that closed (won or lost) in the
//! trailing window of days before today and had stayed at least *b* days
//! (*n*), it counts those whose deal was won, shifted to start at age *b*
//! today, on a day inside the period and not before today (*k*). Small
//! samples are smoothed by a Beta prior centred on the stage's configured
//! probability *p₀* with the weight of [`PRIOR_STRENGTH`] deals (the
//! posterior mean of a Beta–binomial model, Gelman et al., *Bayesian Data
//! Analysis*, 3rd ed., §2.4): p = (k + m·p₀) / (n + m). Only history known
//! at the start of today is read, so a past `as_of` replays what could
//! have been known.
//!
//! **Range.** The won revenue from existing deals is closed won plus a sum
//! of independent Bernoulli(pᵢ) × amountᵢ. Its 10th, 50th and 90th
//! percentiles (nearest rank) come from [`MC_TRIALS`] Monte Carlo draws with
//! a fixed seed (ChaCha8), so the same input always gives the same answer;
//! when deals × trials would exceed [`MC_MAX_DRAWS`] the normal
//! approximation (Lyapunov's central limit theorem: mean Σ aᵢpᵢ, variance
//! Σ aᵢ²pᵢ(1−pᵢ)) is used instead, computed from per-probability sums.
//!
//! **New deals.** Revenue from deals not yet created assumes the trailing
//! window's won deals recur at the same pace: each won deal *j* (amount
//! Aⱼ, creation-to-win lag Lⱼ days) stands for one such deal per window of
//! *W* days, so it adds Aⱼ × |{c ∈ [today + 1, last day] : c + Lⱼ in the
//! period}| / W.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use uuid::Uuid;

/// Lower edges of the stage-age bands, in days.
pub const AGE_BANDS_DAYS: [i64; 8] = [0, 7, 14, 30, 60, 90, 180, 365];
/// Weight of the prior, in deals (m).
pub const PRIOR_STRENGTH: i64 = 10;
/// Default trailing window of closed history, in days.
pub const DEFAULT_WINDOW_DAYS: i64 = 365;
/// Monte Carlo draws of the won-revenue sum.
pub const MC_TRIALS: usize = 2_000;
/// Above this many Bernoulli draws the normal approximation is used.
pub const MC_MAX_DRAWS: usize = 4_000_000;
/// Seed of the Monte Carlo generator.
pub const MC_SEED: u64 = 0x676c_6173_7362_6f78;

/// The band index of an age in a stage, in days (negative ages count as 0).
pub fn band_of(age_days: i64) -> usize {
    AGE_BANDS_DAYS.iter().rposition(|b| age_days >= *b).unwrap_or(0)
}

/// A band's label, e.g. `"7-14"` or `"365+"` (days).
pub fn band_label(band: usize) -> String {
    match (AGE_BANDS_DAYS.get(band), AGE_BANDS_DAYS.get(band + 1)) {
        (Some(lo), Some(hi)) => format!("{lo}-{hi}"),
        (Some(lo), None) => format!("{lo}+"),
        _ => String::new(),
    }
}

/// When the forecast stands and what it covers, in the org's local days:
/// wins count on days in `[max(first, today), last]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Horizon {
    /// The local day of `as_of`.
    pub today: NaiveDate,
    /// First day of the period.
    pub first: NaiveDate,
    /// Last day of the period.
    pub last: NaiveDate,
}

/// One past stay of a deal in an open stage, the deal having closed in the
/// trailing window; local days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClosedVisit {
    /// The stage stayed in.
    pub stage_id: Uuid,
    /// Entered that day.
    pub entered: NaiveDate,
    /// Left that day.
    pub exited: NaiveDate,
    /// The day the deal was won; `None` when it was lost.
    pub won: Option<NaiveDate>,
}

/// The evidence behind one (stage, age band) probability.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    /// Closed deals that stayed at least the band's lower edge (n).
    pub closed: u64,
    /// Of those, won inside the shifted horizon (k).
    pub won: u64,
    /// The stage's configured probability, percent (p₀).
    pub stage_probability: i32,
}

impl Cell {
    /// (k + m·p₀) / (n + m), with p₀ = stage probability / 100.
    pub fn probability(&self) -> Decimal {
        let m = Decimal::from(PRIOR_STRENGTH);
        let p0 = Decimal::from(self.stage_probability.clamp(0, 100)) / Decimal::ONE_HUNDRED;
        (Decimal::from(self.won) + m * p0) / (Decimal::from(self.closed) + m)
    }
}

/// Win probabilities per (stage, age band), fitted for one horizon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WinModel {
    horizon: Horizon,
    cells: BTreeMap<(Uuid, usize), Cell>,
}

impl WinModel {
    /// Fits the model: `open_stages` maps each open stage to its configured
    /// probability (percent); visits of other stages are ignored.
    pub fn fit(visits: &[ClosedVisit], open_stages: &HashMap<Uuid, i32>, horizon: Horizon) -> Self {
        let mut cells = BTreeMap::new();
        for (stage, p0) in open_stages {
            for band in 0..AGE_BANDS_DAYS.len() {
                cells.insert(
                    (*stage, band),
                    Cell {
                        closed: 0,
                        won: 0,
                        stage_probability: *p0,
                    },
                );
            }
        }
        let from = horizon.first.max(horizon.today);
        for v in visits {
            let stay = (v.exited - v.entered).num_days();
            for (band, lower) in AGE_BANDS_DAYS.iter().enumerate() {
                if stay < *lower {
                    break;
                }
                let Some(cell) = cells.get_mut(&(v.stage_id, band)) else { break };
                cell.closed += 1;
                let shifted = v.won.map(|w| horizon.today + ((w - v.entered) - chrono::TimeDelta::days(*lower)));
                if shifted.is_some_and(|w| w >= from && w <= horizon.last) {
                    cell.won += 1;
                }
            }
        }
        Self { horizon, cells }
    }

    /// The cells, by (stage, band).
    pub fn cells(&self) -> &BTreeMap<(Uuid, usize), Cell> {
        &self.cells
    }

    /// The probability of a deal in `stage` since the local day `entered`
    /// being won in the period; the prior alone for a stage the model has
    /// not seen, zero for a deal whose stage is not open and for a period
    /// that ended before today (nothing open can be won in it any more).
    pub fn probability(&self, stage: Uuid, entered: Option<NaiveDate>) -> Decimal {
        if self.horizon.today > self.horizon.last {
            return Decimal::ZERO;
        }
        let age = entered.map_or(0, |d| (self.horizon.today - d).num_days());
        self.cells.get(&(stage, band_of(age))).map_or(Decimal::ZERO, Cell::probability)
    }

    /// Builds a model from stored cells (as [`WinModel::cells`] gave them).
    pub fn from_cells(horizon: Horizon, cells: BTreeMap<(Uuid, usize), Cell>) -> Self {
        Self { horizon, cells }
    }
}

/// Chances of open deals, summed per probability: what [`expected`] and
/// the normal approximation of [`range`] read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Chances {
    /// Per probability: deals of nonzero amount, Σ amount (base minor
    /// units) and Σ amount² (base minor units squared).
    pub groups: BTreeMap<Decimal, Moments>,
}

/// Sums of the deals sharing one probability.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Moments {
    /// Deals of nonzero amount.
    pub live: u64,
    /// Σ amount.
    pub sum: i128,
    /// Σ amount², as a float (it only feeds the variance).
    pub sum_sq: f64,
}

impl Chances {
    /// Adds `live` deals summing `sum` (squares `sum_sq`) at probability `p`.
    pub fn add(&mut self, p: Decimal, live: u64, sum: i128, sum_sq: f64) {
        let m = self.groups.entry(p.normalize()).or_default();
        m.live += live;
        m.sum += sum;
        m.sum_sq += sum_sq;
    }

    /// Adds every group of `other`.
    pub fn merge(&mut self, other: &Chances) {
        for (p, m) in &other.groups {
            self.add(*p, m.live, m.sum, m.sum_sq);
        }
    }

    /// Deals of nonzero amount and chance: what decides between Monte Carlo
    /// and the normal approximation (see [`trials`]).
    pub fn live(&self) -> usize {
        let n: u64 = self.groups.iter().filter(|(p, _)| !p.is_zero()).map(|(_, m)| m.live).sum();
        usize::try_from(n).unwrap_or(usize::MAX)
    }
}

/// Σ amount × probability, rounded half away from zero to the minor unit.
pub fn expected(chances: &Chances) -> i128 {
    let sum: Decimal = chances.groups.iter().map(|(p, m)| Decimal::from(m.sum) * p).sum();
    round(sum)
}
fn round(d: Decimal) -> i128 {
    d.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .to_i128()
        .unwrap_or_default()
}

/// Percentiles of a won-revenue distribution, minor units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Range {
    /// 10th percentile.
    pub p10: i128,
    /// Median.
    pub p50: i128,
    /// 90th percentile.
    pub p90: i128,
}

/// How many Monte Carlo draws [`range`] makes for `deals` deals of nonzero
/// amount and chance: [`MC_TRIALS`], or 0 when it uses the normal
/// approximation instead.
pub fn trials(deals: usize) -> usize {
    if deals.saturating_mul(MC_TRIALS) > MC_MAX_DRAWS {
        0
    } else {
        MC_TRIALS
    }
}

/// The 10th, 50th and 90th percentiles of `base` + Σ Bernoulli(pᵢ) × aᵢ
/// (see the module doc for the method): by Monte Carlo over `deals`
/// (amount, p) — which must list the deals `chances` sums, in a fixed
/// order — when [`trials`] allows it, else by the normal approximation
/// from `chances` (`deals` is then not read and may be empty).
pub fn range(base: i128, chances: &Chances, deals: &[(i128, Decimal)]) -> Range {
    let n = chances.live();
    if n == 0 {
        return Range {
            p10: base,
            p50: base,
            p90: base,
        };
    }
    if trials(n) == 0 {
        return normal_range(base, chances);
    }
    let live: Vec<(i128, f64)> = deals
        .iter()
        .filter(|(a, p)| *a != 0 && !p.is_zero())
        .map(|(a, p)| (*a, p.to_f64().unwrap_or(0.0)))
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(MC_SEED);
    let mut sums: Vec<i128> = (0..MC_TRIALS)
        .map(|_| base + live.iter().filter(|(_, p)| rng.random::<f64>() < *p).map(|(a, _)| *a).sum::<i128>())
        .collect();
    sums.sort_unstable();
    let rank = |q: usize| sums[(q * MC_TRIALS).div_ceil(100).saturating_sub(1)];
    Range {
        p10: rank(10),
        p50: rank(50),
        p90: rank(90),
    }
}

/// z of the 90th percentile of the standard normal distribution.
const Z90: f64 = 1.281_551_565_544_600_4;

fn normal_range(base: i128, chances: &Chances) -> Range {
    let live = chances.groups.iter().filter(|(p, _)| !p.is_zero());
    let (mean, var) = live.clone().fold((0.0, 0.0), |(m, v), (p, g)| {
        let p = p.to_f64().unwrap_or(0.0);
        (m + g.sum as f64 * p, v + g.sum_sq * p * (1.0 - p))
    });
    let (lo, hi) = live.fold((0i128, 0i128), |(lo, hi), (_, g)| (lo + g.sum.min(0), hi + g.sum.max(0)));
    let at = |z: f64| base + ((mean + z * var.sqrt()).round() as i128).clamp(lo, hi);
    Range {
        p10: at(-Z90),
        p50: at(0.0),
        p90: at(Z90),
    }
}

/// How many creation days `c` in `[today + 1, last]` put a win `lag_days`
/// later inside the period: the weight of one past won deal in
/// [`expected_new`].
pub fn new_deal_days(lag_days: i64, horizon: Horizon) -> i64 {
    let lag = chrono::TimeDelta::days(lag_days.max(0));
    let lower = (horizon.today + chrono::TimeDelta::days(1)).max(horizon.first - lag);
    let upper = horizon.last - lag;
    ((upper - lower).num_days() + 1).max(0)
}

/// Won revenue expected in the period from deals created after today:
/// Σ Aⱼ × [`new_deal_days`](Lⱼ) (`weighted`, base minor units × days) over
/// a window of `window_days`, rounded half away from zero; zero without
/// history.
pub fn expected_new(weighted: i128, window_days: i64) -> i128 {
    if window_days <= 0 {
        return 0;
    }
    round(Decimal::from(weighted) / Decimal::from(window_days))
}

#[cfg(test)]
#[path = "model_tests.rs"]
mod tests;
