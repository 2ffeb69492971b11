use glassbox_tests::{Session, TestApp, spawn_app};
use serde_json::{Value, json};

/// Stage ids of the default pipeline by name.
pub async fn stages(app: &TestApp, s: &Session) -> std::collections::HashMap<String, String> {
    let list = app.get("/api/v1/pipelines", &s.access_token).await.expect(200);
    list.body["data"][0]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|st| (st["name"].as_str().unwrap().to_owned(), st["id"].as_str().unwrap().to_owned()))
        .collect()
}

async fn create(app: &TestApp, s: &Session, body: Value) -> Value {
    app.post("/api/v1/opportunities", &s.access_token, body).await.expect(201).body
}

#[tokio::test]
async fn amounts_are_exact_and_sum_exactly() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    for amount in ["0.10", "0.2", "1234567890.12"] {
        create(&app, &admin, json!({"name": format!("Deal {amount}"), "amount": amount})).await;
    }
    let totals = app.get("/api/v1/opportunities/totals", &admin.access_token).await.expect(200);
    assert_eq!(
        totals.body,
        json!({"data": [{"currency": "USD", "status": "open", "count": 3, "amount": "1234567890.42"}]})
    );
    let list = app.get("/api/v1/opportunities", &admin.access_token).await.expect(200);
    let amounts: Vec<&str> = list.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["amount"].as_str().unwrap())
        .collect();
    assert_eq!(amounts, ["0.10", "0.20", "1234567890.12"]);
    let jpy = create(&app, &admin, json!({"name": "Yen deal", "amount": "500", "currency": "JPY"})).await;
    assert_eq!(jpy["amount"], "500");
}

#[tokio::test]
async fn a_deal_lost_and_reopened_keeps_contiguous_history() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let st = stages(&app, &admin).await;
    let opp = create(
        &app,
        &admin,
        json!({"name": "Big deal", "amount": "1000.00", "close_date": "2017-09-30"}),
    )
    .await;
    assert_eq!(opp["stage_id"], st["Prospecting"].as_str());
    assert_eq!(opp["forecast_category"], "pipeline");
    let path = format!("/api/v1/opportunities/{}", opp["id"].as_str().unwrap());
    let t = |h: i64| (chrono::DateTime::parse_from_rfc3339(glassbox_tests::T0).unwrap() + chrono::Duration::minutes(h)).to_utc();
    app.set_now(t(1));
    app.patch(&path, &admin.access_token, json!({"stage_id": st["Qualification"]}))
        .await
        .expect(200);
    app.set_now(t(2));
    let no_reason = app.patch(&path, &admin.access_token, json!({"stage_id": st["Closed Lost"]})).await;
    assert_eq!(no_reason.expect_problem(422, "validation_failed").error_fields(), ["loss_reason"]);
    let lost = app
        .patch(
            &path,
            &admin.access_token,
            json!({"stage_id": st["Closed Lost"], "loss_reason": "Price"}),
        )
        .await
        .expect(200);
    assert_eq!(lost.body["status"], "lost");
    assert_eq!(lost.body["closed_at"], "2017-06-30T12:02:00Z");
    assert_eq!(lost.body["close_date"], "2017-06-30");
    assert_eq!(lost.body["forecast_category"], "omitted");
    app.set_now(t(3));
    let reopened = app
        .patch(&path, &admin.access_token, json!({"stage_id": st["Proposal"], "amount": "1200.50"}))
        .await
        .expect(200);
    assert_eq!(reopened.body["closed_at"], Value::Null);
    assert_eq!(reopened.body["loss_reason"], Value::Null);
    assert_eq!(reopened.body["status"], "open");
    assert_eq!(reopened.body["stage_entered_at"], "2017-06-30T12:03:00Z");
    assert_eq!(reopened.body["version"], 4);
    let history = app.get(&format!("{path}/stage-history"), &admin.access_token).await.expect(200);
    let rows = history.body["data"].as_array().unwrap();
    let moves: Vec<(Value, Value, Value, Value)> = rows
        .iter()
        .map(|r| {
            (
                r["from_stage_id"].clone(),
                r["to_stage_id"].clone(),
                r["entered_at"].clone(),
                r["exited_at"].clone(),
            )
        })
        .collect();
    assert_eq!(
        moves,
        [
            (
                Value::Null,
                json!(st["Prospecting"]),
                json!("2017-06-30T12:00:00Z"),
                json!("2017-06-30T12:01:00Z")
            ),
            (
                json!(st["Prospecting"]),
                json!(st["Qualification"]),
                json!("2017-06-30T12:01:00Z"),
                json!("2017-06-30T12:02:00Z")
            ),
            (
                json!(st["Qualification"]),
                json!(st["Closed Lost"]),
                json!("2017-06-30T12:02:00Z"),
                json!("2017-06-30T12:03:00Z")
            ),
            (
                json!(st["Closed Lost"]),
                json!(st["Proposal"]),
                json!("2017-06-30T12:03:00Z"),
                Value::Null
            ),
        ]
    );
    let fields = app.get(&format!("{path}/history"), &admin.access_token).await.expect(200);
    let changes: Vec<(String, Value, Value)> = fields.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["field"].as_str().unwrap().to_owned(),
                r["old_value"].clone(),
                r["new_value"].clone(),
            )
        })
        .collect();
    assert_eq!(
        changes,
        [
            ("stage_id".into(), json!(st["Prospecting"]), json!(st["Qualification"])),
            ("stage_id".into(), json!(st["Qualification"]), json!(st["Closed Lost"])),
            ("close_date".into(), json!("2017-09-30"), json!("2017-06-30")),
            ("forecast_category".into(), json!("pipeline"), json!("omitted")),
            ("stage_id".into(), json!(st["Closed Lost"]), json!(st["Proposal"])),
            ("amount".into(), json!("1000.00"), json!("1200.50")),
            ("forecast_category".into(), json!("omitted"), json!("best_case")),
        ]
    );
}

