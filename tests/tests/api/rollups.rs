//! The analytics rollups and forecast cells kept in each write give exactly
//! what the SQL over stage history gives, after random creates, moves,
//! reopenings, amount, owner, close date and category changes and deletes,
//! for any window, day, period and audience; and a rebuild from scratch
//! stores the same cells.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use glassbox_domain::Scope;
use glassbox_domain::analytics::AsOf;
use glassbox_domain::forecast::FiscalPeriod;
use glassbox_persistence::analytics::{Audience, FunnelQuery, ReportQuery, Source};
use glassbox_persistence::forecast::{ForecastQuery, GroupBy};
use glassbox_tests::{TestApp, spawn_app};
use reqwest::Method;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;
use uuid::Uuid;

struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

async fn compare(app: &TestApp, scope: &Scope, audiences: &[Audience], days: &[NaiveDate]) -> usize {
    let mut checked = 0;
    for audience in audiences {
        for (i, from) in days.iter().enumerate() {
            for to in &days[i..] {
                for as_of in days.iter().map(|d| Some(AsOf::Date(*d))).chain([None]) {
                    let report = ReportQuery {
                        audience: *audience,
                        from: Some(*from),
                        to: Some(*to),
                        as_of,
                    };
                    let q = |source| FunnelQuery {
                        pipeline_id: None,
                        report,
                        source,
                    };
                    let (rolled, _) = app.store.funnel(scope, &q(Source::Auto)).await.unwrap();
                    let (exact, _) = app.store.funnel(scope, &q(Source::History)).await.unwrap();
                    assert_eq!(rolled, exact, "funnel {audience:?} {from}..{to} as of {as_of:?}");
                    let (rolled, _) = app.store.stage_conversion(scope, &q(Source::Auto)).await.unwrap();
                    let (exact, _) = app.store.stage_conversion(scope, &q(Source::History)).await.unwrap();
                    assert_eq!(rolled, exact, "conversion {audience:?} {from}..{to} as of {as_of:?}");
                    checked += 1;
                }
            }
        }
    }
    checked
}

/// Forecasts of the present from the kept cells equal forecasts built from
/// every deal as it stands at this instant, for each period and grouping,
/// org-wide and for one team.
async fn compare_forecasts(app: &TestApp, scope: &Scope, now: DateTime<Utc>, team: Uuid) -> usize {
    let mut checked = 0;
    for period in ["2026-M01", "2026-M03", "2026-Q1", "2026-Q2", "2026", "2027-Q1"] {
        for group_by in [GroupBy::Org, GroupBy::Owner, GroupBy::Team] {
            for team_id in [None, Some(team)] {
                let q = |as_of| ForecastQuery {
                    period: FiscalPeriod::parse("period", period).unwrap(),
                    group_by,
                    team_id,
                    as_of,
                    window_days: 365,
                };
                let kept = app.store.forecast(scope, &q(None)).await.unwrap();
                let replayed = app.store.forecast(scope, &q(Some(AsOf::Instant(now)))).await.unwrap();
                assert_eq!(kept, replayed, "forecast {period} {group_by:?} {team_id:?}");
                checked += 1;
            }
        }
    }
    checked
}

