//! The cells of random deal paths against the definitions, day by day.

use super::deltas::tests::{day, pipeline, stays};
use super::*;

fn stages() -> Vec<(Uuid, i32)> {
    pipeline().iter().map(|p| (p.0, p.1)).collect()
}

fn deal(path: &[(usize, u64)]) -> DealFacts {
    DealFacts {
        pipeline_id: Uuid::from_u128(99),
        owner_id: Uuid::from_u128(7),
        currency: "EUR".into(),
        amount_minor: 12_345,
        created: day(0),
        stays: stays(path),
    }
}

fn random_paths() -> Vec<Vec<(usize, u64)>> {
    let mut seed: u64 = 11;
    let mut next = |n: u64| {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % n
    };
    (0..300)
        .map(|_| {
            let len = 1 + next(7) as usize;
            let mut at = next(3);
            (0..len)
                .map(|_| {
                    at += next(4);
                    (next(5) as usize, at)
                })
                .collect()
        })
        .collect()
}

/// Σ of the deltas matching `keep` up to day `d`.
fn sum(cells: &HashMap<CellKey, Figures>, d: NaiveDate, keep: impl Fn(&CellKey) -> bool) -> Figures {
    let mut out = Figures::default();
    for (k, f) in cells {
        if k.day.is_some_and(|x| x <= d) && keep(k) {
            out.add(f, 1);
        }
    }
    out
}

#[test]
fn conversion_cells_count_a_deal_once_per_stage_and_window_with_its_outcome_then() {
    for path in random_paths() {
        let deal = deal(&path);
        let cells = cells(&deal, &stages());
        for (stage, _) in stages() {
            for from in 0..12 {
                for to in from..14 {
                    for d in [3, 6, 9, 13, 30] {
                        let (from_d, to_d, at) = (day(from), day(to), day(d));
                        let entered = deal
                            .stays
                            .iter()
                            .any(|s| s.stage_id == stage && s.entered >= from_d && s.entered <= to_d && s.entered <= at);
                        let kind = super::deltas::kind_at(&deal.stays, at);
                        let want = if entered {
                            (1, i64::from(kind == Some(StageKind::Won)), i64::from(kind == Some(StageKind::Lost)))
                        } else {
                            (0, 0, 0)
                        };
                        let got = sum(&cells, at, |k| {
                            k.stage_id == stage
                                && match k.metric {
                                    Metric::Entry => k.cohort >= from_d && k.cohort <= to_d,
                                    Metric::EntryPair => k.cohort >= from_d && k.cohort2 <= to_d,
                                    _ => false,
                                }
                        });
                        assert_eq!((got.n, got.won, got.lost), want, "{path:?} stage {stage} [{from}, {to}] at {d}");
                    }
                }
            }
        }
    }
}

#[test]
fn stay_cells_count_finished_stays_by_whole_days_and_totals_sum_the_deltas() {
    for path in random_paths() {
        let deal = deal(&path);
        let cells = cells(&deal, &stages());
        for d in 0..30 {
            let at = day(d);
            for (stage, _) in stages() {
                let mut want: Vec<i64> = deal
                    .stays
                    .iter()
                    .filter(|s| s.stage_id == stage && s.exited.is_some_and(|x| x <= at))
                    .filter_map(|s| s.whole_days)
                    .collect();
                want.sort_unstable();
                let mut got: Vec<i64> = Vec::new();
                for (k, f) in &cells {
                    if k.metric == Metric::Stay && k.stage_id == stage && k.day.is_some_and(|x| x <= at) {
                        got.extend(std::iter::repeat_n(k.bucket, f.n as usize));
                    }
                }
                got.sort_unstable();
                assert_eq!(got, want, "{path:?} at {d}");
            }
        }
        // A total is the sum of its key's deltas; transitions are totals.
        let mut summed: HashMap<CellKey, Figures> = HashMap::new();
        for (k, f) in &cells {
            if k.day.is_some() {
                summed.entry(CellKey { day: None, ..k.clone() }).or_default().add(f, 1);
            }
        }
        summed.retain(|_, f| !f.is_zero());
        let totals: HashMap<CellKey, Figures> = cells
            .iter()
            .filter(|(k, _)| k.day.is_none() && k.metric != Metric::Transition)
            .map(|(k, f)| (k.clone(), *f))
            .collect();
        assert_eq!(summed, totals, "{path:?}");
        let moves = cells
            .iter()
            .filter(|(k, _)| k.metric == Metric::Transition)
            .map(|(_, f)| f.n)
            .sum::<i64>();
        assert_eq!(moves, deal.stays.len() as i64 - 1);
    }
}

#[test]
fn funnel_amounts_follow_reached() {
    let deal = deal(&[(0, 0), (1, 2), (3, 4)]);
    let cells = cells(&deal, &stages());
    let q = stages()[1].0;
    let f = sum(&cells, day(9), |k| k.metric == Metric::Funnel && k.stage_id == q);
    assert_eq!(
        f,
        Figures {
            n: 1,
            advanced: 1,
            won: 1,
            lost: 0,
            amount: 12_345
        }
    );
    let own = sum(&cells, day(9), |k| k.metric == Metric::Funnel && k.stage_id.is_nil());
    assert_eq!(
        own,
        Figures {
            n: 1,
            advanced: 0,
            won: 1,
            lost: 0,
            amount: 0
        }
    );
}
