//! Day-granular rollups of the funnel and stage conversion, kept current in
//! every write so that org-wide reports read a few thousand pre-summed
//! cells instead of millions of history rows.
//!
//! A deal contributes *cells*: signed figures under a key. Each cell is
//! either a **delta** (it holds from its `day` on) or a **total** (the sum
//! of all of the deal's deltas under that key: its figures now). Figures
//! as they stood at the end of local day `D` are then
//! `Σ deltas with day ≤ D`, or equally `Σ totals − Σ deltas with day > D`;
//! a reader sums whichever side holds fewer rows. A write subtracts the
//! deal's old cells and adds its new ones, so the rollup always equals the
//! sums over stage history that the report SQL reads (tests compare both).
//!
//! Metrics (see [`Metric`]): the funnel of a creation-day cohort; the
//! histogram of finished stays in whole days (for medians); stage entries
//! for stage conversion, with a correction for consecutive re-entries so a
//! deal counts once per stage however many times it entered it inside a
//! window; and stage-to-stage transitions.

use std::collections::HashMap;

use chrono::NaiveDate;
use uuid::Uuid;

use crate::pipeline::StageKind;

mod deltas;

pub use deltas::{FunnelDelta, Stay, funnel_deltas};

/// What a cell counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Metric {
    /// Funnel of the creation-day cohort `cohort`: per stage (or, with the
    /// nil stage, the deal itself) reached, advanced, won, lost, and the
    /// amount of the deals that reached it.
    Funnel,
    /// Finished stays of the cohort's deals, `bucket` whole days long,
    /// counted in `n` from the day they ended.
    Stay,
    /// Entries into `stage` on day `cohort`: `n` entries, of which `won`
    /// and `lost` by the deal's outcome at the day read.
    Entry,
    /// Consecutive entries into `stage` on days `cohort` and `cohort2`,
    /// with negative figures: an entry run inside a window counts once.
    EntryPair,
    /// Moves from stage `other` into `stage` on day `cohort` (totals only).
    Transition,
}

impl Metric {
    /// Stored code.
    pub fn code(self) -> i16 {
        match self {
            Self::Funnel => 1,
            Self::Stay => 2,
            Self::Entry => 3,
            Self::EntryPair => 4,
            Self::Transition => 5,
        }
    }
}

/// Where a cell's figures are summed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CellKey {
    /// What it counts.
    pub metric: Metric,
    /// Creation day (funnel, stays) or entry day (conversion).
    pub cohort: NaiveDate,
    /// Second entry day of an [`Metric::EntryPair`]; else `cohort`.
    pub cohort2: NaiveDate,
    /// The stage; nil for the deal's own funnel row.
    pub stage_id: Uuid,
    /// The stage moved from ([`Metric::Transition`]); else nil.
    pub other_id: Uuid,
    /// The deal's currency (funnel amounts); else empty.
    pub currency: String,
    /// Whole days of a stay ([`Metric::Stay`]); else 0.
    pub bucket: i64,
    /// For a delta, the first day it holds; `None` for a total.
    pub day: Option<NaiveDate>,
}

/// A cell's figures. Amounts are minor units of `CellKey::currency`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figures {
    /// Reached / counted / entries.
    pub n: i64,
    /// Advanced beyond the stage.
    pub advanced: i64,
    /// Won at the day read.
    pub won: i64,
    /// Lost at the day read.
    pub lost: i64,
    /// Amount of the deals counted in `n`.
    pub amount: i128,
}

impl Figures {
    /// Adds `other` times `sign`.
    pub fn add(&mut self, other: &Figures, sign: i64) {
        self.n += sign * other.n;
        self.advanced += sign * other.advanced;
        self.won += sign * other.won;
        self.lost += sign * other.lost;
        self.amount += i128::from(sign) * other.amount;
    }

    /// All zero.
    pub fn is_zero(&self) -> bool {
        *self == Figures::default()
    }
}

/// What the rollups need to know about one live deal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DealFacts {
    /// Its pipeline now.
    pub pipeline_id: Uuid,
    /// Its owner now.
    pub owner_id: Uuid,
    /// Its currency.
    pub currency: String,
    /// Its amount in minor units (0 when not set).
    pub amount_minor: i64,
    /// Local day it was created.
    pub created: NaiveDate,
    /// Its stays, in the order entered (org-local days).
    pub stays: Vec<Stay>,
}