/// Every stored cell whose figures are not all zero, in key order.
async fn stored_cells(app: &TestApp) -> Vec<String> {
    let conn = sea_orm::Database::connect(app.settings.database_url.as_str()).await.unwrap();
    let mut out = Vec::new();
    let sql = "SELECT owner_id, grain, day1, stage_id, kind, category, day2, currency, n, live, amount_hi, amount_lo, sq_hi, sq_mid, sq_lo \
               FROM forecast_cells";
    for r in conn
        .query_all_raw(Statement::from_string(conn.get_database_backend(), sql))
        .await
        .unwrap()
    {
        let int = |c: &str| {
            r.try_get::<i64>("", c)
                .unwrap_or_else(|_| i64::from(r.try_get::<i32>("", c).unwrap()))
        };
        let sums = [
            int("n"),
            int("live"),
            int("amount_hi"),
            int("amount_lo"),
            int("sq_hi"),
            int("sq_mid"),
            int("sq_lo"),
        ];
        if sums == [0; 7] {
            continue;
        }
        let text = |c: &str| r.try_get::<String>("", c).unwrap();
        let grain: i16 = r.try_get("", "grain").unwrap();
        out.push(format!(
            "forecast_cells {} {grain} {} {} {} {} {} {} {sums:?}",
            r.try_get::<Uuid>("", "owner_id").unwrap(),
            int("day1"),
            r.try_get::<Uuid>("", "stage_id").unwrap(),
            text("kind"),
            text("category"),
            int("day2"),
            text("currency"),
        ));
    }
    for (table, day) in [("rollup_totals", "0"), ("rollup_deltas", "day")] {
        let sql = format!(
            "SELECT pipeline_id, owner_id, metric, cohort, cohort2, stage_id, other_id, currency, bucket, {day} AS day, \
             n, advanced, won, lost, amount_hi, amount_lo FROM {table}"
        );
        for r in conn
            .query_all_raw(Statement::from_string(conn.get_database_backend(), sql))
            .await
            .unwrap()
        {
            let id = |c: &str| r.try_get::<Uuid>("", c).unwrap();
            let int = |c: &str| {
                r.try_get::<i64>("", c)
                    .unwrap_or_else(|_| i64::from(r.try_get::<i32>("", c).unwrap()))
            };
            let metric: i16 = r.try_get("", "metric").unwrap();
            let amount = i128::from(int("amount_hi")) * 1_000_000_000 + i128::from(int("amount_lo"));
            let figures = (int("n"), int("advanced"), int("won"), int("lost"), amount);
            if figures == (0, 0, 0, 0, 0) {
                continue;
            }
            let currency: String = r.try_get("", "currency").unwrap();
            out.push(format!(
                "{table} {} {} {metric} {} {} {} {} {currency} {} {} {figures:?}",
                id("pipeline_id"),
                id("owner_id"),
                int("cohort"),
                int("cohort2"),
                id("stage_id"),
                id("other_id"),
                int("bucket"),
                int("day"),
            ));
        }
    }
    out.sort();
    out
}

