use super::*;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap_or_default()
}

fn horizon() -> Horizon {
    Horizon {
        today: d("2017-06-30"),
        first: d("2017-07-01"),
        last: d("2017-09-30"),
    }
}

fn visit(stage: Uuid, entered: &str, exited: &str, won: Option<&str>) -> ClosedVisit {
    ClosedVisit {
        stage_id: stage,
        entered: d(entered),
        exited: d(exited),
        won: won.map(d),
    }
}

fn chances(deals: &[(i128, Decimal)]) -> Chances {
    let mut c = Chances::default();
    for (a, p) in deals {
        c.add(*p, u64::from(*a != 0), *a, (*a as f64) * (*a as f64));
    }
    c
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap_or_default()
}

#[test]
fn probabilities_are_smoothed_life_table_estimates_per_age_band() {
    let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
    let visits = [
        // Stayed 10 days, won 19 days after entering: at age 0 it would win
        // on 19 July, at age 7 on 12 July — both inside Q3.
        visit(a, "2017-01-01", "2017-01-11", Some("2017-01-20")),
        // Stayed 2 days, won on leaving: 2 July.
        visit(a, "2017-02-01", "2017-02-03", Some("2017-02-03")),
        // Stayed 30 days and was lost: bands 0, 7, 14 and 30 count it.
        visit(a, "2017-03-01", "2017-03-31", None),
        // Won the day it entered: shifted to today, 30 June, before the
        // period starts.
        visit(a, "2017-01-01", "2017-01-01", Some("2017-01-01")),
        // Not an open stage of the model.
        visit(b, "2017-01-01", "2017-01-11", Some("2017-01-20")),
    ];
    let model = WinModel::fit(&visits, &HashMap::from([(a, 20)]), horizon());
    let cell = |band: usize| model.cells().get(&(a, band)).map(|c| (c.closed, c.won));
    assert_eq!(
        [cell(0), cell(1), cell(2), cell(3), cell(4)],
        [Some((4, 2)), Some((2, 1)), Some((1, 0)), Some((1, 0)), Some((0, 0))]
    );
    assert_eq!(model.cells().len(), AGE_BANDS_DAYS.len());
    // (k + 10 × 0.2) / (n + 10).
    assert_eq!(model.probability(a, Some(d("2017-06-29"))), dec("4") / dec("14"));
    assert_eq!(model.probability(a, Some(d("2017-06-20"))), dec("0.25"));
    assert_eq!(model.probability(a, Some(d("2017-06-01"))), dec("2") / dec("11"));
    assert_eq!(model.probability(a, Some(d("2017-04-01"))), dec("0.2"));
    assert_eq!(model.probability(a, None), dec("4") / dec("14"));
    assert_eq!(model.probability(b, None), Decimal::ZERO);
    // A period that has ended: nothing open can be won in it.
    let over = WinModel::fit(
        &visits,
        &HashMap::from([(a, 20)]),
        Horizon {
            today: d("2017-10-01"),
            ..horizon()
        },
    );
    assert_eq!(over.probability(a, None), Decimal::ZERO);
    // 1000 × 0.25 + 333 × 4/14 = 250 + 95.142857… → 345.
    assert_eq!(expected(&chances(&[(1_000, dec("0.25")), (333, dec("4") / dec("14"))])), 345);
}

#[test]
fn bands_cover_every_age() {
    assert_eq!(band_of(-3), 0);
    assert_eq!(band_of(6), 0);
    assert_eq!(band_of(7), 1);
    assert_eq!(band_of(400), 7);
    assert_eq!((band_label(1), band_label(7)), ("7-14".to_owned(), "365+".to_owned()));
}

#[test]
fn ranges_are_ordered_deterministic_and_bounded() {
    let half = dec("0.5");
    let deals: Vec<(i128, Decimal)> = (0..100).map(|_| (1, half)).collect();
    let r = range(1_000, &chances(&deals), &deals);
    assert_eq!(r, range(1_000, &chances(&deals), &deals));
    assert!(r.p10 <= r.p50 && r.p50 <= r.p90, "{r:?}");
    assert!(r.p10 >= 1_040 && r.p90 <= 1_060 && (1_045..=1_055).contains(&r.p50), "{r:?}");
    assert_eq!(
        range(7, &chances(&[(100, Decimal::ONE)]), &[(100, Decimal::ONE)]),
        Range {
            p10: 107,
            p50: 107,
            p90: 107
        }
    );
    let one = [(100, half)];
    assert_eq!(range(7, &chances(&one), &one).p10, 7);
    assert_eq!(range(7, &chances(&one), &one).p90, 107);
    assert_eq!(range(7, &Chances::default(), &[]), Range { p10: 7, p50: 7, p90: 7 });
    // 3,000 deals × 2,000 draws is over the limit: normal approximation,
    // mean 1500, sd √750 = 27.386 → 1500 ∓ 35.097.
    let many: Vec<(i128, Decimal)> = (0..3_000).map(|_| (1, half)).collect();
    assert_eq!(
        range(0, &chances(&many), &[]),
        Range {
            p10: 1_465,
            p50: 1_500,
            p90: 1_535
        }
    );
}

#[test]
fn new_business_replays_the_windows_won_deals_at_the_same_pace() {
    let h = horizon();
    // Lag 10 days: created 1 July … 20 September it wins inside Q3, 82 days.
    assert_eq!(new_deal_days(10, h), 82);
    // A 200-day lag cannot land in Q3 from a deal created after today.
    assert_eq!(new_deal_days(200, h), 0);
    // Lag 0: any creation day in Q3, 92 days; a negative lag counts as 0.
    assert_eq!((new_deal_days(0, h), new_deal_days(-5, h)), (92, 92));
    // Mid-period: today 15 August, lag 0 → 16 August … 30 September.
    let mid = Horizon {
        today: d("2017-08-15"),
        ..h
    };
    assert_eq!(new_deal_days(0, mid), 46);
    // 1,000 × 82 + 500 × 0 + 7 × 92 = 82,644 over a 100-day window → 826.44.
    assert_eq!(expected_new(1_000 * 82 + 7 * 92, 100), 826);
    assert_eq!(expected_new(82_644, 0), 0);
}
