//! The funnel deltas of one deal.
//!
//! A deal's funnel figures at the end of day `D` (reached, advanced, won,
//! lost per stage, and its own outcome) are a step function of `D` that
//! changes only on the days it entered or left a stage. Storing the steps as
//! signed deltas keyed by day lets a reader get the figures for any `as_of`
//! day by summing the deltas up to it, and lets a writer apply a change to a
//! deal by adding its new deltas and subtracting its old ones. The figures
//! are the same as the SQL over the history reads at the end of that day
//! (see `docs/analytics.md`).

use chrono::NaiveDate;
use uuid::Uuid;

use crate::pipeline::StageKind;

/// One stay of a deal in a stage, in local days of the org.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stay {
    /// The stage.
    pub stage_id: Uuid,
    /// The stage the deal moved from (as its history row records it);
    /// `None` for its first stage.
    pub from_stage_id: Option<Uuid>,
    /// Its position in the reported pipeline; `None` for another
    /// pipeline's stage.
    pub position: Option<i32>,
    /// Its kind.
    pub kind: StageKind,
    /// Day entered.
    pub entered: NaiveDate,
    /// Day left; `None` while current.
    pub exited: Option<NaiveDate>,
    /// Whole days between entering and leaving (elapsed time, rounded
    /// down); `None` while current.
    pub whole_days: Option<i64>,
}

/// A change in a deal's contribution from `day` on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FunnelDelta {
    /// The stage; `None` for the deal's own outcome (the cohort row).
    pub stage_id: Option<Uuid>,
    /// First day the change holds.
    pub day: NaiveDate,
    /// Change in "reached" (for the cohort row: "exists").
    pub reached: i64,
    /// Change in "advanced to a later stage".
    pub advanced: i64,
    /// Change in "won at that day".
    pub won: i64,
    /// Change in "lost at that day".
    pub lost: i64,
}

pub(crate) type Tally = (i64, i64, i64, i64);

/// The deal's kind at the end of `day`: that of the stay current then (the
/// one entered last among those not yet left); `None` before its first.
pub(crate) fn kind_at(stays: &[Stay], day: NaiveDate) -> Option<StageKind> {
    stays
        .iter()
        .filter(|s| s.entered <= day && s.exited.is_none_or(|x| x > day))
        .max_by_key(|s| s.entered)
        .map(|s| s.kind)
}

/// The deal's figures at the end of `day`: per stage of `stages` (the
/// pipeline's stage ids and positions), then the cohort row.
pub(crate) fn figures_at(stays: &[Stay], stages: &[(Uuid, i32)], day: NaiveDate) -> Vec<Tally> {
    let entered: Vec<&Stay> = stays.iter().filter(|s| s.entered <= day).collect();
    let current = kind_at(stays, day);
    let (won, lost) = (
        i64::from(current == Some(StageKind::Won)),
        i64::from(current == Some(StageKind::Lost)),
    );
    let furthest = entered
        .iter()
        .filter(|s| s.kind != StageKind::Lost)
        .filter_map(|s| s.position)
        .max();
    let mut out: Vec<Tally> = stages
        .iter()
        .map(|(id, pos)| {
            let reached = entered.iter().any(|s| s.stage_id == *id);
            if !reached {
                return (0, 0, 0, 0);
            }
            (1, i64::from(furthest.is_some_and(|f| f > *pos)), won, lost)
        })
        .collect();
    out.push((i64::from(!entered.is_empty()), 0, won, lost));
    out
}

