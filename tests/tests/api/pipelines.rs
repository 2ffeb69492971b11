use glassbox_tests::spawn_app;
use serde_json::json;

#[tokio::test]
async fn every_new_org_gets_the_default_pipeline() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let list = app.get("/api/v1/pipelines", &admin.access_token).await.expect(200);
    let pipelines = list.body["data"].as_array().unwrap();
    assert_eq!(pipelines.len(), 1);
    assert_eq!(pipelines[0]["name"], "Sales");
    let stages: Vec<(String, i64, String, String, i64)> = pipelines[0]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_owned(),
                s["probability"].as_i64().unwrap(),
                s["kind"].as_str().unwrap().to_owned(),
                s["forecast_category"].as_str().unwrap().to_owned(),
                s["position"].as_i64().unwrap(),
            )
        })
        .collect();
    let expected = [
        ("Prospecting", 10, "open", "pipeline"),
        ("Qualification", 20, "open", "pipeline"),
        ("Demo", 40, "open", "pipeline"),
        ("Proposal", 60, "open", "best_case"),
        ("Negotiation", 80, "open", "commit"),
        ("Closed Won", 100, "won", "closed"),
        ("Closed Lost", 0, "lost", "omitted"),
    ];
    assert_eq!(stages.len(), 7);
    for (i, (got, want)) in stages.iter().zip(expected).enumerate() {
        assert_eq!(
            (got.0.as_str(), got.1, got.2.as_str(), got.3.as_str(), got.4),
            (want.0, want.1, want.2, want.3, i as i64 + 1)
        );
    }
}

#[tokio::test]
async fn admins_create_pipelines_and_tune_stages_with_validation() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let body = json!({"name": "Renewals", "stages": [
        {"name": "Due", "probability": 50, "kind": "open", "forecast_category": "pipeline", "rotting_days": 30},
        {"name": "Renewed", "probability": 100, "kind": "won", "forecast_category": "closed"},
        {"name": "Churned", "probability": 0, "kind": "lost", "forecast_category": "omitted"}]});
    let created = app.post("/api/v1/pipelines", &admin.access_token, body).await.expect(201);
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert_eq!(created.header("location"), Some(format!("/api/v1/pipelines/{id}").as_str()));
    assert_eq!(created.body["stages"][0]["rotting_days"], 30);
    let stage = created.body["stages"][0]["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/pipelines/{id}/stages/{stage}");
    let tuned = app
        .patch(
            &path,
            &admin.access_token,
            json!({"probability": 65, "required_fields": ["close_date"]}),
        )
        .await
        .expect(200);
    assert_eq!(tuned.body["probability"], 65);
    assert_eq!(tuned.body["version"], 2);
    let bad = app
        .patch(
            &path,
            &admin.access_token,
            json!({"probability": 101, "required_fields": ["salary"], "rotting_days": 0}),
        )
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(bad.error_fields(), ["probability", "rotting_days", "required_fields"]);
    let no_lost = json!({"name": "Broken", "stages": [
        {"name": "A", "probability": 10, "kind": "open", "forecast_category": "pipeline"},
        {"name": "B", "probability": 100, "kind": "won", "forecast_category": "closed"},
        {"name": "C", "probability": 100, "kind": "won", "forecast_category": "closed"}]});
    let answer = app
        .post("/api/v1/pipelines", &admin.access_token, no_lost)
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(answer.body["errors"][0]["code"], "incomplete_pipeline");
    let rep = app.user(&admin, "rita@acme.test", "rep", &[]).await;
    app.patch(&path, &rep.access_token, json!({"probability": 5}))
        .await
        .expect_problem(403, "forbidden");
}

/// Sixteen admins reorder the same pipeline at once: all succeed (they
/// queue), positions stay 1..n (was a deadlock 500 on PostgreSQL).
#[tokio::test]
async fn concurrent_reorders_queue_instead_of_deadlocking() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let list = app.get("/api/v1/pipelines", &admin.access_token).await.expect(200);
    let pipeline = list.body["data"][0]["id"].as_str().unwrap().to_owned();
    let stage_ids: Vec<String> = list.body["data"][0]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect();
    let moves = (0..16).map(|i| {
        let path = format!("/api/v1/pipelines/{pipeline}/stages/{}", stage_ids[i % stage_ids.len()]);
        app.patch_owned(path, admin.access_token.clone(), json!({"position": 1 + (i * 3) % 7}))
    });
    for answer in futures_util::future::join_all(moves).await {
        answer.expect(200);
    }
    let after = app
        .get(&format!("/api/v1/pipelines/{pipeline}"), &admin.access_token)
        .await
        .expect(200);
    let positions: Vec<i64> = after.body["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["position"].as_i64().unwrap())
        .collect();
    assert_eq!(positions, [1, 2, 3, 4, 5, 6, 7]);
}
