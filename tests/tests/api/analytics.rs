//! Funnel, stage conversion and stalled deals on a small fixture with
//! hand-computed answers.

use std::collections::HashMap;

use glassbox_tests::{Session, TestApp, spawn_app};
use serde_json::{Value, json};

/// Day `d` of the fixture, at 10:00 UTC (day 0 is Mon 2026-01-05).
fn day(d: i64) -> String {
    let start: chrono::DateTime<chrono::Utc> = "2026-01-05T10:00:00Z".parse().unwrap();
    (start + chrono::TimeDelta::days(d)).to_rfc3339()
}

async fn on(app: &TestApp, d: i64) -> Session {
    app.set_now(day(d).parse().unwrap());
    app.login("ana@acme.test").await
}

struct Fixture {
    app: TestApp,
    pipeline: String,
    stage: HashMap<String, String>,
    deal: HashMap<&'static str, String>,
}

impl Fixture {
    async fn moves(&self, d: i64, moves: &[(&str, &str)]) {
        let s = on(&self.app, d).await;
        for (deal, stage) in moves {
            let mut body = json!({"stage_id": self.stage[*stage]});
            if *stage == "Closed Lost" {
                body["loss_reason"] = json!("price");
            }
            let path = format!("/api/v1/opportunities/{}", self.deal[deal]);
            self.app.patch(&path, &s.access_token, body).await.expect(200);
        }
    }
}

/// Five deals on the default pipeline, created on day 0:
/// D1 P→Q(2)→D(5)→W(10); D2 P→D(3, skips Q)→L(6); D3 P→Q(2)→L(5)→Q(8,
/// reopened)→Pr(12); D4 stays in P; D5 created in Q →Pr(4)→W(10).
async fn fixture() -> Fixture {
    let app = spawn_app().await;
    app.set_now(day(0).parse().unwrap());
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let t = &admin.access_token;
    app.patch("/api/v1/org", t, json!({"time_zone": "UTC"})).await.expect(200);
    let p = app.get("/api/v1/pipelines", t).await.expect(200).body["data"][0].clone();
    let stage = app.stage_ids(t).await;
    let mut deal = HashMap::new();
    for (name, amount, first) in [
        ("D1", Some("1000.00"), "Prospecting"),
        ("D2", Some("2000.00"), "Prospecting"),
        ("D3", Some("500.50"), "Prospecting"),
        ("D4", None, "Prospecting"),
        ("D5", Some("300.00"), "Qualification"),
    ] {
        let mut body = json!({"name": name, "currency": "USD", "stage_id": stage[first]});
        if let Some(a) = amount {
            body["amount"] = json!(a);
        }
        let created = app.post("/api/v1/opportunities", t, body).await.expect(201);
        deal.insert(name, created.body["id"].as_str().unwrap().to_owned());
    }
    let f = Fixture {
        app,
        pipeline: p["id"].as_str().unwrap().to_owned(),
        stage,
        deal,
    };
    f.moves(2, &[("D1", "Qualification"), ("D3", "Qualification")]).await;
    f.moves(3, &[("D2", "Demo")]).await;
    f.moves(4, &[("D5", "Proposal")]).await;
    f.moves(5, &[("D1", "Demo"), ("D3", "Closed Lost")]).await;
    f.moves(6, &[("D2", "Closed Lost")]).await;
    f.moves(8, &[("D3", "Qualification")]).await;
    f.moves(10, &[("D1", "Closed Won"), ("D5", "Closed Won")]).await;
    f.moves(12, &[("D3", "Proposal")]).await;
    f
}

fn outcomes(count: u64, won: u64, lost: u64, open: u64, win_rate: Value) -> Value {
    json!({"count": count, "won": won, "lost": lost, "open": open, "win_rate": win_rate})
}