/// The deltas of one deal: its figures change only on the days it entered
/// or left a stage, so they are evaluated on those days and differenced.
pub fn funnel_deltas(stays: &[Stay], stages: &[(Uuid, i32)]) -> Vec<FunnelDelta> {
    let mut days: Vec<NaiveDate> = stays.iter().flat_map(|s| [Some(s.entered), s.exited]).flatten().collect();
    days.sort_unstable();
    days.dedup();
    let keys: Vec<Option<Uuid>> = stages.iter().map(|(id, _)| Some(*id)).chain([None]).collect();
    let mut before = vec![(0, 0, 0, 0); keys.len()];
    let mut out = Vec::new();
    for day in days {
        let now = figures_at(stays, stages, day);
        for ((key, a), b) in keys.iter().zip(&now).zip(&before) {
            let d = (a.0 - b.0, a.1 - b.1, a.2 - b.2, a.3 - b.3);
            if d != (0, 0, 0, 0) {
                out.push(FunnelDelta {
                    stage_id: *key,
                    day,
                    reached: d.0,
                    advanced: d.1,
                    won: d.2,
                    lost: d.3,
                });
            }
        }
        before = now;
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn day(n: u64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 5).unwrap_or_default() + chrono::Days::new(n)
    }

    /// Pipeline P(1) Q(2) D(3) W(4, won) L(5, lost).
    pub(crate) fn pipeline() -> Vec<(Uuid, i32, StageKind)> {
        let kinds = [StageKind::Open, StageKind::Open, StageKind::Open, StageKind::Won, StageKind::Lost];
        kinds
            .iter()
            .enumerate()
            .map(|(i, k)| (Uuid::from_u128(i as u128 + 1), i as i32 + 1, *k))
            .collect()
    }

    pub(crate) fn stays(path: &[(usize, u64)]) -> Vec<Stay> {
        let p = pipeline();
        path.iter()
            .enumerate()
            .map(|(i, (stage, entered))| Stay {
                stage_id: p[*stage].0,
                from_stage_id: i.checked_sub(1).map(|prev| p[path[prev].0].0),
                position: Some(p[*stage].1),
                kind: p[*stage].2,
                entered: day(*entered),
                exited: path.get(i + 1).map(|(_, next)| day(*next)),
                whole_days: path.get(i + 1).map(|(_, next)| (*next - *entered) as i64),
            })
            .collect()
    }

    fn sum_to(deltas: &[FunnelDelta], key: Option<Uuid>, d: NaiveDate) -> Tally {
        deltas
            .iter()
            .filter(|x| x.stage_id == key && x.day <= d)
            .fold((0, 0, 0, 0), |a, x| (a.0 + x.reached, a.1 + x.advanced, a.2 + x.won, a.3 + x.lost))
    }

    #[test]
    fn a_reopened_deal_is_lost_then_open_then_won() {
        // P day 0 → Q day 2 → L day 5 → Q day 8 → W day 10.
        let s = stays(&[(0, 0), (1, 2), (4, 5), (1, 8), (3, 10)]);
        let stages: Vec<(Uuid, i32)> = pipeline().iter().map(|p| (p.0, p.1)).collect();
        let deltas = funnel_deltas(&s, &stages);
        let q = Some(stages[1].0);
        assert_eq!(sum_to(&deltas, q, day(1)), (0, 0, 0, 0));
        assert_eq!(sum_to(&deltas, q, day(6)), (1, 0, 0, 1));
        assert_eq!(sum_to(&deltas, q, day(9)), (1, 0, 0, 0));
        assert_eq!(sum_to(&deltas, q, day(10)), (1, 1, 1, 0));
        assert_eq!(sum_to(&deltas, None, day(7)), (1, 0, 0, 1));
        assert_eq!(sum_to(&deltas, Some(stages[2].0), day(10)), (0, 0, 0, 0));
    }

    #[test]
    fn summed_deltas_equal_the_figures_on_every_day_for_many_paths() {
        let stages: Vec<(Uuid, i32)> = pipeline().iter().map(|p| (p.0, p.1)).collect();
        let mut seed: u64 = 7;
        let mut next = |n: u64| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) % n
        };
        for _ in 0..300 {
            let len = 1 + next(6) as usize;
            let mut at = next(3);
            let path: Vec<(usize, u64)> = (0..len)
                .map(|_| {
                    at += next(4);
                    (next(5) as usize, at)
                })
                .collect();
            let s = stays(&path);
            let deltas = funnel_deltas(&s, &stages);
            for d in 0..30 {
                let want = figures_at(&s, &stages, day(d));
                let keys = stages.iter().map(|(id, _)| Some(*id)).chain([None]);
                for (key, w) in keys.zip(want) {
                    assert_eq!(sum_to(&deltas, key, day(d)), w, "{path:?} day {d}");
                }
            }
        }
    }
}
