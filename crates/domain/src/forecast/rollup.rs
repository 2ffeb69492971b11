//! Forecast roll-ups of one fiscal period: closed won, the cumulative
//! forecast categories, the weighted pipeline, and quota attainment.
//!
//! Definitions (Salesforce's cumulative forecast roll-ups, "Forecast
//! Categories" in Salesforce Help): *closed won* sums deals won within the
//! period; *commit* = closed won + open deals in the Commit category;
//! *best case* = commit + open deals in Best Case; *pipeline* = every open
//! deal not Omitted. Open deals count when their close date falls in the
//! period. *Weighted* = Σ amount × stage probability of those open deals
//! (rounded once per row, half away from zero). *Attainment* = closed won /
//! quota; *gap* = quota − closed won. Every amount is converted to the
//! base currency at the rate valid on the deal's close day.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::pipeline::{ForecastCategory, StageKind};

/// A deal as it stood at the moment read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DealAsOf {
    /// The opportunity.
    pub id: Uuid,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// Its stage then.
    pub stage_id: Option<Uuid>,
    /// When it entered that stage (for won deals: when it was won).
    pub stage_entered_at: Option<DateTime<Utc>>,
    /// Owner then.
    pub owner_id: Uuid,
    /// Won, lost or open then.
    pub kind: StageKind,
    /// When it entered its won stage (for won deals).
    pub won_at: Option<DateTime<Utc>>,
    /// Local day it closed (won) or is expected to close (open).
    pub close_day: Option<NaiveDate>,
    /// Amount then, minor units of `currency`.
    pub amount_minor: i64,
    /// Currency then.
    pub currency: String,
    /// Forecast category then.
    pub category: ForecastCategory,
    /// Win probability of its stage, 0–100.
    pub probability: i32,
}

/// Sums of one forecast row, in minor units of the base currency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ForecastFigures {
    /// Won in the period.
    pub closed_won: i128,
    /// Closed won + open Commit.
    pub commit: i128,
    /// Commit + open Best Case.
    pub best_case: i128,
    /// Open, not Omitted.
    pub pipeline: i128,
    /// Σ amount × probability, in hundredths of a minor unit until
    /// [`ForecastFigures::weighted`] rounds it.
    weighted_x100: i128,
}

impl ForecastFigures {
    /// The weighted pipeline, rounded half away from zero to the minor unit.
    pub fn weighted(&self) -> i128 {
        let q = self.weighted_x100 / 100;
        let r = self.weighted_x100 % 100;
        if r.abs() >= 50 { q + r.signum() } else { q }
    }

    /// Adds another row's sums.
    pub fn add(&mut self, other: &ForecastFigures) {
        self.closed_won += other.closed_won;
        self.commit += other.commit;
        self.best_case += other.best_case;
        self.pipeline += other.pipeline;
        self.weighted_x100 += other.weighted_x100;
    }

    /// What deals of one kind, category and stage probability (percent)
    /// closing on `close_day` add, their amount already in the base
    /// currency; nothing when the day is outside the period's local days
    /// `first..=last`. A won deal's close day is the local day it was won.
    pub fn of(
        kind: StageKind,
        category: ForecastCategory,
        probability: i32,
        close_day: NaiveDate,
        base_amount: i128,
        days: (NaiveDate, NaiveDate),
    ) -> Self {
        if close_day < days.0 || close_day > days.1 {
            return Self::default();
        }
        match kind {
            StageKind::Won => Self {
                closed_won: base_amount,
                commit: base_amount,
                best_case: base_amount,
                ..Self::default()
            },
            StageKind::Open => {
                let commit = if category == ForecastCategory::Commit { base_amount } else { 0 };
                let best = if matches!(category, ForecastCategory::Commit | ForecastCategory::BestCase) {
                    base_amount
                } else {
                    0
                };
                Self {
                    closed_won: 0,
                    commit,
                    best_case: best,
                    pipeline: if category == ForecastCategory::Omitted { 0 } else { base_amount },
                    weighted_x100: base_amount * i128::from(probability),
                }
            }
            StageKind::Lost => Self::default(),
        }
    }
}

/// Closed won / quota, `None` without a positive quota.
pub fn attainment(closed_won: i128, quota: Option<i128>) -> Option<f64> {
    quota.filter(|q| *q > 0).map(|q| closed_won as f64 / q as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap_or_default()
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap_or_default()
    }

    fn deal(kind: StageKind, category: ForecastCategory, close: &str, won_at: Option<&str>) -> DealAsOf {
        DealAsOf {
            id: Uuid::nil(),
            created_at: t("2017-01-01T00:00:00Z"),
            stage_id: None,
            stage_entered_at: None,
            owner_id: Uuid::nil(),
            kind,
            won_at: won_at.map(t),
            close_day: Some(d(close)),
            amount_minor: 0,
            currency: "USD".into(),
            category,
            probability: 25,
        }
    }

    #[test]
    fn categories_roll_up_cumulatively_and_weighted_rounds_once() {
        let days = (d("2017-04-01"), d("2017-06-30"));
        let rows = [
            (
                deal(StageKind::Won, ForecastCategory::Closed, "2017-06-30", Some("2017-06-30T14:30:00Z")),
                1_000,
            ),
            (
                deal(StageKind::Won, ForecastCategory::Closed, "2017-07-01", Some("2017-06-30T15:30:00Z")),
                5_000,
            ),
            (deal(StageKind::Open, ForecastCategory::Commit, "2017-05-01", None), 301),
            (deal(StageKind::Open, ForecastCategory::BestCase, "2017-05-01", None), 203),
            (deal(StageKind::Open, ForecastCategory::Pipeline, "2017-06-30", None), 3),
            (deal(StageKind::Open, ForecastCategory::Omitted, "2017-06-30", None), 7_000),
            (deal(StageKind::Open, ForecastCategory::Commit, "2017-07-01", None), 9_000),
            (deal(StageKind::Lost, ForecastCategory::Omitted, "2017-05-01", None), 8_000),
        ];
        let mut f = ForecastFigures::default();
        for (deal, amount) in &rows {
            let close = deal.close_day.unwrap_or_default();
            f.add(&ForecastFigures::of(
                deal.kind,
                deal.category,
                deal.probability,
                close,
                *amount,
                days,
            ));
        }
        assert_eq!((f.closed_won, f.commit, f.best_case, f.pipeline), (1_000, 1_301, 1_504, 507));
        // (301 + 203 + 3 + 7000) × 25 % = 1876.75 → 1877.
        assert_eq!(f.weighted(), 1_877);
        assert_eq!(attainment(1_000, Some(4_000)), Some(0.25));
        assert_eq!(attainment(1_000, Some(0)), None);
    }
}
