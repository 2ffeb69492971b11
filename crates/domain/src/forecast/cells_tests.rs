use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};

use super::*;
use crate::forecast::fx::Rate;
use crate::forecast::model::{Horizon, Moments};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap_or_default()
}

fn usd() -> Currency {
    Currency::parse("c", "USD").unwrap_or_else(|_| unreachable!())
}

fn deal(stage: Uuid, kind: StageKind, category: ForecastCategory, close: Option<&str>, amount: i64, currency: &str) -> DealAsOf {
    DealAsOf {
        id: Uuid::nil(),
        created_at: DateTime::<Utc>::default(),
        stage_id: Some(stage),
        stage_entered_at: None,
        owner_id: Uuid::nil(),
        kind,
        won_at: None,
        close_day: close.map(d),
        amount_minor: amount,
        currency: currency.into(),
        category,
        probability: 0,
    }
}

#[test]
fn rows_are_evaluated_from_cells_and_cells_add_and_subtract() {
    let (open, won) = (Uuid::from_u128(1), Uuid::from_u128(2));
    let deals = [
        deal(open, StageKind::Open, ForecastCategory::Commit, Some("2017-08-01"), 10_000, "USD"),
        deal(open, StageKind::Open, ForecastCategory::Pipeline, None, 5_000, "USD"),
        // 100.00 EUR at 1.1 on 1 August → 110.00 USD (the rate of its close day).
        deal(open, StageKind::Open, ForecastCategory::BestCase, Some("2017-08-01"), 10_000, "EUR"),
        deal(won, StageKind::Won, ForecastCategory::Closed, Some("2017-07-02"), 7_000, "USD"),
        // No GBP rate: reported, left out.
        deal(open, StageKind::Open, ForecastCategory::Commit, Some("2017-08-01"), 1, "GBP"),
    ];
    let mut cells = ForecastCells::default();
    for deal in &deals {
        cells.add_deal(deal, Some(d("2017-06-20")), "USD", 1);
    }
    // 10 days in stage: band 7-14 — with no history, the prior: 30 %.
    let horizon = Horizon {
        today: d("2017-06-30"),
        first: d("2017-07-01"),
        last: d("2017-09-30"),
    };
    let model = WinModel::fit(&[], &HashMap::from([(open, 30)]), horizon);
    let rates = [ExchangeRate {
        id: Uuid::nil(),
        org_id: Uuid::nil(),
        currency: "EUR".into(),
        rate: Rate::parse("rate", "1.1").unwrap_or_else(|_| Rate::one()),
        valid_from: d("2017-01-01"),
        created_at: DateTime::<Utc>::default(),
    }];
    let probabilities = HashMap::from([(open, 30), (won, 100)]);
    let ctx = Context {
        rates: &rates,
        base: usd(),
        probabilities: &probabilities,
        model: &model,
        days: (horizon.first, horizon.last),
        today: horizon.today,
    };
    let e = evaluate(&cells, &ctx).unwrap_or_default();
    let f = e.figures;
    assert_eq!((f.closed_won, f.commit, f.best_case, f.pipeline), (7_000, 17_000, 28_000, 21_000));
    // (10,000 + 11,000) × 30 % = 6,300.
    assert_eq!(f.weighted(), 6_300);
    let p = rust_decimal::Decimal::new(3, 1);
    let groups: BTreeMap<_, _> = e.chances.groups.clone();
    assert_eq!(groups.len(), 1);
    let m: Moments = groups.get(&p).copied().unwrap_or_default();
    assert_eq!((m.live, m.sum), (3, 26_000));
    // 10,000² + 5,000² + (10,000 × 1.1)², the rate squared as a float.
    assert!((m.sum_sq - 2.46e8).abs() < 1e-3, "{}", m.sum_sq);
    assert_eq!(e.missing_rates.into_iter().collect::<Vec<_>>(), vec!["GBP".to_owned()]);

    // Removing what was added leaves nothing.
    let mut back = cells.clone();
    back.add(&cells, -1);
    back.prune();
    assert_eq!(back, ForecastCells::default());
}