/// The cells of one deal, given its pipeline's stages (id, position).
/// Each key appears once.
pub fn cells(deal: &DealFacts, stages: &[(Uuid, i32)]) -> HashMap<CellKey, Figures> {
    let mut out: HashMap<CellKey, Figures> = HashMap::new();
    let mut put = |key: CellKey, f: Figures| {
        let total = CellKey { day: None, ..key.clone() };
        out.entry(key).or_default().add(&f, 1);
        out.entry(total).or_default().add(&f, 1);
    };
    let base = |metric: Metric, cohort: NaiveDate, stage_id: Uuid| CellKey {
        metric,
        cohort,
        cohort2: cohort,
        stage_id,
        other_id: Uuid::nil(),
        currency: String::new(),
        bucket: 0,
        day: None,
    };

    for d in funnel_deltas(&deal.stays, stages) {
        let key = CellKey {
            currency: deal.currency.clone(),
            day: Some(d.day),
            ..base(Metric::Funnel, deal.created, d.stage_id.unwrap_or_else(Uuid::nil))
        };
        let amount = if d.stage_id.is_some() {
            i128::from(d.reached) * i128::from(deal.amount_minor)
        } else {
            0
        };
        put(
            key,
            Figures {
                n: d.reached,
                advanced: d.advanced,
                won: d.won,
                lost: d.lost,
                amount,
            },
        );
    }
    for s in &deal.stays {
        if let (Some(exited), Some(days)) = (s.exited, s.whole_days) {
            let key = CellKey {
                bucket: days,
                day: Some(exited),
                ..base(Metric::Stay, deal.created, s.stage_id)
            };
            put(
                key,
                Figures {
                    n: 1,
                    ..Figures::default()
                },
            );
        }
    }
    let timeline = outcome_timeline(&deal.stays);
    for (stage_id, _) in stages {
        let mut entries: Vec<NaiveDate> = deal.stays.iter().filter(|s| s.stage_id == *stage_id).map(|s| s.entered).collect();
        entries.sort_unstable();
        for e in &entries {
            for (day, f) in outcome_steps(&timeline, *e, 1) {
                put(
                    CellKey {
                        day: Some(day),
                        ..base(Metric::Entry, *e, *stage_id)
                    },
                    f,
                );
            }
        }
        for pair in entries.windows(2) {
            for (day, f) in outcome_steps(&timeline, pair[1], -1) {
                let key = CellKey {
                    cohort2: pair[1],
                    day: Some(day),
                    ..base(Metric::EntryPair, pair[0], *stage_id)
                };
                put(key, f);
            }
        }
    }
    for s in &deal.stays {
        if let Some(from) = s.from_stage_id {
            let key = CellKey {
                other_id: from,
                ..base(Metric::Transition, s.entered, s.stage_id)
            };
            out.entry(key).or_default().add(
                &Figures {
                    n: 1,
                    ..Figures::default()
                },
                1,
            );
        }
    }
    out.retain(|_, f| !f.is_zero());
    out
}

/// The deal's kind at the end of each day its kind changes
/// ([`deltas::kind_at`]).
fn outcome_timeline(stays: &[Stay]) -> Vec<(NaiveDate, Option<StageKind>)> {
    let mut days: Vec<NaiveDate> = stays.iter().flat_map(|s| [Some(s.entered), s.exited]).flatten().collect();
    days.sort_unstable();
    days.dedup();
    let mut out: Vec<(NaiveDate, Option<StageKind>)> = Vec::new();
    for day in days {
        let kind = deltas::kind_at(stays, day);
        if out.last().is_none_or(|(_, k)| *k != kind) {
            out.push((day, kind));
        }
    }
    out
}

/// Signed steps of one counted entry from day `from` on: `n` from `from`,
/// and `won`/`lost` following the deal's outcome.
fn outcome_steps(timeline: &[(NaiveDate, Option<StageKind>)], from: NaiveDate, sign: i64) -> Vec<(NaiveDate, Figures)> {
    let flags = |k: Option<StageKind>| (i64::from(k == Some(StageKind::Won)), i64::from(k == Some(StageKind::Lost)));
    let at_start = timeline.iter().take_while(|(d, _)| *d <= from).last().and_then(|(_, k)| *k);
    let (mut won, mut lost) = flags(at_start);
    let mut out = vec![(
        from,
        Figures {
            n: sign,
            won: sign * won,
            lost: sign * lost,
            ..Figures::default()
        },
    )];
    for (day, kind) in timeline.iter().filter(|(d, _)| *d > from) {
        let (w, l) = flags(*kind);
        if (w, l) != (won, lost) {
            out.push((
                *day,
                Figures {
                    won: sign * (w - won),
                    lost: sign * (l - lost),
                    ..Figures::default()
                },
            ));
            (won, lost) = (w, l);
        }
    }
    out
}

#[cfg(test)]
mod tests;