#[tokio::test]
async fn funnel_and_stage_conversion_match_hand_computation_with_skips_and_reopens() {
    let f = fixture().await;
    let s = on(&f.app, 20).await;
    let t = &s.access_token;
    let url = format!("/api/v1/analytics/funnel?pipeline_id={}&from=2026-01-05&to=2026-01-05", f.pipeline);
    let funnel = f.app.get(&url, t).await.expect(200).body;
    assert_eq!(funnel["cohort"], outcomes(5, 2, 1, 2, json!(0.6667)));
    let rows: Vec<Value> = funnel["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            json!([
                s["name"],
                s["reached"],
                s["amount"],
                s["advanced"],
                s["conversion_to_next"],
                s["outcomes"]["won"],
                s["outcomes"]["lost"],
                s["outcomes"]["open"],
                s["outcomes"]["win_rate"],
                s["median_days"]
            ])
        })
        .collect();
    let expected = [
        // Stays in P: D1 2, D2 3, D3 2 days (D4 still there).
        json!(["Prospecting", 4, "3500.50", 3, 0.75, 1, 1, 2, 0.5, 2.0]),
        // D3's two stays count as two; the deal counts once.
        json!(["Qualification", 3, "1800.50", 3, 1.0, 2, 0, 1, 1.0, 3.5]),
        json!(["Demo", 2, "3000.00", 1, 0.5, 1, 1, 0, 0.5, 4.0]),
        json!(["Proposal", 2, "800.50", 1, 0.5, 1, 0, 1, 1.0, 6.0]),
        json!(["Negotiation", 0, "0.00", 0, null, 0, 0, 0, null, null]),
        json!(["Closed Won", 2, "1300.00", 0, null, 2, 0, 0, 1.0, null]),
        // D3 left Closed Lost after 3 days: reopened, open now.
        json!(["Closed Lost", 2, "2500.50", 0, null, 0, 1, 1, 0.0, 3.0]),
    ];
    assert_eq!(rows, expected);
    assert_eq!(funnel["stages"][0]["amounts"], json!([{"currency": "USD", "amount": "3500.50"}]));

    // As it stood at the end of day 7: D1 still in Demo, D3 lost then.
    let then = f.app.get(&format!("{url}&as_of=2026-01-12"), t).await.expect(200).body;
    assert_eq!(then["as_of"], "2026-01-12T23:59:59.999999Z");
    assert_eq!(then["cohort"], outcomes(5, 0, 2, 3, json!(0.0)));
    let reached: Vec<&Value> = then["stages"].as_array().unwrap().iter().map(|s| &s["reached"]).collect();
    assert_eq!(
        reached,
        [&json!(4), &json!(3), &json!(2), &json!(1), &json!(0), &json!(0), &json!(2)]
    );
    assert_eq!(then["stages"][2]["outcomes"], outcomes(2, 0, 1, 1, json!(0.0)));

    let url = format!(
        "/api/v1/analytics/stage-conversion?pipeline_id={}&from=2026-01-01&to=2026-01-31",
        f.pipeline
    );
    let conv = f.app.get(&url, t).await.expect(200).body;
    let shares: Vec<Value> = conv["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            json!([
                s["name"],
                s["outcomes"]["won"],
                s["outcomes"]["lost"],
                s["outcomes"]["open"],
                s["won_share"]
            ])
        })
        .collect();
    assert_eq!(
        shares,
        [
            json!(["Prospecting", 1, 1, 2, 0.25]),
            json!(["Qualification", 2, 0, 1, 0.6667]),
            json!(["Demo", 1, 1, 0, 0.5]),
            json!(["Proposal", 1, 0, 1, 0.5]),
            json!(["Negotiation", 0, 0, 0, null]),
            json!(["Closed Won", 2, 0, 0, 1.0]),
            json!(["Closed Lost", 0, 1, 1, 0.0]),
        ]
    );
    let name: HashMap<&str, &str> = f.stage.iter().map(|(n, id)| (id.as_str(), n.as_str())).collect();
    let moves: Vec<(&str, &str, u64)> = conv["transitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                name[m["from_stage_id"].as_str().unwrap()],
                name[m["to_stage_id"].as_str().unwrap()],
                m["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        moves,
        [
            ("Prospecting", "Qualification", 2),
            ("Prospecting", "Demo", 1),
            ("Qualification", "Demo", 1),
            ("Qualification", "Proposal", 2),
            ("Qualification", "Closed Lost", 1),
            ("Demo", "Closed Won", 1),
            ("Demo", "Closed Lost", 1),
            ("Proposal", "Closed Won", 1),
            ("Closed Lost", "Qualification", 1),
        ]
    );

    // Bad parameters are named.
    for (query, field) in [
        ("pipeline_id=01900000-0000-7000-8000-000000000000", "pipeline_id"),
        ("as_of=yesterday", "as_of"),
        ("from=2026-02-01&to=2026-01-01", "from"),
        (
            "owner_id=01900000-0000-7000-8000-000000000000&team_id=01900000-0000-7000-8000-000000000000",
            "team_id",
        ),
        ("as_of=0001-01-01T00:00:00Z", "as_of"),
        ("from=2026-01-01&from=2026-01-02", "from"),
    ] {
        let bad = f
            .app
            .get(&format!("/api/v1/analytics/funnel?{query}"), t)
            .await
            .expect_problem(422, "validation_failed");
        assert_eq!(bad.error_fields(), [field], "{query}");
    }
    // Echoed input is cut short and control characters are replaced.
    let long = format!("/api/v1/analytics/funnel?from=%01{}", "9".repeat(5000));
    let bad = f.app.get(&long, t).await.expect_problem(422, "validation_failed");
    let message = bad.body["errors"][0]["message"].as_str().unwrap();
    assert!(message.len() < 400 && !message.contains('\u{1}'), "{message}");
    // A later as_of reads now; a waterfall cannot end before it starts.
    let later = f.app.get("/api/v1/analytics/funnel?as_of=2999-01-01", t).await.expect(200).body;
    assert_eq!(later["as_of"], "2026-01-25T10:00:00Z");
    let bad = f
        .app
        .get(
            "/api/v1/analytics/pipeline-changes?from=2026-01-10&to=2026-01-20&as_of=2026-01-05",
            t,
        )
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(bad.error_fields(), ["as_of"]);
}

