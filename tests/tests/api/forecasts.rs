//! Forecasts of a fiscal period against quotas, on a fixture with
//! hand-computed answers (fiscal year from April, Tokyo time, EUR at 1.10).

use std::collections::HashMap;

use glassbox_tests::{Session, TestApp, spawn_app};
use serde_json::{Value, json};

struct Fixture {
    app: TestApp,
    admin: Session,
    rep_a: String,
    rep_b: String,
    sales: String,
    east: String,
}

async fn fixture() -> Fixture {
    let app = spawn_app().await;
    app.set_now("2017-06-01T00:00:00Z".parse().unwrap());
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let t = admin.access_token.clone();
    app.patch("/api/v1/org", &t, json!({"fiscal_year_start_month": 4, "time_zone": "Asia/Tokyo"}))
        .await
        .expect(200);
    let sales = app
        .post("/api/v1/teams", &t, json!({"name": "Sales", "kind": "sales"}))
        .await
        .expect(201)
        .body;
    let sales = sales["id"].as_str().unwrap().to_owned();
    let east = json!({"name": "East", "kind": "sales", "parent_team_id": sales});
    let east = app.post("/api/v1/teams", &t, east).await.expect(201).body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let rep_a = app
        .user(&admin, "alice@acme.test", "rep", &[east.parse().unwrap()])
        .await
        .user_id
        .to_string();
    let rep_b = app
        .user(&admin, "bob@acme.test", "rep", &[sales.parse().unwrap()])
        .await
        .user_id
        .to_string();
    let t = app.login("ana@acme.test").await.access_token;
    app.post(
        "/api/v1/exchange-rates",
        &t,
        json!({"currency": "EUR", "rate_to_base": "1.10", "valid_from": "2017-01-01"}),
    )
    .await
    .expect(201);
    for (who, amount) in [(&rep_a, "4000.00"), (&rep_b, "1000.00")] {
        app.post("/api/v1/quotas", &t, json!({"user_id": who, "period": "2017-Q1", "amount": amount}))
            .await
            .expect(201);
    }
    app.post(
        "/api/v1/quotas",
        &t,
        json!({"team_id": sales, "period": "2017-Q1", "amount": "10000.00"}),
    )
    .await
    .expect(201);
    Fixture {
        app,
        admin,
        rep_a,
        rep_b,
        sales,
        east,
    }
}

/// A new opportunity's body.
fn deal_body(stage: &HashMap<String, String>, owner: &str, amount: &str, currency: &str, st: &str, category: &str, close: &str) -> Value {
    json!({"name": format!("{owner} {amount}"), "owner_id": owner, "amount": amount, "currency": currency,
           "stage_id": stage[st], "forecast_category": category, "close_date": close})
}

