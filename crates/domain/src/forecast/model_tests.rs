use super::*;

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap_or_default()
}

fn horizon() -> Horizon {
    Horizon {
        as_of: t("2017-06-30T00:00:00Z"),
        start: t("2017-07-01T00:00:00Z"),
        end: t("2017-10-01T00:00:00Z"),
    }
}

fn visit(stage: Uuid, entered: &str, exited: &str, won: Option<&str>) -> ClosedVisit {
    ClosedVisit {
        stage_id: stage,
        entered_at: t(entered),
        exited_at: t(exited),
        won_at: won.map(t),
    }
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
        visit(a, "2017-01-01T00:00:00Z", "2017-01-11T00:00:00Z", Some("2017-01-20T00:00:00Z")),
        // Stayed 2 days, won on leaving: 2 July.
        visit(a, "2017-02-01T00:00:00Z", "2017-02-03T00:00:00Z", Some("2017-02-03T00:00:00Z")),
        // Stayed 30 days and was lost: bands 0, 7, 14 and 30 count it.
        visit(a, "2017-03-01T00:00:00Z", "2017-03-31T00:00:00Z", None),
        // Won half a day in: 30 June 12:00, before the period starts.
        visit(a, "2017-01-01T00:00:00Z", "2017-01-01T12:00:00Z", Some("2017-01-01T12:00:00Z")),
        // Not an open stage of the model.
        visit(b, "2017-01-01T00:00:00Z", "2017-01-11T00:00:00Z", Some("2017-01-20T00:00:00Z")),
    ];
    let model = WinModel::fit(&visits, &HashMap::from([(a, 20)]), horizon());
    let cell = |band: usize| model.cells().get(&(a, band)).map(|c| (c.closed, c.won));
    assert_eq!(
        [cell(0), cell(1), cell(2), cell(3), cell(4)],
        [Some((4, 2)), Some((2, 1)), Some((1, 0)), Some((1, 0)), Some((0, 0))]
    );
    assert_eq!(model.cells().len(), AGE_BANDS_DAYS.len());
    // (k + 10 × 0.2) / (n + 10).
    assert_eq!(model.probability(a, Some(t("2017-06-29T00:00:00Z"))), dec("4") / dec("14"));
    assert_eq!(model.probability(a, Some(t("2017-06-20T00:00:00Z"))), dec("0.25"));
    assert_eq!(model.probability(a, Some(t("2017-06-01T00:00:00Z"))), dec("2") / dec("11"));
    assert_eq!(model.probability(a, Some(t("2017-04-01T00:00:00Z"))), dec("0.2"));
    assert_eq!(model.probability(a, None), dec("4") / dec("14"));
    assert_eq!(model.probability(b, None), Decimal::ZERO);
    // 1000 × 0.25 + 333 × 4/14 = 250 + 95.142857… → 345.
    assert_eq!(expected(&[(1_000, dec("0.25")), (333, dec("4") / dec("14"))]), 345);
}

#[test]
fn bands_cover_every_age() {
    assert_eq!(band_of(TimeDelta::days(-3)), 0);
    assert_eq!(band_of(TimeDelta::days(6) + TimeDelta::hours(23)), 0);
    assert_eq!(band_of(TimeDelta::days(7)), 1);
    assert_eq!(band_of(TimeDelta::days(400)), 7);
    assert_eq!((band_label(1), band_label(7)), ("7-14".to_owned(), "365+".to_owned()));
}

#[test]
fn ranges_are_ordered_deterministic_and_bounded() {
    let half = dec("0.5");
    let deals: Vec<(i128, Decimal)> = (0..100).map(|_| (1, half)).collect();
    let r = range(1_000, &deals);
    assert_eq!(r, range(1_000, &deals));
    assert!(r.p10 <= r.p50 && r.p50 <= r.p90, "{r:?}");
    assert!(r.p10 >= 1_040 && r.p90 <= 1_060 && (1_045..=1_055).contains(&r.p50), "{r:?}");
    assert_eq!(
        range(7, &[(100, Decimal::ONE)]),
        Range {
            p10: 107,
            p50: 107,
            p90: 107
        }
    );
    assert_eq!(range(7, &[(100, half)]).p10, 7);
    assert_eq!(range(7, &[(100, half)]).p90, 107);
    assert_eq!(range(7, &[]), Range { p10: 7, p50: 7, p90: 7 });
    // 3,000 deals × 2,000 draws is over the limit: normal approximation,
    // mean 1500, sd √750 = 27.386 → 1500 ∓ 35.097.
    let many: Vec<(i128, Decimal)> = (0..3_000).map(|_| (1, half)).collect();
    assert_eq!(
        range(0, &many),
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
    let won = |created: &str, lag_days: i64, amount: i128| WonDeal {
        created_at: t(created),
        won_at: t(created) + TimeDelta::days(lag_days),
        amount,
    };
    let deals = [
        // Created in [30 Jun, 21 Sep) it wins inside Q3: 83 of 100 days.
        won("2017-04-01T00:00:00Z", 10, 1_000),
        // A 200-day lag cannot land in Q3 from a deal created after 30 June.
        won("2016-10-01T00:00:00Z", 200, 500),
        // Created in Q3 it wins at once: 92 of 100 days → 6.44.
        won("2017-05-01T00:00:00Z", 0, 7),
    ];
    assert_eq!(expected_new(&deals, h.as_of - TimeDelta::days(100), h), 836);
    assert_eq!(expected_new(&deals, h.as_of, h), 0);
}
