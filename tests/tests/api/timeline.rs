//! `GET /api/v1/accounts/{id}/timeline`.

use glassbox_tests::{Session, TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

async fn at(app: &TestApp, now: &str) -> Session {
    app.set_now(now.parse().unwrap());
    app.login("ana@acme.test").await
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn an_account_timeline_merges_its_records_newest_first_across_pages() {
    let app = spawn_app().await;
    app.set_now("2026-03-02T10:00:00Z".parse().unwrap());
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let t = &admin.access_token;
    let team = app
        .post("/api/v1/teams", t, json!({"name": "Presales", "kind": "presales"}))
        .await
        .expect(201);
    let (initech, other) = (
        id(&app.post("/api/v1/accounts", t, json!({"name": "Initech"})).await.expect(201).body),
        id(&app.post("/api/v1/accounts", t, json!({"name": "Hooli"})).await.expect(201).body),
    );
    let stages = app.get("/api/v1/pipelines", t).await.expect(200).body["data"][0]["stages"].clone();
    let proposal = stages.as_array().unwrap().iter().find(|s| s["name"] == "Proposal").unwrap()["id"].clone();

    let s = at(&app, "2026-03-02T10:01:00Z").await;
    let deal = id(&app
        .post(
            "/api/v1/opportunities",
            &s.access_token,
            json!({"name": "Fleet", "account_id": initech}),
        )
        .await
        .expect(201)
        .body);
    let s = at(&app, "2026-03-02T10:02:00Z").await;
    let elsewhere = json!({"name": "Other", "account_id": other});
    let elsewhere = id(&app.post("/api/v1/opportunities", &s.access_token, elsewhere).await.expect(201).body);
    let s = at(&app, "2026-03-02T10:03:00Z").await;
    app.patch(
        &format!("/api/v1/opportunities/{deal}"),
        &s.access_token,
        json!({"stage_id": proposal}),
    )
    .await
    .expect(200);
    let history = app
        .get(&format!("/api/v1/opportunities/{deal}/stage-history"), &s.access_token)
        .await
        .expect(200)
        .body;
    let moved = id(&history["data"][1]);
    let s = at(&app, "2026-03-02T10:04:00Z").await;
    let log = |body: Value| {
        let token = s.access_token.clone();
        let app = &app;
        async move { id(&app.post("/api/v1/activities", &token, body).await.expect(201).body) }
    };
    // Logged now, happened earlier: it sorts by when it happened.
    let visit = log(json!({"type": "visit", "subject": "Site visit", "occurred_at": "2026-03-02T09:30:00Z", "account_id": initech})).await;
    let call = log(json!({"type": "call", "subject": "Call", "occurred_at": "2026-03-02T10:05:00Z", "opportunity_id": deal})).await;
    let planned = log(json!({"type": "demo", "subject": "Demo", "due_at": "2026-03-10T09:00:00Z", "account_id": initech})).await;
    log(json!({"type": "call", "subject": "Other", "occurred_at": "2026-03-02T10:05:00Z", "account_id": other})).await;
    log(json!({"type": "call", "subject": "Elsewhere", "occurred_at": "2026-03-02T10:05:00Z", "opportunity_id": elsewhere})).await;
    let gone = log(json!({"type": "note", "subject": "Oops", "occurred_at": "2026-03-02T10:05:30Z", "account_id": initech})).await;
    app.call(Method::DELETE, &format!("/api/v1/activities/{gone}"), Some(&s.access_token), None)
        .await
        .expect(204);
    let s = at(&app, "2026-03-02T10:06:00Z").await;
    let task = json!({"opportunity_id": deal, "task_type": "demo", "title": "Demo please", "assignee_team_id": team.body["id"]});
    let task = id(&app.post("/api/v1/handoff-tasks", &s.access_token, task).await.expect(201).body);

    let path = format!("/api/v1/accounts/{initech}/timeline");
    let first = app.get(&format!("{path}?limit=4"), &s.access_token).await.expect(200).body;
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = app
        .get(&format!("{path}?limit=4&cursor={cursor}"), &s.access_token)
        .await
        .expect(200)
        .body;
    assert_eq!(second["next_cursor"], Value::Null);
    let entries: Vec<(String, String, String)> = [&first, &second]
        .iter()
        .flat_map(|p| p["data"].as_array().unwrap().clone())
        .map(|e| (e["at"].as_str().unwrap().to_owned(), e["kind"].as_str().unwrap().to_owned(), id(&e)))
        .collect();
    let expected = [
        ("2026-03-10T09:00:00Z", "activity", &planned),
        ("2026-03-02T10:06:00Z", "handoff_task", &task),
        ("2026-03-02T10:05:00Z", "activity", &call),
        ("2026-03-02T10:03:00Z", "stage_change", &moved),
        ("2026-03-02T10:01:00Z", "opportunity", &deal),
        ("2026-03-02T09:30:00Z", "activity", &visit),
    ]
    .map(|(at, kind, id)| (at.to_owned(), kind.to_owned(), id.clone()));
    assert_eq!(entries, expected);
    // Each entry carries its record and the deal it concerns.
    let data = first["data"].as_array().unwrap();
    assert_eq!(
        (
            &data[1]["handoff_task"]["title"],
            &data[1]["opportunity_id"],
            &data[2]["activity"]["subject"]
        ),
        (&json!("Demo please"), &json!(deal), &json!("Call"))
    );
    assert_eq!(data[3]["stage_change"]["to_stage_id"], proposal);
    assert_eq!(second["data"][0]["opportunity"]["name"], "Fleet");

    // Unknown or other accounts' ids are 404; a forged cursor is named.
    let missing = format!("/api/v1/accounts/{deal}/timeline");
    app.get(&missing, &s.access_token).await.expect_problem(404, "not_found");
    let bad = app
        .get(&format!("{path}?cursor=bm9wZQ"), &s.access_token)
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(bad.error_fields(), ["cursor"]);
}
