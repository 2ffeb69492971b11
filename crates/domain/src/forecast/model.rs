//! The history-based forecast: each open deal's chance of being won within
//! the period, learnt from the org's own closed deals, and the range of the
//! won revenue those chances imply.
//!
//! **Win probability.** For an open deal in stage *s* that has been there
//! *a* days at `as_of`, the estimate is P(won inside the period | stage *s*,
//! reached age band *b* ∋ *a*) — a life-table estimate over age bands
//! ([`AGE_BANDS_DAYS`], the deal counted at its band's lower edge *b*).
//! Among the visits of *s* by deals that closed (won or lost) in the trailing
//! window before `as_of` and had stayed at least *b* days (*n*), it counts
//! those whose deal was won, shifted to start at age *b* at `as_of`, at an
//! instant inside the period and not before `as_of` (*k*). Small samples
//! are smoothed by a Beta prior centred on the stage's configured
//! probability *p₀* with the weight of [`PRIOR_STRENGTH`] deals (the
//! posterior mean of a Beta–binomial model, Gelman et al., *Bayesian Data
//! Analysis*, 3rd ed., §2.4): p = (k + m·p₀) / (n + m). Only history known
//! at `as_of` is read, so a past `as_of` replays what could have been known.
//!
//! **Range.** The won revenue from existing deals is closed won plus a sum
//! of independent Bernoulli(pᵢ) × amountᵢ. Its 10th, 50th and 90th
//! percentiles (nearest rank) come from [`MC_TRIALS`] Monte Carlo draws with
//! a fixed seed (ChaCha8), so the same input always gives the same answer;
//! when deals × trials would exceed [`MC_MAX_DRAWS`] the normal
//! approximation (Lyapunov's central limit theorem: mean Σ aᵢpᵢ, variance
//! Σ aᵢ²pᵢ(1−pᵢ)) is used instead.
//!
//! **New deals.** Revenue from deals not yet created at `as_of` assumes the
//! trailing window's won deals recur at the same pace: each won deal *j*
//! (amount Aⱼ, creation-to-win lag Lⱼ) stands for one such deal per window
//! length *W*, so it adds Aⱼ × |{c ∈ [as_of, end) : c + Lⱼ ∈ [start, end)}| / W.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, TimeDelta, Utc};
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

/// The band index of an age in a stage (negative ages count as 0).
pub fn band_of(age: TimeDelta) -> usize {
    AGE_BANDS_DAYS.iter().rposition(|b| age >= TimeDelta::days(*b)).unwrap_or(0)
}

/// A band's label, e.g. `"7-14"` or `"365+"` (days).
pub fn band_label(band: usize) -> String {
    match (AGE_BANDS_DAYS.get(band), AGE_BANDS_DAYS.get(band + 1)) {
        (Some(lo), Some(hi)) => format!("{lo}-{hi}"),
        (Some(lo), None) => format!("{lo}+"),
        _ => String::new(),
    }
}

/// When the forecast stands and what it covers: wins count at instants in
/// `[max(start, as_of), end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Horizon {
    /// The moment the forecast is made.
    pub as_of: DateTime<Utc>,
    /// First instant of the period.
    pub start: DateTime<Utc>,
    /// First instant after the period.
    pub end: DateTime<Utc>,
}

/// One past stay of a deal in an open stage, the deal having closed in the
/// trailing window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClosedVisit {
    /// The stage stayed in.
    pub stage_id: Uuid,
    /// Entered then.
    pub entered_at: DateTime<Utc>,
    /// Left then.
    pub exited_at: DateTime<Utc>,
    /// When the deal was won; `None` when it was lost.
    pub won_at: Option<DateTime<Utc>>,
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
        let from = horizon.start.max(horizon.as_of);
        for v in visits {
            let stay = v.exited_at - v.entered_at;
            for (band, lower) in AGE_BANDS_DAYS.iter().enumerate() {
                let lower = TimeDelta::days(*lower);
                if stay < lower {
                    break;
                }
                let Some(cell) = cells.get_mut(&(v.stage_id, band)) else { break };
                cell.closed += 1;
                let shifted = v.won_at.map(|w| horizon.as_of + (w - (v.entered_at + lower)));
                if shifted.is_some_and(|w| w >= from && w < horizon.end) {
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

    /// The probability of a deal in `stage` since `entered_at` being won in
    /// the period; the prior alone for a stage the model has not seen, zero
    /// for a deal whose stage is not open.
    pub fn probability(&self, stage: Uuid, entered_at: Option<DateTime<Utc>>) -> Decimal {
        let age = entered_at.map_or(TimeDelta::zero(), |t| self.horizon.as_of - t);
        self.cells.get(&(stage, band_of(age))).map_or(Decimal::ZERO, Cell::probability)
    }
}

/// Σ amount × probability, rounded half away from zero to the minor unit.
pub fn expected(deals: &[(i128, Decimal)]) -> i128 {
    let sum: Decimal = deals.iter().map(|(a, p)| Decimal::from(*a) * p).sum();
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
/// (see the module doc for the method).
pub fn range(base: i128, deals: &[(i128, Decimal)]) -> Range {
    let live: Vec<(i128, f64)> = deals
        .iter()
        .filter(|(a, p)| *a != 0 && !p.is_zero())
        .map(|(a, p)| (*a, p.to_f64().unwrap_or(0.0)))
        .collect();
    if live.is_empty() {
        return Range {
            p10: base,
            p50: base,
            p90: base,
        };
    }
    if trials(live.len()) == 0 {
        return normal_range(base, &live);
    }
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

fn normal_range(base: i128, live: &[(i128, f64)]) -> Range {
    let (mean, var) = live.iter().fold((0.0, 0.0), |(m, v), (a, p)| {
        let a = *a as f64;
        (m + a * p, v + a * a * p * (1.0 - p))
    });
    let (lo, hi) = live
        .iter()
        .fold((0i128, 0i128), |(lo, hi), (a, _)| (lo + a.min(&0), hi + a.max(&0)));
    let at = |z: f64| base + ((mean + z * var.sqrt()).round() as i128).clamp(lo, hi);
    Range {
        p10: at(-Z90),
        p50: at(0.0),
        p90: at(Z90),
    }
}

/// A deal won in the trailing window, for [`expected_new`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WonDeal {
    /// Created then.
    pub created_at: DateTime<Utc>,
    /// Won then.
    pub won_at: DateTime<Utc>,
    /// Amount, minor units of the base currency.
    pub amount: i128,
}

/// Won revenue expected in the period from deals created after `as_of`,
/// given the deals won in `[history_from, as_of]` (see the module doc);
/// zero without history.
pub fn expected_new(won: &[WonDeal], history_from: DateTime<Utc>, horizon: Horizon) -> i128 {
    let window = (horizon.as_of - history_from).num_seconds();
    if window <= 0 {
        return 0;
    }
    let total: Decimal = won
        .iter()
        .map(|w| {
            let lag = (w.won_at - w.created_at).max(TimeDelta::zero());
            let lower = horizon.as_of.max(horizon.start - lag);
            let upper = horizon.end - lag;
            Decimal::from(w.amount) * Decimal::from((upper - lower).num_seconds().max(0))
        })
        .sum();
    round(total / Decimal::from(window))
}

#[cfg(test)]
#[path = "model_tests.rs"]
mod tests;