#[tokio::test]
async fn stage_gates_name_the_missing_fields() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let pipelines = app.get("/api/v1/pipelines", &admin.access_token).await.expect(200);
    let pipeline = pipelines.body["data"][0]["id"].as_str().unwrap().to_owned();
    let st = stages(&app, &admin).await;
    let gate = format!("/api/v1/pipelines/{pipeline}/stages/{}", st["Proposal"]);
    app.patch(&gate, &admin.access_token, json!({"required_fields": ["close_date", "next_step"]}))
        .await
        .expect(200);
    let opp = create(&app, &admin, json!({"name": "Gated"})).await;
    let path = format!("/api/v1/opportunities/{}", opp["id"].as_str().unwrap());
    let refused = app.patch(&path, &admin.access_token, json!({"stage_id": st["Proposal"]})).await;
    let refused = refused.expect_problem(422, "validation_failed");
    assert_eq!(refused.error_fields(), ["close_date", "next_step"]);
    assert_eq!(refused.body["errors"][0]["code"], "required_by_stage");
    let unchanged = app.get(&path, &admin.access_token).await.expect(200);
    assert_eq!(unchanged.body["version"], 1);
    let ok = json!({"stage_id": st["Proposal"], "close_date": "2017-08-01", "next_step": "Send quote"});
    app.patch(&path, &admin.access_token, ok).await.expect(200);
}

#[tokio::test]
async fn bad_input_names_the_field_and_writes_nothing() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let other = app.bootstrap("Other", "olga@other.test").await;
    let cases = [
        (json!({"name": "😀".repeat(256)}), "name"),
        (json!({"name": "X", "currency": "XYZ"}), "currency"),
        (json!({"name": "X", "close_date": "2017-02-30"}), "close_date"),
        (json!({"name": "X", "close_date": "26-01-01"}), "close_date"),
        (json!({"name": "X", "close_date": "2026-1-1"}), "close_date"),
        (json!({"name": "X", "close_date": "+10000-01-01"}), "close_date"),
        (json!({"name": "X", "close_date": "0000-01-01"}), "close_date"),
        (json!({"name": "X", "amount": "1e3"}), "amount"),
        (json!({"name": "X", "amount": "12.345"}), "amount"),
        (json!({"name": "X", "amount": 12.5}), "amount"),
        (json!({"name": "X", "owner_id": other.user_id}), "owner_id"),
        (json!({"name": "X", "stage_id": "01900000-0000-7000-8000-000000000000"}), "stage_id"),
    ];
    for (body, field) in cases {
        let answer = app.post("/api/v1/opportunities", &admin.access_token, body.clone()).await;
        let answer = answer.expect_problem(422, "validation_failed");
        assert_eq!(answer.error_fields(), [field], "{body}");
    }
    let ok = create(&app, &admin, json!({"name": "😀".repeat(255)})).await;
    assert_eq!(ok["name"].as_str().unwrap().chars().count(), 255);
    let other_stages = stages(&app, &other).await;
    let path = format!("/api/v1/opportunities/{}", ok["id"].as_str().unwrap());
    let foreign = app
        .patch(&path, &admin.access_token, json!({"stage_id": other_stages["Demo"]}))
        .await;
    assert_eq!(foreign.expect_problem(422, "validation_failed").error_fields(), ["stage_id"]);
    app.get(&path, &other.access_token).await.expect_problem(404, "not_found");
    let currency_only = app.patch(&path, &admin.access_token, json!({"currency": "EUR"})).await;
    assert_eq!(currency_only.expect_problem(422, "validation_failed").error_fields(), ["amount"]);
    let list = app.get("/api/v1/opportunities", &admin.access_token).await.expect(200);
    assert_eq!(list.body["data"].as_array().unwrap().len(), 1);
}

