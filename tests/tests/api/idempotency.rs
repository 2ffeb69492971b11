//! `Idempotency-Key` on POST: replay, mismatch, concurrency, expiry.

use futures_util::future::join_all;
use glassbox_tests::{Answer, TestApp, spawn_app};
use serde_json::{Value, json};

async fn post_with_key(app: &TestApp, token: &str, key: &str, path: &str, body: Value) -> Answer {
    let req = app
        .client
        .post(format!("{}{path}", app.address))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(&body);
    TestApp::answer(req.send().await.unwrap()).await
}

async fn activity_count(app: &TestApp, token: &str) -> usize {
    let page = app.get("/api/v1/activities?limit=200", token).await.expect(200).body;
    page["data"].as_array().unwrap().len()
}

#[tokio::test]
async fn a_retried_post_replays_the_first_answer_and_writes_once() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let t = &admin.access_token;
    let account = app.post("/api/v1/accounts", t, json!({"name": "Initech"})).await.expect(201).body["id"].clone();
    let call = json!({"type": "call", "subject": "Discovery", "occurred_at": "2017-06-29T09:00:00Z", "account_id": account});
    let first = post_with_key(&app, t, "k-1", "/api/v1/activities", call.clone()).await.expect(201);
    assert_eq!(first.header("idempotent-replayed"), None);
    let again = post_with_key(&app, t, "k-1", "/api/v1/activities", call.clone()).await.expect(201);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(
        (again.body.clone(), again.header("etag")),
        (first.body.clone(), first.header("etag"))
    );
    assert_eq!(activity_count(&app, t).await, 1);

    // The same key with another body is refused and writes nothing.
    let other = json!({"type": "call", "subject": "Something else", "occurred_at": "2017-06-29T09:00:00Z", "account_id": account});
    let refused = post_with_key(&app, t, "k-1", "/api/v1/activities", other)
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(refused.error_fields(), ["Idempotency-Key"]);
    assert_eq!(activity_count(&app, t).await, 1);

    // Keys belong to one org: another org's "k-1" is its own.
    let other_org = app.bootstrap("Globex", "gus@globex.test").await;
    let deal = json!({"name": "Globex deal"});
    post_with_key(&app, &other_org.access_token, "k-1", "/api/v1/opportunities", deal)
        .await
        .expect(201);

    // After 24 hours the key is forgotten and the request runs again.
    app.set_now("2017-07-01T13:00:00Z".parse().unwrap());
    let admin = app.login("ana@acme.test").await;
    let later = post_with_key(&app, &admin.access_token, "k-1", "/api/v1/activities", call)
        .await
        .expect(201);
    assert_eq!(later.header("idempotent-replayed"), None);
    assert_ne!(later.body["id"], first.body["id"]);
    assert_eq!(activity_count(&app, &admin.access_token).await, 2);

    // A key must be visible ASCII.
    let bad = post_with_key(&app, &admin.access_token, "", "/api/v1/activities", json!({}))
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(bad.error_fields(), ["Idempotency-Key"]);
}

#[tokio::test]
async fn concurrent_requests_with_one_key_write_once() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let t = admin.access_token.clone();
    let body = json!({"name": "Race deal", "amount": "100.00", "currency": "USD"});
    let answers = join_all((0..12).map(|_| post_with_key(&app, &t, "race", "/api/v1/opportunities", body.clone()))).await;
    let created: Vec<&Answer> = answers.iter().filter(|a| a.status == 201).collect();
    // Each answer is the first one, its replay, or "still running".
    assert!(answers.iter().all(|a| a.status == 201 || a.status == 409), "{answers:?}");
    let ids: std::collections::HashSet<&Value> = created.iter().map(|a| &a.body["id"]).collect();
    assert_eq!(ids.len(), 1);
    let list = app.get("/api/v1/opportunities", &t).await.expect(200).body;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
}
