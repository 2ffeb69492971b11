//! Analytics on the imported sample dataset against figures computed here
//! from the CSV itself.

use std::collections::HashMap;

use chrono::NaiveDate;
use glassbox_api::cli::import::BUNDLED;
use glassbox_tests::spawn_app;
use serde_json::json;

use crate::import::{all, demo};

/// `sales_pipeline.csv` rows: (agent, stage, engage_date, close_date).
fn deals() -> Vec<(String, String, Option<NaiveDate>, Option<NaiveDate>)> {
    let csv = String::from_utf8(BUNDLED.sales_pipeline.to_vec()).unwrap();
    csv.lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            let date = |s: &str| (!s.is_empty()).then(|| s.parse::<NaiveDate>().unwrap());
            (f[1].to_owned(), f[4].to_owned(), date(f[5]), date(f[6]))
        })
        .collect()
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

#[tokio::test]
async fn win_rates_cycle_and_as_of_match_the_csv() {
    let app = spawn_app().await;
    // After the last date of the sample: reports cap as_of at now.
    app.set_now("2018-01-15T12:00:00Z".parse().unwrap());
    let admin = demo(&app).await;
    let t = &admin.access_token;
    let rows = deals();
    let everything = "from=2016-01-01&to=2017-12-31&as_of=2018-01-01";

    let funnel = app.get(&format!("/api/v1/analytics/funnel?{everything}"), t).await.expect(200).body;
    assert_eq!(
        funnel["cohort"],
        json!({"count": 8800, "won": 4238, "lost": 2473, "open": 2089, "win_rate": 0.6315})
    );

    // As it stood at the end of 2017-06-30: later deals do not exist yet,
    // deals closed later are still open.
    let cut: NaiveDate = "2017-06-30".parse().unwrap();
    let existing: Vec<_> = rows.iter().filter(|r| r.2.is_some_and(|d| d <= cut)).collect();
    let closed = |stage: &str| existing.iter().filter(|r| r.1 == stage && r.3.is_some_and(|d| d <= cut)).count();
    let (won, lost) = (closed("Won"), closed("Lost"));
    let then = app
        .get("/api/v1/analytics/funnel?from=2016-01-01&to=2017-12-31&as_of=2017-06-30", t)
        .await
        .expect(200)
        .body;
    assert_eq!(
        (
            &then["cohort"]["count"],
            &then["cohort"]["won"],
            &then["cohort"]["lost"],
            &then["cohort"]["open"]
        ),
        (
            &json!(existing.len()),
            &json!(won),
            &json!(lost),
            &json!(existing.len() - won - lost)
        )
    );

    let perf = app
        .get(&format!("/api/v1/analytics/rep-performance?{everything}"), t)
        .await
        .expect(200)
        .body;
    // Median days from Engaging (the deal's creation) to close of won deals.
    let mut cycles: Vec<i64> = rows
        .iter()
        .filter(|r| r.1 == "Won")
        .map(|r| (r.3.unwrap() - r.2.unwrap()).num_days())
        .collect();
    cycles.sort_unstable();
    let n = cycles.len();
    let median = if n % 2 == 1 {
        cycles[n / 2] as f64
    } else {
        (cycles[n / 2 - 1] + cycles[n / 2]) as f64 / 2.0
    };
    assert_eq!(median, 57.0);
    let kpis = app.get(&format!("/api/v1/analytics/kpis?{everything}"), t).await.expect(200).body;
    let mean = cycles.iter().sum::<i64>() as f64 / n as f64;
    assert_eq!(
        (
            &kpis["win_rate"],
            &kpis["won_amount"],
            &kpis["average_deal_size"],
            &kpis["accounts_won"]
        ),
        (&json!(0.6315), &json!("10005534.00"), &json!("2360.91"), &json!(85))
    );
    // 10005534.00 / 85 accounts; mean cycle from the file.
    assert_eq!(kpis["customer_lifetime_value"], "117712.16");
    assert_eq!(kpis["average_sales_cycle_days"], json!((mean * 100.0).round() / 100.0));
    assert_eq!(perf["all"]["median_sales_cycle_days"], json!(median));
    assert_eq!(
        (&perf["all"]["owner_id"], &perf["all"]["won"], &perf["all"]["lost"]),
        (&json!(null), &json!(4238), &json!(2473))
    );

    // Every rep's win rate, computed from the file.
    let mut by_agent: HashMap<&str, (u64, u64)> = HashMap::new();
    for r in &rows {
        let e = by_agent.entry(r.0.as_str()).or_default();
        match r.1.as_str() {
            "Won" => e.0 += 1,
            "Lost" => e.1 += 1,
            _ => {}
        }
    }
    let names: HashMap<String, String> = all(&app, t, "/api/v1/users")
        .await
        .iter()
        .map(|u| (u["id"].as_str().unwrap().to_owned(), u["name"].as_str().unwrap().to_owned()))
        .collect();
    let reps = perf["reps"].as_array().unwrap();
    assert_eq!(reps.len(), by_agent.len());
    for rep in reps {
        let name = &names[rep["owner_id"].as_str().unwrap()];
        let (won, lost) = by_agent[name.as_str()];
        assert_eq!(
            (&rep["won"], &rep["lost"], &rep["win_rate"]),
            (&json!(won), &json!(lost), &json!(round4(won as f64 / (won + lost) as f64))),
            "{name}"
        );
    }
    let split = &perf["top_quartile_vs_rest"];
    assert_eq!(
        (&split["top_quartile"]["reps"], &split["rest"]["reps"]),
        (&json!(reps.len().div_ceil(4)), &json!(reps.len() - reps.len().div_ceil(4)))
    );
}

#[tokio::test]
async fn the_waterfall_balances_to_the_cent_for_every_month_of_2017() {
    use rust_decimal::Decimal;
    let app = spawn_app().await;
    app.set_now("2018-01-15T12:00:00Z".parse().unwrap());
    let admin = demo(&app).await;
    let csv = String::from_utf8(BUNDLED.sales_pipeline.to_vec()).unwrap();
    let won_rows: Vec<(NaiveDate, Decimal)> = csv
        .lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            (f[4] == "Won").then(|| (f[6].parse().unwrap(), f[7].parse().unwrap()))
        })
        .collect();
    for month in 1..=12u32 {
        let first = NaiveDate::from_ymd_opt(2017, month, 1).unwrap();
        let last = first.checked_add_months(chrono::Months::new(1)).unwrap().pred_opt().unwrap();
        let body = app
            .get(
                &format!("/api/v1/analytics/pipeline-changes?from={first}&to={last}"),
                &admin.access_token,
            )
            .await
            .expect(200)
            .body;
        let w = &body["data"][0];
        let d = |k: &str| w[k].as_str().unwrap().parse::<Decimal>().unwrap();
        assert_eq!(
            d("start") + d("new") + d("pulled_in") + d("increased") - d("decreased") - d("pushed_out") - d("won") - d("lost"),
            d("end"),
            "{first}: {w}"
        );
        let won: Decimal = won_rows
            .iter()
            .filter(|(day, _)| (first..=last).contains(day))
            .map(|(_, v)| *v)
            .sum();
        assert_eq!(d("won"), won, "{first}");
    }
}