/// A viewer reads everything and writes nothing; marketing neither reads
/// nor writes deals (aggregates only).
#[tokio::test]
async fn viewers_and_marketing_cannot_write_sales_records() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let opp = create(&app, &admin, json!({"name": "Deal"})).await;
    let path = format!("/api/v1/opportunities/{}", opp["id"].as_str().unwrap());
    for role in ["viewer", "marketing"] {
        let user = app.user(&admin, &format!("{role}@acme.test"), role, &[]).await;
        let read = app.get(&path, &user.access_token).await;
        if role == "viewer" {
            read.expect(200);
        } else {
            read.expect_problem(404, "not_found");
        }
        app.post("/api/v1/opportunities", &user.access_token, json!({"name": "x"}))
            .await
            .expect_problem(403, "forbidden");
        // Outside marketing's view a write is refused as not found.
        let (status, code) = if role == "viewer" { (403, "forbidden") } else { (404, "not_found") };
        app.patch(&path, &user.access_token, json!({"name": "x"}))
            .await
            .expect_problem(status, code);
        app.post("/api/v1/accounts", &user.access_token, json!({"name": "x"}))
            .await
            .expect_problem(403, "forbidden");
        let activity = json!({"type": "call", "subject": "x", "occurred_at": "2017-06-30T10:00:00Z", "opportunity_id": opp["id"]});
        app.post("/api/v1/activities", &user.access_token, activity)
            .await
            .expect_problem(403, "forbidden");
    }
    let unchanged = app.get(&path, &admin.access_token).await.expect(200);
    assert_eq!(unchanged.body["name"], "Deal");
}

/// Twenty moves racing on one deal: every move is recorded, the history is
/// one chain in time order, and exactly one row is open.
#[tokio::test]
async fn concurrent_stage_moves_keep_one_contiguous_chain() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let st = stages(&app, &admin).await;
    let opp = create(&app, &admin, json!({"name": "Contested"})).await;
    let path = format!("/api/v1/opportunities/{}", opp["id"].as_str().unwrap());
    let cycle = ["Qualification", "Demo", "Proposal", "Negotiation"];
    app.set_now("2017-06-30T12:00:00Z".parse().unwrap());
    let moves = (0..20).map(|i| app.patch(&path, &admin.access_token, json!({"stage_id": st[cycle[i % 4]]})));
    for answer in futures_util::future::join_all(moves).await {
        answer.expect(200);
    }
    let history = app.get(&format!("{path}/stage-history"), &admin.access_token).await.expect(200);
    let rows = history.body["data"].as_array().unwrap();
    assert!(rows.len() >= 2);
    assert_eq!(rows.iter().filter(|r| r["exited_at"].is_null()).count(), 1);
    for pair in rows.windows(2) {
        assert_eq!(pair[0]["to_stage_id"], pair[1]["from_stage_id"]);
        assert_eq!(pair[0]["exited_at"], pair[1]["entered_at"]);
    }
    let current = app.get(&path, &admin.access_token).await.expect(200);
    assert_eq!(rows.last().unwrap()["to_stage_id"], current.body["stage_id"]);
}