#[tokio::test]
async fn stalled_deals_follow_rotting_days_or_the_won_p80_at_as_of() {
    let f = fixture().await;
    let s = on(&f.app, 20).await;
    let t = &s.access_token;
    let rotting = format!("/api/v1/pipelines/{}/stages/{}", f.pipeline, f.stage["Prospecting"]);
    f.app.patch(&rotting, t, json!({"rotting_days": 10})).await.expect(200);
    let visit = json!({"type": "visit", "subject": "Visit", "occurred_at": day(3), "opportunity_id": f.deal["D4"]});
    f.app.post("/api/v1/activities", t, visit).await.expect(201);

    let first = f
        .app
        .get("/api/v1/analytics/stalled-opportunities?limit=1", t)
        .await
        .expect(200)
        .body;
    // D4: 20 days in Prospecting, past its 10 rotting days.
    assert_eq!(
        first["data"],
        json!([{"opportunity_id": f.deal["D4"], "name": "D4", "owner_id": s.user_id, "stage_id": f.stage["Prospecting"],
                "stage_entered_at": "2026-01-05T10:00:00Z", "days_in_stage": 20.0, "threshold_days": 10.0,
                "rule": "rotting_days", "last_activity_at": "2026-01-08T10:00:00Z"}])
    );
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = f
        .app
        .get(&format!("/api/v1/analytics/stalled-opportunities?limit=1&cursor={cursor}"), t)
        .await
        .expect(200)
        .body;
    // D3: 8 days in Proposal; the only won deal through Proposal (D5) spent 6.
    let row = &second["data"][0];
    assert_eq!(
        (
            &row["name"],
            &row["days_in_stage"],
            &row["threshold_days"],
            &row["rule"],
            &second["next_cursor"]
        ),
        (&json!("D3"), &json!(8.0), &json!(6.0), &json!("won_p80"), &Value::Null)
    );
    // On day 7 no deal had won yet and D4 had been 7 days in Prospecting: none stalled.
    let then = f
        .app
        .get("/api/v1/analytics/stalled-opportunities?as_of=2026-01-12T10:00:00Z", t)
        .await
        .expect(200)
        .body;
    assert_eq!(then["data"], json!([]));
}