#[tokio::test]
async fn rollups_equal_the_history_sql_after_random_writes_and_a_rebuild() {
    let app = spawn_app().await;
    let mut now: DateTime<Utc> = "2026-01-05T10:00:00Z".parse().unwrap();
    app.set_now(now);
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let t = admin.access_token.clone();
    app.patch("/api/v1/org", &t, json!({"time_zone": "America/New_York"}))
        .await
        .expect(200);
    let team = app
        .post("/api/v1/teams", &t, json!({"name": "East", "kind": "sales"}))
        .await
        .expect(201)
        .body;
    let team_id: Uuid = team["id"].as_str().unwrap().parse().unwrap();
    let rep = app.user(&admin, "rick@acme.test", "rep", &[team_id]).await;
    let owners = [admin.user_id, rep.user_id];
    let pipeline = app.get("/api/v1/pipelines", &t).await.expect(200).body["data"][0].clone();
    let stages: Vec<(String, String)> = pipeline["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["id"].as_str().unwrap().to_owned(), s["kind"].as_str().unwrap().to_owned()))
        .collect();
    let open: Vec<&String> = stages.iter().filter(|(_, k)| k == "open").map(|(id, _)| id).collect();
    app.post(
        "/api/v1/exchange-rates",
        &t,
        json!({"currency": "EUR", "rate_to_base": "1.0845", "valid_from": "2025-01-01"}),
    )
    .await
    .expect(201);
    let close_date = |rng: &mut Lcg| format!("2026-{:02}-{:02}", 1 + rng.next(12), 1 + rng.next(28));
    let categories = ["pipeline", "best_case", "commit", "omitted"];

    let mut rng = Lcg(42);
    let mut deals: Vec<String> = Vec::new();
    let first_day = now.date_naive();
    for _ in 0..160 {
        now += TimeDelta::minutes(60 + rng.next(40 * 60) as i64);
        app.set_now(now);
        let t = app.login("ana@acme.test").await.access_token;
        match (rng.next(10), deals.is_empty()) {
            (0..=2, _) | (_, true) => {
                let currency = ["USD", "EUR"][rng.next(2) as usize];
                let amount = format!("{}.{:02}", rng.next(90_000), rng.next(100));
                let mut body = json!({"name": format!("Deal {}", deals.len()), "owner_id": owners[rng.next(2) as usize],
                    "currency": currency, "amount": amount, "stage_id": open[rng.next(open.len() as u64) as usize]});
                if rng.next(4) > 0 {
                    body["close_date"] = json!(close_date(&mut rng));
                }
                let created = app.post("/api/v1/opportunities", &t, body).await.expect(201).body;
                deals.push(created["id"].as_str().unwrap().to_owned());
            }
            (3..=7, _) => {
                let deal = &deals[rng.next(deals.len() as u64) as usize];
                let (stage, kind) = &stages[rng.next(stages.len() as u64) as usize];
                let mut body = json!({"stage_id": stage});
                if kind == "lost" {
                    body["loss_reason"] = json!("price");
                }
                let answer = app.patch(&format!("/api/v1/opportunities/{deal}"), &t, body).await;
                assert!([200, 404, 422].contains(&answer.status.as_u16()), "{}", answer.body);
            }
            (8, _) => {
                let deal = &deals[rng.next(deals.len() as u64) as usize];
                let body = json!({"amount": format!("{}.00", rng.next(50_000)), "owner_id": owners[rng.next(2) as usize],
                    "close_date": close_date(&mut rng), "forecast_category": categories[rng.next(4) as usize]});
                let answer = app.patch(&format!("/api/v1/opportunities/{deal}"), &t, body).await;
                assert!([200, 404].contains(&answer.status.as_u16()), "{}", answer.body);
            }
            _ => {
                let deal = deals[rng.next(deals.len() as u64) as usize].clone();
                app.call(Method::DELETE, &format!("/api/v1/opportunities/{deal}"), Some(&t), None)
                    .await;
            }
        }
    }
    let last_day = now.date_naive();
    let span = (last_day - first_day).num_days();
    let days: Vec<NaiveDate> = [0, span / 5, span / 3, span / 2, span - 3, span]
        .iter()
        .map(|d| first_day + TimeDelta::days(*d))
        .collect();
    let scope = app.store.load_scope(admin.org_id, admin.user_id).await.unwrap();
    let audiences = [Audience::Org, Audience::Owner(rep.user_id), Audience::Team(team_id)];
    assert!(compare(&app, &scope, &audiences, &days).await > 300);
    assert_eq!(compare_forecasts(&app, &scope, now, team_id).await, 36);

    // A rebuild from scratch stores exactly the cells the writes kept.
    let kept = stored_cells(&app).await;
    assert!(kept.len() > 500, "only {} cells", kept.len());
    app.store.rebuild_rollups(None).await.unwrap();
    assert_eq!(stored_cells(&app).await, kept);
    assert!(app.store.compact_rollups().await.unwrap() == 0, "a rebuild stores no zero cells");

    // Another time zone moves local days: the write marks the rollups stale
    // and a background task rebuilds them.
    let t = app.login("ana@acme.test").await.access_token;
    app.patch("/api/v1/org", &t, json!({"time_zone": "Asia/Tokyo"})).await.expect(200);
    // Until the background rebuild is done, reports read stage history.
    compare(&app, &scope, &[Audience::Org], &days).await;
    compare_forecasts(&app, &scope, now, team_id).await;
    app.store.rebuild_rollups(None).await.unwrap();
    compare(&app, &scope, &[Audience::Org], &days).await;
    compare_forecasts(&app, &scope, now, team_id).await;

    // Another base currency: forecast cells keep close days only for
    // foreign currencies, so the change marks them stale too. USD now
    // converts at one rate before March and another from then on.
    app.patch("/api/v1/org", &t, json!({"base_currency": "EUR"})).await.expect(200);
    for (rate, from) in [("0.90", "2025-01-01"), ("0.95", "2026-03-01")] {
        let body = json!({"currency": "USD", "rate_to_base": rate, "valid_from": from});
        app.post("/api/v1/exchange-rates", &t, body).await.expect(201);
    }
    compare_forecasts(&app, &scope, now, team_id).await;

    // And the reports did read the rollups: without them the answer differs.
    let conn = sea_orm::Database::connect(app.settings.database_url.as_str()).await.unwrap();
    conn.execute_unprepared("DELETE FROM rollup_totals").await.unwrap();
    let q = |source| FunnelQuery {
        source,
        ..FunnelQuery::default()
    };
    let (rolled, _) = app.store.funnel(&scope, &q(Source::Auto)).await.unwrap();
    let (exact, _) = app.store.funnel(&scope, &q(Source::History)).await.unwrap();
    assert_ne!(rolled, exact);
}
