//! Optimistic concurrency under real concurrency: two PATCHes based on the
//! same version race; exactly one wins.

use glassbox_tests::{TestApp, spawn_app};
use serde_json::{Value, json};

async fn patch_if_match(app: &TestApp, token: &str, path: &str, version: i64, body: Value) -> glassbox_tests::Answer {
    let req = app
        .client
        .patch(format!("{}{path}", app.address))
        .bearer_auth(token)
        .header("If-Match", format!("\"{version}\""))
        .json(&body);
    TestApp::answer(req.send().await.unwrap()).await
}

/// Races two PATCHes with `If-Match` of `path`'s current version that set
/// `field` to two new values; checks one 200, one 412 carrying the winner,
/// and the winner's value stored.
async fn race(app: &TestApp, token: &str, path: &str, field: &str, round: u32) {
    let current = app.get(path, token).await.expect(200);
    let version = current.body["version"].as_i64().unwrap();
    assert_eq!(current.header("etag"), Some(format!("\"{version}\"").as_str()));
    let (a, b) = futures_util::join!(
        patch_if_match(app, token, path, version, json!({field: format!("A{round}")})),
        patch_if_match(app, token, path, version, json!({field: format!("B{round}")}))
    );
    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 412], "{path} v{version}: {} / {}", a.body, b.body);
    let (winner, loser) = if a.status == 200 { (a, b) } else { (b, a) };
    let loser = loser.expect_problem(412, "stale_version");
    assert_eq!(winner.body["version"], version + 1);
    assert_eq!(loser.body["current"]["version"], version + 1);
    assert_eq!(loser.body["current"][field], winner.body[field]);
    assert_eq!(loser.header("etag"), Some(format!("\"{}\"", version + 1).as_str()));
    let stored = app.get(path, token).await.expect(200).body;
    assert_eq!((&stored[field], &stored["version"]), (&winner.body[field], &json!(version + 1)));
}

#[tokio::test]
async fn two_patches_with_one_if_match_give_one_200_and_one_412_with_the_winner() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let t = &admin.access_token;
    let opp = app.post("/api/v1/opportunities", t, json!({"name": "Deal"})).await.expect(201).body;
    let activity = json!({"type": "call", "subject": "Call", "occurred_at": "2017-06-29T09:00:00Z", "opportunity_id": opp["id"]});
    let activity = app.post("/api/v1/activities", t, activity).await.expect(201).body;
    for round in 0..5 {
        race(
            &app,
            t,
            &format!("/api/v1/opportunities/{}", opp["id"].as_str().unwrap()),
            "name",
            round,
        )
        .await;
        race(
            &app,
            t,
            &format!("/api/v1/activities/{}", activity["id"].as_str().unwrap()),
            "subject",
            round,
        )
        .await;
    }
}