#[tokio::test]
async fn the_waterfall_sorts_every_change_into_one_bar() {
    let app = spawn_app().await;
    app.set_now("2026-01-20T10:00:00Z".parse().unwrap());
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    app.patch("/api/v1/org", &admin.access_token, json!({"time_zone": "UTC"}))
        .await
        .expect(200);
    let stages = app.get("/api/v1/pipelines", &admin.access_token).await.expect(200).body["data"][0]["stages"].clone();
    let stage = |name: &str| stages.as_array().unwrap().iter().find(|s| s["name"] == name).unwrap()["id"].clone();
    let mut id = HashMap::new();
    let create = |name: &'static str, amount: &'static str, close: &'static str| {
        let app = &app;
        async move {
            let s = app.login("ana@acme.test").await;
            let body = json!({"name": name, "amount": amount, "currency": "USD", "close_date": close});
            let created = app.post("/api/v1/opportunities", &s.access_token, body).await.expect(201);
            (name, created.body["id"].as_str().unwrap().to_owned())
        }
    };
    for (name, amount, close) in [
        ("W1", "1000.00", "2026-02-15"),
        ("W2", "800.00", "2026-02-10"),
        ("W3", "300.00", "2026-02-20"),
        ("W4", "400.00", "2026-03-10"),
        ("W5", "700.00", "2026-02-12"),
        ("W6", "250.00", "2026-02-18"),
    ] {
        let (n, i) = create(name, amount, close).await;
        id.insert(n, i);
    }
    let change = |d: &str, deal: &str, body: Value| {
        let (app, path) = (&app, format!("/api/v1/opportunities/{deal}"));
        let now = format!("2026-02-{d}T10:00:00Z");
        async move {
            app.set_now(now.parse().unwrap());
            let s = app.login("ana@acme.test").await;
            app.patch(&path, &s.access_token, body).await.expect(200);
        }
    };
    change("05", &id["W1"], json!({"amount": "1500.00"})).await;
    change("06", &id["W2"], json!({"amount": "600.00"})).await;
    change("07", &id["W3"], json!({"close_date": "2026-03-15"})).await;
    change("08", &id["W4"], json!({"close_date": "2026-02-25"})).await;
    app.set_now("2026-02-10T10:00:00Z".parse().unwrap());
    id.insert("W7", create("W7", "900.00", "2026-02-27").await.1);
    app.set_now("2026-02-11T10:00:00Z".parse().unwrap());
    id.insert("W8", create("W8", "100.00", "2026-02-14").await.1);
    change("12", &id["W5"], json!({"stage_id": stage("Closed Won")})).await;
    change("13", &id["W6"], json!({"stage_id": stage("Closed Lost"), "loss_reason": "price"})).await;
    change("14", &id["W8"], json!({"stage_id": stage("Closed Won")})).await;

    app.set_now("2026-03-02T10:00:00Z".parse().unwrap());
    let s = app.login("ana@acme.test").await;
    let url = "/api/v1/analytics/pipeline-changes?from=2026-02-01&to=2026-02-28";
    let body = app.get(url, &s.access_token).await.expect(200).body;
    // start 1000 + 800 + 300 + 700 + 250; end 1500 + 600 + 400 + 900.
    assert_eq!(
        body["data"],
        json!([{"currency": "USD", "start": "3050.00", "new": "1000.00", "pulled_in": "400.00", "increased": "500.00",
                "decreased": "200.00", "pushed_out": "300.00", "won": "800.00", "lost": "250.00", "end": "3400.00"}])
    );
    // Stopped at the end of 9 February: no deal created, won or lost yet.
    let body = app.get(&format!("{url}&as_of=2026-02-09"), &s.access_token).await.expect(200).body;
    assert_eq!(
        body["data"],
        json!([{"currency": "USD", "start": "3050.00", "new": "0.00", "pulled_in": "400.00", "increased": "500.00",
                "decreased": "200.00", "pushed_out": "300.00", "won": "0.00", "lost": "0.00", "end": "3450.00"}])
    );
}