#[tokio::test]
async fn forecast_rolls_up_categories_weighted_quota_and_teams_exactly() {
    let f = fixture().await;
    let app = &f.app;
    let t = app.login("ana@acme.test").await.access_token;
    let stage = app.stage_ids(&t).await;
    let deal = |owner: &str, amount: &str, currency: &str, st: &str, category: &str, close: &str| {
        deal_body(&stage, owner, amount, currency, st, category, close)
    };
    for body in [
        deal(&f.rep_a, "500.00", "EUR", "Negotiation", "commit", "2017-06-15"),
        deal(&f.rep_b, "300.00", "USD", "Proposal", "best_case", "2017-05-10"),
        deal(&f.rep_b, "200.00", "USD", "Qualification", "pipeline", "2017-06-30"),
        deal(&f.rep_a, "100.00", "USD", "Negotiation", "commit", "2017-07-01"),
        deal(&f.rep_a, "50.00", "GBP", "Demo", "pipeline", "2017-06-01"),
        deal(&f.rep_a, "333.33", "USD", "Demo", "omitted", "2017-06-20"),
    ] {
        app.post("/api/v1/opportunities", &t, body).await.expect(201);
    }
    let w1 = app
        .post(
            "/api/v1/opportunities",
            &t,
            deal(&f.rep_a, "1000.00", "USD", "Negotiation", "commit", "2017-06-30"),
        )
        .await
        .expect(201)
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let w2 = app
        .post(
            "/api/v1/opportunities",
            &t,
            deal(&f.rep_b, "2000.00", "USD", "Negotiation", "commit", "2017-06-30"),
        )
        .await
        .expect(201)
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Won at 23:30 and at 00:30 Tokyo time.
    let t = app.login_at("2017-06-30T14:30:00Z", "ana@acme.test").await;
    app.patch(&format!("/api/v1/opportunities/{w1}"), &t, json!({"stage_id": stage["Closed Won"]}))
        .await
        .expect(200);
    let t = app.login_at("2017-06-30T15:30:00Z", "ana@acme.test").await;
    app.patch(&format!("/api/v1/opportunities/{w2}"), &t, json!({"stage_id": stage["Closed Won"]}))
        .await
        .expect(200);
    let t = app.login_at("2017-07-05T00:00:00Z", "ana@acme.test").await;

    let get = |url: String| {
        let t = t.clone();
        async move { app.get(&url, &t).await.expect(200).body }
    };
    let row = |r: &Value| {
        json!([
            r["closed_won"],
            r["commit"],
            r["best_case"],
            r["pipeline"],
            r["weighted"],
            r["quota"],
            r["attainment"],
            r["gap_to_quota"]
        ])
    };
    let org = get("/api/v1/forecasts?period=2017-Q1".into()).await;
    assert_eq!(
        (&org["first_day"], &org["last_day"], &org["currency"]),
        (&json!("2017-04-01"), &json!("2017-06-30"), &json!("USD"))
    );
    assert_eq!(org["missing_rates"], json!(["GBP"]));
    // Weighted: (550.00 × 80 + 333.33 × 40 + 300 × 60 + 200 × 20) % = 793.332 → 793.33.
    assert_eq!(
        row(&org["rows"][0]),
        json!(["1000.00", "1550.00", "1850.00", "1050.00", "793.33", "5000.00", 0.2, "4000.00"])
    );

    let owners = get("/api/v1/forecasts?period=2017-Q1&group_by=owner".into()).await;
    let by_owner: HashMap<String, Value> = owners["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["owner_id"].as_str().unwrap().to_owned(), row(r)))
        .collect();
    assert_eq!(by_owner.len(), 2);
    assert_eq!(
        by_owner[&f.rep_a],
        json!(["1000.00", "1550.00", "1550.00", "550.00", "573.33", "4000.00", 0.25, "3000.00"])
    );
    assert_eq!(
        by_owner[&f.rep_b],
        json!(["0.00", "0.00", "300.00", "500.00", "220.00", "1000.00", 0.0, "1000.00"])
    );

    // Teams roll up: East has no quota of its own (its members' sum).
    let teams = get("/api/v1/forecasts?period=2017-Q1&group_by=team".into()).await;
    let by_team: HashMap<String, Value> = teams["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["team_id"].as_str().unwrap().to_owned(), row(r)))
        .collect();
    assert_eq!(by_team[&f.east], by_owner[&f.rep_a]);
    assert_eq!(
        by_team[&f.sales],
        json!(["1000.00", "1550.00", "1850.00", "1050.00", "793.33", "10000.00", 0.1, "9000.00"])
    );
    let east_only = get(format!("/api/v1/forecasts?period=2017-Q1&team_id={}", f.east)).await;
    assert_eq!(row(&east_only["rows"][0]), by_owner[&f.rep_a]);

    // Read now, the current rows give what history gives at this instant.
    for grouping in ["org", "owner", "team"] {
        let fast = get(format!("/api/v1/forecasts?period=2017-Q1&group_by={grouping}")).await;
        let replayed = get(format!(
            "/api/v1/forecasts?period=2017-Q1&group_by={grouping}&as_of=2017-07-05T00:00:00Z"
        ))
        .await;
        assert_eq!(fast, replayed, "{grouping}");
    }

    // The deal won at 00:30 on 1 July in Tokyo is Q2's.
    let q2 = get("/api/v1/forecasts?period=2017-Q2".into()).await;
    assert_eq!(
        row(&q2["rows"][0]),
        json!(["2000.00", "2100.00", "2100.00", "100.00", "80.00", null, null, null])
    );

    // As it stood before either win: both open commits closing on 30 June.
    let before = get("/api/v1/forecasts?period=2017-Q1&group_by=owner&as_of=2017-06-30T14:00:00Z".into()).await;
    assert_eq!(before["as_of"], "2017-06-30T14:00:00Z");
    let rows: HashMap<String, Value> = before["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["owner_id"].as_str().unwrap().to_owned(), row(r)))
        .collect();
    assert_eq!(
        rows[&f.rep_a],
        json!(["0.00", "1550.00", "1550.00", "1550.00", "1373.33", "4000.00", 0.0, "4000.00"])
    );
    assert_eq!(
        rows[&f.rep_b],
        json!(["0.00", "2000.00", "2300.00", "2500.00", "1820.00", "1000.00", 0.0, "1000.00"])
    );

    // Bad parameters are named.
    let bad = app
        .get("/api/v1/forecasts?period=2017-Q9&group_by=region", &t)
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(bad.error_fields(), ["period", "group_by"]);

    // A manager's adjustments: history kept, the newest in force, shown
    // beside the computed value.
    for (amount, note) in [("2000.00", "renewal likely"), ("1800.00", "trimmed after the call")] {
        let body = json!({"user_id": f.rep_a, "period": "2017-Q1", "category": "commit", "amount": amount, "note": note});
        app.post("/api/v1/forecast-adjustments", &t, body).await.expect(201);
    }
    let team = json!({"team_id": f.east, "period": "2017-Q1", "category": "best_case", "amount": "2500.00", "note": "east push"});
    app.post("/api/v1/forecast-adjustments", &t, team).await.expect(201);
    let adjusted = get("/api/v1/forecasts?period=2017-Q1&group_by=owner".into()).await;
    let pick = |rows: &Value, key: &str, id: &str| -> (Value, Value, Value) {
        let r = rows["rows"].as_array().unwrap().iter().find(|r| r[key] == id).unwrap().clone();
        (r["commit"].clone(), r["adjusted_commit"].clone(), r["adjusted_best_case"].clone())
    };
    assert_eq!(
        pick(&adjusted, "owner_id", &f.rep_a),
        (json!("1550.00"), json!("1800.00"), Value::Null)
    );
    assert_eq!(pick(&adjusted, "owner_id", &f.rep_b), (json!("0.00"), Value::Null, Value::Null));
    let teams = get("/api/v1/forecasts?period=2017-Q1&group_by=team".into()).await;
    assert_eq!(pick(&teams, "team_id", &f.east), (json!("1550.00"), Value::Null, json!("2500.00")));
    let history = get(format!("/api/v1/forecast-adjustments?period=2017-Q1&user_id={}", f.rep_a)).await;
    let notes: Vec<(Value, Value)> = history["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["amount"].clone(), a["note"].clone()))
        .collect();
    assert_eq!(
        notes,
        [
            (json!("1800.00"), json!("trimmed after the call")),
            (json!("2000.00"), json!("renewal likely"))
        ]
    );
    assert_eq!(history["data"][0]["author_id"], json!(f.admin.user_id));
    let rep = app.login("alice@acme.test").await.access_token;
    let body = json!({"user_id": f.rep_a, "period": "2017-Q1", "category": "commit", "amount": "9.00", "note": "mine"});
    app.post("/api/v1/forecast-adjustments", &rep, body)
        .await
        .expect_problem(403, "forbidden");
    let bad = json!({"user_id": f.rep_a, "period": "2017-Q1", "category": "worst_case", "amount": "1", "note": " "});
    let bad = app
        .post("/api/v1/forecast-adjustments", &t, bad)
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(bad.error_fields(), ["category", "note"]);
}

/// What an adversarial review found: team rows drew deals outside the
/// caller's reach, a leaver's emptied cells made a zero row, an ended
/// period still expected open deals to win, large amounts overflowed the
/// kept sums of squares, a team quota without a rate fell back to its
/// members' sum, and managers planned for users and teams outside their
/// reach.
#[tokio::test]
async fn reach_zero_cells_ended_periods_large_amounts_quotas_and_planning_outside_reach() {
    let f = fixture().await;
    let app = &f.app;
    let t = app.login("ana@acme.test").await.access_token;
    let stage = app.stage_ids(&t).await;
    let deal = |owner: &str, amount: &str, st: &str, close: &str| deal_body(&stage, owner, amount, "USD", st, "commit", close);
    app.post("/api/v1/opportunities", &t, deal(&f.rep_a, "1000.00", "Negotiation", "2017-06-15"))
        .await
        .expect(201);
    app.post("/api/v1/opportunities", &t, deal(&f.rep_b, "3000.00", "Proposal", "2017-06-20"))
        .await
        .expect(201);
    let carol = app.user(&f.admin, "carol@acme.test", "rep", &[]).await.user_id.to_string();
    let gone = app
        .post("/api/v1/opportunities", &t, deal(&carol, "5.00", "Proposal", "2017-05-20"))
        .await
        .expect(201)
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.delete(&format!("/api/v1/opportunities/{gone}"), &t).await.expect(204);
    let now = "2017-06-01T00:00:00Z";
    let both = |token: String, query: String| async move {
        let fast = app.get(&format!("/api/v1/forecasts?{query}"), &token).await.expect(200).body;
        let replayed = app
            .get(&format!("/api/v1/forecasts?{query}&as_of={now}"), &token)
            .await
            .expect(200)
            .body;
        assert_eq!(fast, replayed, "{query}");
        fast
    };
    let model_part = |r: &Value| json!([r["pipeline"], r["expected"], r["expected_new"], r["p10"], r["p50"], r["p90"]]);

    // Alice (rep, East ⊂ Sales) sees only her deal in every team row.
    let alice = app.login("alice@acme.test").await.access_token;
    let own = both(alice.clone(), "period=2017-Q1&group_by=owner".into()).await;
    let teams = both(alice, "period=2017-Q1&group_by=team".into()).await;
    assert_eq!(own["rows"].as_array().unwrap().len(), 1);
    assert_eq!(own["rows"][0]["pipeline"], "1000.00");
    for row in teams["rows"].as_array().unwrap() {
        assert_eq!(model_part(row), model_part(&own["rows"][0]), "team {}", row["team_id"]);
    }

    // Carol's only deal is deleted: no row for her.
    let owners = both(t.clone(), "period=2017-Q1&group_by=owner".into()).await;
    let ids: Vec<&str> = owners["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["owner_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 2);
    assert!(!ids.contains(&carol.as_str()));

    // 2016-Q4 (January–March 2017) has ended: open deals cannot win in it.
    let ended = both(t.clone(), "period=2016-Q4".into()).await;
    assert_eq!(model_part(&ended["total"]), json!(["0.00", "0.00", "0.00", "0.00", "0.00", "0.00"]));

    // An East quota in yen without a yen rate: no quota, and JPY reported.
    let body = json!({"team_id": f.east, "period": "2017-Q1", "amount": "1000000", "currency": "JPY"});
    app.post("/api/v1/quotas", &t, body).await.expect(201);
    let teams = both(t.clone(), "period=2017-Q1&group_by=team".into()).await;
    let east = teams["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["team_id"] == f.east.as_str())
        .unwrap();
    assert_eq!((&east["quota"], &teams["missing_rates"]), (&Value::Null, &json!(["JPY"])));

    // Mia manages East: she plans for Alice and East, not for Bob or Sales.
    let mia = app.user(&f.admin, "mia@acme.test", "manager", &[f.east.parse().unwrap()]).await;
    let mia = mia.access_token;
    let quota = |target: &str, id: &str| json!({target: id, "period": "2017-Q2", "amount": "10.00"});
    app.post("/api/v1/quotas", &mia, quota("user_id", &f.rep_a)).await.expect(201);
    app.post("/api/v1/quotas", &mia, quota("team_id", &f.east)).await.expect(201);
    for (target, id) in [("user_id", &f.rep_b), ("team_id", &f.sales)] {
        let refused = app
            .post("/api/v1/quotas", &mia, quota(target, id))
            .await
            .expect_problem(422, "validation_failed");
        assert_eq!(
            (refused.error_fields(), &refused.body["errors"][0]["code"]),
            (vec![target.to_owned()], &json!("outside_reach"))
        );
        let adjustment = json!({target: id, "period": "2017-Q2", "category": "commit", "amount": "1.00", "note": "mine"});
        app.post("/api/v1/forecast-adjustments", &mia, adjustment)
            .await
            .expect_problem(422, "validation_failed");
    }
    let bobs = app.post("/api/v1/quotas", &t, quota("user_id", &f.rep_b)).await.expect(201).body;
    let path = format!("/api/v1/quotas/{}", bobs["id"].as_str().unwrap());
    app.delete(&path, &mia).await.expect_problem(422, "validation_failed");
    app.delete(&path, &t).await.expect(204);

    // Two deals at the largest amount in one cell: Σ amount² = 2 × 10^30.
    for _ in 0..2 {
        let body = deal(&f.rep_b, "9999999999999.99", "Proposal", "2017-06-20");
        app.post("/api/v1/opportunities", &t, body).await.expect(201);
    }
    let big = both(t.clone(), "period=2017-Q1".into()).await;
    assert_eq!(big["total"]["pipeline"], "20000000003999.98");
}
