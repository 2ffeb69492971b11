//! Rep behaviour: what each rep did and won, and how the top quartile by
//! won amount differs from the rest.

use std::collections::BTreeMap;

use uuid::Uuid;

use crate::stats::WinLoss;

/// One rep's figures over a window.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RepFigures {
    /// The rep (deal and activity owner).
    pub owner_id: Uuid,
    /// Deals created in the window.
    pub created: u64,
    /// Deals closed in the window (won or lost stage entered in it and
    /// still current at the moment read).
    pub closed: WinLoss,
    /// Won amounts, exact minor units per currency.
    pub won_amounts: Vec<(String, i128)>,
    /// Median days from creation to close of the won deals.
    pub median_cycle_days: Option<f64>,
    /// Activities that happened in the window, per type.
    pub activities: BTreeMap<String, u64>,
    /// Median days between consecutive activities on the rep's open deals.
    pub median_days_between_activities: Option<f64>,
    /// Closed deals with a demo activity before their close.
    pub closed_with_demo: u64,
}

/// `sum / n` of minor units, rounded half away from zero; `None` for n = 0.
pub fn mean_minor(sum: i128, n: u64) -> Option<i128> {
    let n = i128::from(n);
    (n > 0).then(|| {
        let q = (2 * sum.abs() + n) / (2 * n);
        if sum < 0 { -q } else { q }
    })
}

fn mean(values: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    let v: Vec<f64> = values.flatten().collect();
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

impl RepFigures {
    /// Won amount in `currency` (minor units).
    pub fn won_amount(&self, currency: &str) -> i128 {
        self.won_amounts.iter().filter(|(c, _)| c == currency).map(|(_, m)| m).sum()
    }

    /// Average won deal size in `currency`: won amount / won deals.
    pub fn average_deal_size(&self, currency: &str) -> Option<i128> {
        mean_minor(self.won_amount(currency), self.closed.won)
    }

    /// Activities of every type.
    pub fn activities_total(&self) -> u64 {
        self.activities.values().sum()
    }

    /// Activities per won deal; `None` without a won deal.
    pub fn activities_per_won_deal(&self) -> Option<f64> {
        (self.closed.won > 0).then(|| self.activities_total() as f64 / self.closed.won as f64)
    }

    /// Share of closed deals that had a demo before closing.
    pub fn demo_before_close_share(&self) -> Option<f64> {
        let closed = self.closed.won + self.closed.lost;
        (closed > 0).then(|| self.closed_with_demo as f64 / closed as f64)
    }
}

/// A group's behaviour: each figure is the mean over the group's reps that
/// have it (every rep weighs the same, so one big rep does not set the
/// standard).
#[derive(Debug, Clone, PartialEq)]
pub struct Behaviour {
    /// Reps in the group.
    pub reps: u64,
    /// Mean win rate.
    pub win_rate: Option<f64>,
    /// Mean average deal size, minor units of the base currency.
    pub average_deal_size: Option<i128>,
    /// Mean median sales cycle, days.
    pub median_cycle_days: Option<f64>,
    /// Mean activities per rep.
    pub activities_per_rep: Option<f64>,
    /// Mean activities per won deal.
    pub activities_per_won_deal: Option<f64>,
    /// Mean median days between activities on open deals.
    pub median_days_between_activities: Option<f64>,
    /// Mean share of closed deals with a demo before close.
    pub demo_before_close_share: Option<f64>,
}

impl Behaviour {
    /// The behaviour of `reps`, amounts in `currency`.
    pub fn of(reps: &[&RepFigures], currency: &str) -> Self {
        let sizes: Vec<i128> = reps.iter().filter_map(|r| r.average_deal_size(currency)).collect();
        Self {
            reps: reps.len() as u64,
            win_rate: mean(reps.iter().map(|r| r.closed.win_rate())),
            average_deal_size: mean_minor(sizes.iter().sum(), sizes.len() as u64),
            median_cycle_days: mean(reps.iter().map(|r| r.median_cycle_days)),
            activities_per_rep: mean(reps.iter().map(|r| Some(r.activities_total() as f64))),
            activities_per_won_deal: mean(reps.iter().map(|r| r.activities_per_won_deal())),
            median_days_between_activities: mean(reps.iter().map(|r| r.median_days_between_activities)),
            demo_before_close_share: mean(reps.iter().map(|r| r.demo_before_close_share())),
        }
    }
}

/// The top quartile of reps by won amount in `currency` — the first
/// ⌈n / 4⌉ after sorting by won amount, descending, ties by id — and the
/// rest.
pub fn top_quartile_vs_rest(reps: &[RepFigures], currency: &str) -> (Behaviour, Behaviour) {
    let mut ranked: Vec<&RepFigures> = reps.iter().collect();
    ranked.sort_by_key(|r| (std::cmp::Reverse(r.won_amount(currency)), r.owner_id));
    let top = ranked.len().div_ceil(4);
    let (best, rest) = ranked.split_at(top);
    (Behaviour::of(best, currency), Behaviour::of(rest, currency))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rep(n: u128, won: u64, lost: u64, amount: i128, acts: u64) -> RepFigures {
        RepFigures {
            owner_id: Uuid::from_u128(n),
            closed: WinLoss { won, lost },
            won_amounts: vec![("USD".into(), amount)],
            activities: BTreeMap::from([("call".to_owned(), acts)]),
            ..RepFigures::default()
        }
    }

    #[test]
    fn the_top_quartile_is_the_first_quarter_by_won_amount_rounded_up() {
        let reps = [
            rep(1, 1, 1, 100, 4),
            rep(2, 3, 1, 900, 12),
            rep(3, 0, 2, 0, 2),
            rep(4, 2, 2, 500, 6),
            rep(5, 1, 3, 50, 1),
        ];
        let (top, rest) = top_quartile_vs_rest(&reps, "USD");
        // ⌈5 / 4⌉ = 2: reps 2 and 4.
        assert_eq!((top.reps, rest.reps), (2, 3));
        assert_eq!(top.win_rate, Some((0.75 + 0.5) / 2.0));
        // 900 / 3 = 300 and 500 / 2 = 250 → 275.
        assert_eq!(top.average_deal_size, Some(275));
        assert_eq!(top.activities_per_won_deal, Some((4.0 + 3.0) / 2.0));
        // Rest: rep 3 has no won deal, so no average size and no activities per won deal.
        assert_eq!(rest.average_deal_size, Some(75));
        assert_eq!(rest.activities_per_won_deal, Some((4.0 + 1.0) / 2.0));
    }

    #[test]
    fn mean_minor_rounds_half_away_from_zero() {
        assert_eq!(mean_minor(5, 2), Some(3));
        assert_eq!(mean_minor(-5, 2), Some(-3));
        assert_eq!(mean_minor(4, 3), Some(1));
        assert_eq!(mean_minor(1, 0), None);
    }
}
