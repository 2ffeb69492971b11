//! Staff leaving: deactivation hands open work to a successor in one
//! transaction, with history, feeds and rollups kept.

use glassbox_domain::analytics::AsOf;
use glassbox_persistence::analytics::{Audience, FunnelQuery, ReportQuery, Source};
use glassbox_tests::spawn_app;
use serde_json::{Value, json};

#[tokio::test]
async fn a_leavers_open_work_moves_to_the_successor_and_their_sessions_end() {
    let app = spawn_app().await;
    let (admin, leaver, team_id, stages) = crate::handoffs::setup(&app).await;
    let t = &admin.access_token;
    let successor = app.user(&admin, "sam@acme.test", "presales", &[team_id.parse().unwrap()]).await;
    let owned = |name: &str| json!({"name": name, "owner_id": leaver.user_id});
    let o1 = app.post("/api/v1/opportunities", t, owned("Open one")).await.expect(201).body;
    let o2 = app.post("/api/v1/opportunities", t, owned("Open two")).await.expect(201).body;
    let won = app.post("/api/v1/opportunities", t, owned("Won")).await.expect(201).body;
    let path = |o: &Value| format!("/api/v1/opportunities/{}", o["id"].as_str().unwrap());
    app.patch(&path(&o2), t, json!({"stage_id": stages["Demo"]})).await.expect(200);
    app.patch(&path(&won), t, json!({"stage_id": stages["Closed Won"]}))
        .await
        .expect(200);
    let account = app
        .post("/api/v1/accounts", t, json!({"name": "Initech", "owner_id": leaver.user_id}))
        .await
        .expect(201)
        .body;
    let tasks = app
        .get(&format!("/api/v1/handoff-tasks?opportunity_id={}", o2["id"].as_str().unwrap()), t)
        .await
        .expect(200);
    let task_path = format!("/api/v1/handoff-tasks/{}", tasks.body["data"][0]["id"].as_str().unwrap());
    app.post(&format!("{task_path}/accept"), &leaver.access_token, json!({}))
        .await
        .expect(200);

    // Refusals first: not an admin, oneself, the same user, an unknown successor.
    let url = format!("/api/v1/users/{}/deactivate", leaver.user_id);
    let to = |id: String| json!({"reassign_to_user_id": id});
    app.post(&url, &successor.access_token, to(admin.user_id.to_string()))
        .await
        .expect_problem(403, "forbidden");
    let own = format!("/api/v1/users/{}/deactivate", admin.user_id);
    let own = app
        .post(&own, t, to(successor.user_id.to_string()))
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(own.error_fields(), ["user"]);
    let same = app
        .post(&url, t, to(leaver.user_id.to_string()))
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(same.error_fields(), ["reassign_to_user_id"]);
    let unknown = app
        .post(&url, t, to(uuid::Uuid::now_v7().to_string()))
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(unknown.error_fields(), ["reassign_to_user_id"]);
    app.get(&path(&o1), &leaver.access_token).await.expect(200);

    let moved = app.post(&url, t, to(successor.user_id.to_string())).await.expect(200).body;
    assert_eq!(
        (&moved["opportunities"], &moved["accounts"], &moved["handoff_tasks"]),
        (&json!(2), &json!(1), &json!(1))
    );
    for (o, owner, version) in [(&o1, successor.user_id, 2), (&o2, successor.user_id, 3), (&won, leaver.user_id, 2)] {
        let now = app.get(&path(o), t).await.expect(200).body;
        assert_eq!((&now["owner_id"], &now["version"]), (&json!(owner), &json!(version)), "{now}");
    }
    let history = app.get(&format!("{}/history", path(&o1)), t).await.expect(200).body;
    let change = history["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["field"] == "owner_id")
        .unwrap()
        .clone();
    assert_eq!(
        (&change["old_value"], &change["new_value"]),
        (&json!(leaver.user_id.to_string()), &json!(successor.user_id.to_string()))
    );
    let account = app
        .get(&format!("/api/v1/accounts/{}", account["id"].as_str().unwrap()), t)
        .await
        .expect(200)
        .body;
    assert_eq!(account["owner_id"], json!(successor.user_id));
    let task = app.get(&task_path, t).await.expect(200).body;
    assert_eq!(
        (&task["assignee_user_id"], &task["status"]),
        (&json!(successor.user_id), &json!("accepted"))
    );
    let user = app.get(&format!("/api/v1/users/{}", leaver.user_id), t).await.expect(200).body;
    assert_eq!(user["active"], false);
    app.get(&path(&o1), &leaver.access_token)
        .await
        .expect_problem(401, "unauthenticated");

    // Rollups follow the owners: the successor's funnel equals the history SQL.
    let scope = app.store.load_scope(admin.org_id, admin.user_id).await.unwrap();
    let day = chrono::DateTime::parse_from_rfc3339(glassbox_tests::T0).unwrap().date_naive();
    let q = |source| FunnelQuery {
        pipeline_id: None,
        report: ReportQuery {
            audience: Audience::Owner(successor.user_id),
            from: Some(day),
            to: Some(day),
            as_of: Some(AsOf::Date(day)),
        },
        source,
    };
    let (rolled, _) = app.store.funnel(&scope, &q(Source::Auto)).await.unwrap();
    let (exact, _) = app.store.funnel(&scope, &q(Source::History)).await.unwrap();
    assert_eq!(rolled, exact);
    assert_eq!(rolled.outcomes.open, 2);
}
