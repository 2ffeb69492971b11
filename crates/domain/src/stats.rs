//! Small statistics used by the sales metrics: percentiles and win rates.

/// The `p`-quantile (0 ≤ `p` ≤ 1) of an ascending sample by linear
/// interpolation between order statistics — definition 7 of Hyndman & Fan,
/// "Sample Quantiles in Statistical Packages" (The American Statistician,
/// 1996), the default of R's `quantile`, NumPy's `percentile` and Excel's
/// `PERCENTILE.INC`: with `h = (n − 1)·p`,
/// `Q = x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋ + 1] − x[⌊h⌋])` (0-based).
///
/// `None` for an empty sample. The sample must be sorted ascending.
pub fn percentile(sorted: &[i64], p: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let h = last as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(last);
    let (a, b) = (sorted[lo] as f64, sorted[hi] as f64);
    Some(a + (h - lo as f64) * (b - a))
}

/// A quantile level as an exact fraction `num / den`, so that the order
/// statistics [`percentile`] interpolates between can be picked in SQL with
/// integer arithmetic: ranks `⌊(n − 1)·num / den⌋ + 1` and the one after
/// (1-based), which both backends compute alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quantile {
    /// Numerator.
    pub num: i64,
    /// Denominator (> 0).
    pub den: i64,
}

impl Quantile {
    /// The median.
    pub const MEDIAN: Quantile = Quantile { num: 1, den: 2 };
    /// The 80th percentile.
    pub const P80: Quantile = Quantile { num: 4, den: 5 };
    /// The 90th percentile.
    pub const P90: Quantile = Quantile { num: 9, den: 10 };

    /// 1-based rank of the lower order statistic in a sample of `n`.
    pub fn lower_rank(&self, n: i64) -> i64 {
        (n - 1).max(0) * self.num / self.den + 1
    }

    /// The quantile of a sample of `n` from its order statistics at
    /// [`Quantile::lower_rank`] (`lo`) and the rank after it (`hi`, `None`
    /// when `lo` is the last).
    pub fn interpolate(&self, n: i64, lo: f64, hi: Option<f64>) -> f64 {
        let rest = ((n - 1).max(0) * self.num % self.den) as f64 / self.den as f64;
        lo + rest * (hi.unwrap_or(lo) - lo)
    }

    /// The quantile of a sample given as a histogram: (value, count) pairs
    /// in any order, counts ≥ 0. `None` for an empty sample.
    pub fn of_histogram(&self, histogram: &[(i64, i64)]) -> Option<f64> {
        let mut sorted: Vec<(i64, i64)> = histogram.iter().copied().filter(|(_, c)| *c > 0).collect();
        sorted.sort_unstable();
        let n: i64 = sorted.iter().map(|(_, c)| c).sum();
        if n == 0 {
            return None;
        }
        let rank = self.lower_rank(n);
        let at = |r: i64| {
            let mut seen = 0;
            sorted.iter().find(|(_, c)| {
                seen += c;
                seen >= r
            })
        };
        let lo = at(rank)?.0 as f64;
        let hi = (rank < n).then(|| at(rank + 1)).flatten().map(|(v, _)| *v as f64);
        Some(self.interpolate(n, lo, hi))
    }
}

/// Closed opportunities counted as won and lost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WinLoss {
    /// Closed won.
    pub won: u64,
    /// Closed lost.
    pub lost: u64,
}

impl WinLoss {
    /// Win rate `won / (won + lost)` (the closed-deal win rate as Salesforce
    /// and HubSpot report it: open deals are not in the denominator); `None`
    /// when nothing closed.
    pub fn win_rate(&self) -> Option<f64> {
        let closed = self.won + self.lost;
        (closed > 0).then(|| self.won as f64 / closed as f64)
    }
}

/// Rounds to `places` decimal places, halves away from zero (for reporting
/// ratios and minutes; money never goes through floats).
pub fn round_to(x: f64, places: i32) -> f64 {
    let scale = 10f64.powi(places);
    (x * scale).round() / scale
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_interpolates_like_r_type_7() {
        let xs = [10, 20, 30, 40, 50];
        assert_eq!(percentile(&xs, 0.5), Some(30.0));
        // h = 4·0.9 = 3.6 → 40 + 0.6·10.
        assert_eq!(percentile(&xs, 0.9).map(|q| round_to(q, 6)), Some(46.0));
        assert_eq!(percentile(&[10, 20], 0.5), Some(15.0));
        assert_eq!(percentile(&[7], 0.9), Some(7.0));
        assert_eq!(percentile(&[], 0.5), None);
        assert_eq!(percentile(&xs, 1.0), Some(50.0));
        assert_eq!(percentile(&xs, 0.0), Some(10.0));
    }

    #[test]
    fn exact_quantile_ranks_agree_with_the_float_definition() {
        let xs: Vec<i64> = (1..=11).map(|i| i * i).collect();
        for q in [Quantile::MEDIAN, Quantile::P80, Quantile::P90] {
            for n in 1..=xs.len() {
                let sample = &xs[..n];
                let lo = q.lower_rank(n as i64) as usize;
                let hi = sample.get(lo).map(|v| *v as f64);
                let exact = q.interpolate(n as i64, sample[lo - 1] as f64, hi);
                let float = percentile(sample, q.num as f64 / q.den as f64).unwrap_or_default();
                assert!((exact - float).abs() < 1e-9, "{q:?} n={n}: {exact} vs {float}");
            }
        }
    }

    #[test]
    fn a_histogram_gives_the_quantiles_of_its_expanded_sample() {
        let hist = [(5, 2), (1, 1), (9, 0), (3, 3)];
        let expanded = [1, 3, 3, 3, 5, 5];
        for q in [Quantile::MEDIAN, Quantile::P80, Quantile::P90] {
            let want = percentile(&expanded, q.num as f64 / q.den as f64);
            assert_eq!(q.of_histogram(&hist), want);
        }
        assert_eq!(Quantile::MEDIAN.of_histogram(&[(4, 0)]), None);
        assert_eq!(Quantile::MEDIAN.of_histogram(&[(4, 1)]), Some(4.0));
    }

    #[test]
    fn win_rate_ignores_open_deals_and_is_none_without_closed_ones() {
        assert_eq!(WinLoss { won: 3, lost: 1 }.win_rate(), Some(0.75));
        assert_eq!(WinLoss::default().win_rate(), None);
        assert_eq!(round_to(2.0 / 3.0 * 100.0, 2), 66.67);
    }
}
