//! `POST /api/v1/activities/batch`: per-item answers, conflicts, replays.

use glassbox_tests::{Answer, TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

fn id(n: u32) -> String {
    format!("01900000-0000-7000-8000-{n:012}")
}

async fn batch(app: &TestApp, token: &str, key: Option<&str>, items: Vec<Value>) -> Answer {
    let mut req = app
        .client
        .post(format!("{}/api/v1/activities/batch", app.address))
        .bearer_auth(token)
        .json(&json!({"items": items}));
    if let Some(k) = key {
        req = req.header("Idempotency-Key", k);
    }
    TestApp::answer(req.send().await.unwrap()).await
}

async fn count(app: &TestApp, token: &str) -> usize {
    crate::import::all(app, token, "/api/v1/activities").await.len()
}

#[tokio::test]
async fn each_item_is_answered_on_its_own_and_in_order() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let t = &admin.access_token;
    let account = app.post("/api/v1/accounts", t, json!({"name": "Initech"})).await.expect(201).body["id"].clone();
    let visit = |n: u32, subject: &str| json!({"id": id(n), "type": "visit", "subject": subject, "occurred_at": "2017-06-29T09:00:00Z", "account_id": account});
    let first = batch(
        &app,
        t,
        None,
        vec![
            visit(1, "Site visit"),
            json!({"id": id(2), "type": "call", "account_id": account}),
            json!({"id": id(3), "type": "call", "subject": "Ghost", "occurred_at": "2017-06-29T09:00:00Z", "account_id": id(999)}),
            visit(1, "Again"),
            json!("not an object"),
            visit(4, "To delete"),
        ],
    )
    .await
    .expect(200)
    .body;
    let summary: Vec<(Value, Value)> = first["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["id"].clone(), r["status"].clone()))
        .collect();
    assert_eq!(
        summary,
        [
            (json!(id(1)), json!("created")),
            (json!(id(2)), json!("invalid")),
            (json!(id(3)), json!("invalid")),
            (json!(id(1)), json!("invalid")),
            (Value::Null, json!("invalid")),
            (json!(id(4)), json!("created")),
        ]
    );
    let field = |i: usize| first["results"][i]["problem"]["errors"][0]["field"].clone();
    assert_eq!((field(1), field(2), field(3)), (json!("subject"), json!("account_id"), json!("id")));
    assert_eq!(count(&app, t).await, 2);

    app.call(Method::DELETE, &format!("/api/v1/activities/{}", id(4)), Some(t), None)
        .await
        .expect(204);
    let mut stale = visit(1, "Edited offline");
    stale["version"] = json!(1);
    let second = batch(&app, t, None, vec![visit(1, "Site visit"), visit(1, "Corrected")])
        .await
        .expect(200)
        .body;
    assert_eq!(
        (&second["results"][0]["status"], &second["results"][1]["status"]),
        (&json!("unchanged"), &json!("invalid"))
    );
    let third = batch(&app, t, None, vec![visit(1, "Corrected"), visit(4, "Revived?")])
        .await
        .expect(200)
        .body;
    assert_eq!(
        (&third["results"][0]["status"], &third["results"][0]["version"]),
        (&json!("updated"), &json!(2))
    );
    assert_eq!(
        (&third["results"][1]["status"], &third["results"][1]["activity"]),
        (&json!("conflict"), &Value::Null)
    );
    // A stale version loses and sees the server's record.
    let fourth = batch(&app, t, None, vec![stale]).await.expect(200).body;
    let r = &fourth["results"][0];
    assert_eq!(
        (&r["status"], &r["version"], &r["activity"]["subject"]),
        (&json!("conflict"), &json!(2), &json!("Corrected"))
    );
    assert_eq!(count(&app, t).await, 1);
}

#[tokio::test]
async fn a_replayed_500_item_batch_writes_nothing_and_501_items_are_refused() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let t = &admin.access_token;
    let account = app.post("/api/v1/accounts", t, json!({"name": "Initech"})).await.expect(201).body["id"].clone();
    let items: Vec<Value> = (1..=500)
        .map(|n| json!({"id": id(n), "type": "call", "subject": format!("Call {n}"), "occurred_at": "2017-06-29T09:00:00Z", "account_id": account}))
        .collect();
    let first = batch(&app, t, Some("sync-1"), items.clone()).await.expect(200);
    assert!(first.body["results"].as_array().unwrap().iter().all(|r| r["status"] == "created"));
    let replay = batch(&app, t, Some("sync-1"), items.clone()).await.expect(200);
    assert_eq!(replay.header("idempotent-replayed"), Some("true"));
    assert_eq!(replay.body, first.body);
    assert_eq!(count(&app, t).await, 500);
    // Without the key the same batch is answered "unchanged", still without writes.
    let again = batch(&app, t, None, items.clone()).await.expect(200);
    assert!(again.body["results"].as_array().unwrap().iter().all(|r| r["status"] == "unchanged"));
    // The key with another body is refused.
    batch(&app, t, Some("sync-1"), items[..10].to_vec())
        .await
        .expect_problem(422, "validation_failed");
    let mut too_many = items;
    too_many.push(json!({"id": id(501), "type": "call", "subject": "One more", "account_id": account}));
    batch(&app, t, None, too_many).await.expect_problem(413, "payload_too_large");
    assert_eq!(count(&app, t).await, 500);
}

