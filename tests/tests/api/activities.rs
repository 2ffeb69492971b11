use glassbox_tests::spawn_app;
use serde_json::{Value, json};

#[tokio::test]
async fn activities_link_to_records_and_move_last_activity_at() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let opp = app
        .post("/api/v1/opportunities", &admin.access_token, json!({"name": "Deal"}))
        .await
        .expect(201);
    let opp_id = opp.body["id"].as_str().unwrap().to_owned();
    assert_eq!(opp.body["last_activity_at"], Value::Null);
    let client_id = "01900000-0000-7000-8000-0000000000a1";
    let call = json!({"id": client_id, "type": "call", "subject": "Discovery call", "occurred_at": "2017-06-29T09:00:00Z",
                      "duration_minutes": 30, "outcome": "interested", "done": true, "opportunity_id": opp_id});
    let call = app.post("/api/v1/activities", &admin.access_token, call).await.expect(201);
    assert_eq!(call.body["id"], client_id);
    assert_eq!(call.body["type"], "call");
    assert_eq!(call.body["owner_id"], json!(admin.user_id));
    let after = app
        .get(&format!("/api/v1/opportunities/{opp_id}"), &admin.access_token)
        .await
        .expect(200);
    assert_eq!(after.body["last_activity_at"], "2017-06-29T09:00:00Z");
    // An older activity does not move it back; a planned one in the future does not move it.
    for body in [
        json!({"type": "email", "subject": "Intro", "occurred_at": "2017-06-01T09:00:00Z", "opportunity_id": opp_id}),
        json!({"type": "demo", "subject": "Demo", "due_at": "2017-07-05T09:00:00Z", "opportunity_id": opp_id}),
    ] {
        app.post("/api/v1/activities", &admin.access_token, body).await.expect(201);
    }
    let after = app
        .get(&format!("/api/v1/opportunities/{opp_id}"), &admin.access_token)
        .await
        .expect(200);
    assert_eq!(after.body["last_activity_at"], "2017-06-29T09:00:00Z");
    let listed = app
        .get(
            &format!("/api/v1/activities?opportunity_id={opp_id}&type=call"),
            &admin.access_token,
        )
        .await
        .expect(200);
    assert_eq!(listed.body["data"].as_array().unwrap().len(), 1);
    let unlinked = json!({"type": "note", "subject": "Loose", "duration_minutes": 20000});
    let unlinked = app
        .post("/api/v1/activities", &admin.access_token, unlinked)
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(unlinked.error_fields(), ["opportunity_id", "occurred_at", "duration_minutes"]);
    let path = format!("/api/v1/activities/{client_id}");
    let done = app
        .patch(&path, &admin.access_token, json!({"outcome": "sent proposal"}))
        .await
        .expect(200);
    assert_eq!(done.body["version"], 2);
    let del = app
        .client
        .delete(format!("{}{path}", app.address))
        .bearer_auth(&admin.access_token)
        .send()
        .await
        .unwrap();
    glassbox_tests::TestApp::answer(del).await.expect(204);
    app.get(&path, &admin.access_token).await.expect_problem(404, "not_found");
}

#[tokio::test]
async fn moving_correcting_or_deleting_an_activity_recomputes_last_activity_at_of_both_deals() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let t = &admin.access_token;
    let mut opps = Vec::new();
    for name in ["First", "Second"] {
        let o = app.post("/api/v1/opportunities", t, json!({"name": name})).await.expect(201);
        opps.push(o.body["id"].as_str().unwrap().to_owned());
    }
    let last = |i: usize| {
        let path = format!("/api/v1/opportunities/{}", opps[i]);
        let app = &app;
        async move { app.get(&path, t).await.expect(200).body["last_activity_at"].clone() }
    };
    let older = json!({"type": "call", "subject": "Older", "occurred_at": "2017-06-01T09:00:00Z", "opportunity_id": opps[0]});
    app.post("/api/v1/activities", t, older).await.expect(201);
    let newer = json!({"type": "visit", "subject": "Newer", "occurred_at": "2017-06-20T09:00:00Z", "opportunity_id": opps[0]});
    let newer = app.post("/api/v1/activities", t, newer).await.expect(201);
    let path = format!("/api/v1/activities/{}", newer.body["id"].as_str().unwrap());
    assert_eq!((last(0).await, last(1).await), (json!("2017-06-20T09:00:00Z"), Value::Null));

    // Logged on the wrong deal: moving it moves the first deal back to its older call.
    app.patch(&path, t, json!({"opportunity_id": opps[1]})).await.expect(200);
    assert_eq!(
        (last(0).await, last(1).await),
        (json!("2017-06-01T09:00:00Z"), json!("2017-06-20T09:00:00Z"))
    );

    // A corrected time moves it back as well as forward.
    app.patch(&path, t, json!({"occurred_at": "2017-06-10T09:00:00Z"}))
        .await
        .expect(200);
    assert_eq!(last(1).await, json!("2017-06-10T09:00:00Z"));

    // Deleting the only activity clears it.
    let del = app
        .client
        .delete(format!("{}{path}", app.address))
        .bearer_auth(t)
        .send()
        .await
        .unwrap();
    assert_eq!(del.status(), 204);
    assert_eq!((last(0).await, last(1).await), (json!("2017-06-01T09:00:00Z"), Value::Null));
}