#[tokio::test]
async fn bad_items_are_answered_alone_and_updates_keep_the_owner() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let t = &admin.access_token;
    let rep = app.user(&admin, "rita@acme.test", "rep", &[]).await;
    // Rita's account: the admin's activities on it are in her reach.
    let account = app
        .post("/api/v1/accounts", t, json!({"name": "Initech", "owner_id": rep.user_id}))
        .await
        .expect(201)
        .body["id"]
        .clone();
    let item = |n: u32, subject: &str| json!({"id": id(n), "type": "visit", "subject": subject, "occurred_at": "2017-06-29T09:00:00Z", "account_id": account});
    let mut far = item(5, "Far future");
    far["occurred_at"] = json!("+10000-01-01T00:00:00Z");
    let mut extra = item(6, "Extra field");
    extra["colour"] = json!("red");
    let mut bad_id = item(7, "Bad id");
    bad_id["id"] = json!("not-a-uuid");
    let answer = batch(&app, t, None, vec![item(1, "Visit"), item(2, "a\u{0}b"), far, extra, bad_id])
        .await
        .expect(200)
        .body;
    let rows: Vec<(Value, Value, Value)> = answer["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["status"].clone(),
                r["problem"]["errors"][0]["field"].clone(),
                r["problem"]["errors"][0]["code"].clone(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (json!("created"), Value::Null, Value::Null),
            (json!("invalid"), json!("subject"), json!("invalid_character")),
            (json!("invalid"), json!("occurred_at"), json!("out_of_range")),
            (json!("invalid"), json!("colour"), json!("unknown_field")),
            (json!("invalid"), json!("id"), json!("invalid_type")),
        ]
    );
    // A rep syncing the admin's activity without owner_id does not take it.
    let again = batch(&app, &rep.access_token, None, vec![item(1, "Visit")]).await.expect(200).body;
    assert_eq!(again["results"][0]["status"], "unchanged");
    assert_eq!(again["results"][0]["activity"]["owner_id"], json!(admin.user_id));
    // A body that is not {"items": [...]} is named.
    let bad = app
        .call(Method::POST, "/api/v1/activities/batch", Some(t), Some(json!([1, 2])))
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(bad.error_fields(), ["body"]);
    // One Idempotency-Key only.
    let twice = app
        .client
        .post(format!("{}/api/v1/activities/batch", app.address))
        .bearer_auth(t)
        .header("Idempotency-Key", "a")
        .header("Idempotency-Key", "b")
        .json(&json!({"items": []}))
        .send()
        .await
        .unwrap();
    let twice = TestApp::answer(twice).await.expect_problem(422, "validation_failed");
    assert_eq!(twice.error_fields(), ["Idempotency-Key"]);
}

#[tokio::test]
async fn a_batch_moves_last_activity_at_of_every_opportunity_it_touches() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let t = &admin.access_token;
    let mut opps = Vec::new();
    for name in ["A", "B"] {
        opps.push(app.post("/api/v1/opportunities", t, json!({"name": name})).await.expect(201).body["id"].clone());
    }
    let call =
        |n: u32, opp: &Value, at: &str| json!({"id": id(n), "type": "call", "subject": "Call", "occurred_at": at, "opportunity_id": opp});
    let items = vec![
        call(1, &opps[0], "2017-06-01T09:00:00Z"),
        call(2, &opps[0], "2017-06-20T09:00:00Z"),
        call(3, &opps[1], "2017-05-02T09:00:00Z"),
        // Planned for after now (2017-06-30T12:00Z): does not count.
        call(4, &opps[1], "2017-07-15T09:00:00Z"),
    ];
    batch(&app, t, None, items).await.expect(200);
    let mut last = Vec::new();
    for opp in &opps {
        let path = format!("/api/v1/opportunities/{}", opp.as_str().unwrap());
        last.push(app.get(&path, t).await.expect(200).body["last_activity_at"].clone());
    }
    assert_eq!(last, [json!("2017-06-20T09:00:00Z"), json!("2017-05-02T09:00:00Z")]);
}
