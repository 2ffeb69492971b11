//! Delta feeds beyond the basics: handoff tasks, retention with 410 Gone,
//! and the 2,000-activity run with writers committing out of order.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};
use futures_util::future::join_all;
use glassbox_persistence::changes::prune::PruneReport;
use glassbox_tests::{T0, TestApp, spawn_app, spawn_app_with};
use reqwest::Method;
use serde_json::json;

use crate::sync::{ACTIVITIES, pull_page, pull_until};

const TASKS: &str = "/api/v1/handoff-tasks/changes";

fn versions(rows: &[serde_json::Value]) -> HashMap<String, i64> {
    rows.iter()
        .map(|r| (r["id"].as_str().unwrap().to_owned(), r["version"].as_i64().unwrap()))
        .collect()
}

async fn server_set(app: &TestApp, token: &str, list: &str) -> HashMap<String, i64> {
    versions(&crate::import::all(app, token, list).await)
}

#[tokio::test]
async fn the_handoff_task_feed_carries_rule_tasks_actions_and_cancellations() {
    let app = spawn_app().await;
    let (admin, engineer, team_id, stages) = crate::handoffs::setup(&app).await;
    let t = &admin.access_token;
    let opp = app.post("/api/v1/opportunities", t, json!({"name": "Deal"})).await.expect(201);
    let path = format!("/api/v1/opportunities/{}", opp.body["id"].as_str().unwrap());
    app.patch(&path, t, json!({"stage_id": stages["Demo"]})).await.expect(200);
    let manual = json!({"opportunity_id": opp.body["id"], "task_type": "technical_question", "title": "ARM?",
        "assignee_team_id": team_id});
    let manual = app.post("/api/v1/handoff-tasks", t, manual).await.expect(201).body;
    let manual_id = manual["id"].as_str().unwrap().to_owned();
    app.post(
        &format!("/api/v1/handoff-tasks/{manual_id}/accept"),
        &engineer.access_token,
        json!({}),
    )
    .await
    .expect(200);
    app.patch(&path, t, json!({"stage_id": stages["Closed Won"]})).await.expect(200);

    // Closing the deal cancels both: the rule's open task and the
    // accepted manual one.
    let server = server_set(&app, t, "/api/v1/handoff-tasks").await;
    let rule_task = server.keys().find(|id| **id != manual_id).unwrap().clone();
    assert_eq!(server, HashMap::from([(rule_task.clone(), 2), (manual_id.clone(), 3)]));
    let mut set = HashMap::new();
    pull_until(&app, t, TASKS, None, &mut set, &server).await;

    // In order: the rule's task, the manual one, its acceptance, then the
    // two cancellations of one transaction; every record as it is now.
    let page = app.get(TASKS, t).await.expect(200).body;
    let mut seen: Vec<(String, i64)> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            assert_eq!((&c["op"], &c["record"]["status"]), (&json!("upsert"), &json!("cancelled")));
            (c["id"].as_str().unwrap().to_owned(), c["version"].as_i64().unwrap())
        })
        .collect();
    seen[3..].sort_by_key(|(_, v)| *v);
    assert_eq!(
        seen,
        [
            (rule_task.clone(), 1),
            (manual_id.clone(), 1),
            (manual_id.clone(), 2),
            (rule_task, 2),
            (manual_id, 3)
        ]
    );
}

#[tokio::test]
async fn a_cursor_older_than_retention_is_gone_and_a_fresh_sync_still_rebuilds_the_set() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let t = admin.access_token.clone();
    let account = app.post("/api/v1/accounts", &t, json!({"name": "Initech"})).await.expect(201).body["id"].clone();
    let activity =
        |subject: &str| json!({"type": "call", "subject": subject, "occurred_at": "2017-06-29T09:00:00Z", "account_id": account});
    let a = app.post("/api/v1/activities", &t, activity("kept")).await.expect(201).body;
    let b = app.post("/api/v1/activities", &t, activity("deleted")).await.expect(201).body;
    let (a_id, b_id) = (a["id"].as_str().unwrap().to_owned(), b["id"].as_str().unwrap().to_owned());
    let mut set = HashMap::new();
    let both = HashMap::from([(a_id.clone(), 1), (b_id.clone(), 1)]);
    let before_delete = pull_until(&app, &t, ACTIVITIES, None, &mut set, &both).await;
    app.call(Method::DELETE, &format!("/api/v1/activities/{b_id}"), Some(&t), None)
        .await
        .expect(204);
    let after_delete = pull_until(
        &app,
        &t,
        ACTIVITIES,
        before_delete.clone(),
        &mut set,
        &HashMap::from([(a_id.clone(), 1)]),
    )
    .await;
    app.patch(&format!("/api/v1/activities/{a_id}"), &t, json!({"subject": "kept, edited"}))
        .await
        .expect(200);

    // A month and a day later: the delete's rows and A's superseded first
    // version are pruned; a second run finds nothing more.
    let later: DateTime<Utc> = T0.parse::<DateTime<Utc>>().unwrap() + TimeDelta::days(31);
    app.set_now(later);
    let t = app.login("ana@acme.test").await.access_token;
    let c = app.post("/api/v1/activities", &t, activity("new")).await.expect(201).body;
    let report = app.store.prune_changes(TimeDelta::days(30)).await.unwrap();
    assert_eq!(report, PruneReport { tombstones: 1, rows: 3 });
    assert_eq!(app.store.prune_changes(TimeDelta::days(30)).await.unwrap(), PruneReport::default());

    let gone = app
        .get(&format!("{ACTIVITIES}?cursor={}", before_delete.unwrap()), &t)
        .await
        .expect_problem(410, "resync_required");
    assert!(gone.body["detail"].as_str().unwrap().contains("without a cursor"), "{}", gone.body);

    // A cursor that saw the delete goes on; a fresh sync gives the set.
    let server = HashMap::from([(a_id.clone(), 2), (c["id"].as_str().unwrap().to_owned(), 1)]);
    pull_until(&app, &t, ACTIVITIES, after_delete, &mut set, &server).await;
    pull_until(&app, &t, ACTIVITIES, None, &mut HashMap::new(), &server).await;
    // Other kinds of the org keep their own horizon.
    app.get("/api/v1/opportunities/changes?cursor=ZjF8MHww", &t).await.expect(200);
}

/// Issue acceptance: 8 writers create, update and delete 2,000 activities,
/// each write pausing a random 0–5 ms inside its transaction so commits
/// come out of order, while a reader pulls the feed in a loop; replaying
/// the feed gives exactly the server's final set.
#[tokio::test]
async fn eight_writers_with_delays_and_2000_activities_replay_exactly() {
    let app = spawn_app_with(|s| s.test_commit_delay_ms = 5).await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let t = admin.access_token.clone();
    let account = app.post("/api/v1/accounts", &t, json!({"name": "Initech"})).await.expect(201).body["id"].clone();
    let writer = |w: u32| {
        let (app, t, account) = (&app, t.clone(), account.clone());
        async move {
            let ids: Vec<String> = (0..250).map(|_| uuid::Uuid::now_v7().to_string()).collect();
            let item = |id: &str, subject: String| json!({"id": id, "type": "visit", "subject": subject, "occurred_at": "2017-06-29T09:00:00Z", "account_id": account});
            for chunk in ids.chunks(50) {
                let items: Vec<_> = chunk.iter().map(|id| item(id, format!("w{w}"))).collect();
                let out = app.post("/api/v1/activities/batch", &t, json!({"items": items})).await.expect(200);
                assert!(out.body["results"].as_array().unwrap().iter().all(|r| r["status"] == "created"));
            }
            let updates: Vec<_> = ids
                .iter()
                .step_by(4)
                .map(|id| {
                    let mut i = item(id, format!("w{w} batch-edited"));
                    i["version"] = json!(1);
                    i
                })
                .collect();
            let out = app
                .post("/api/v1/activities/batch", &t, json!({"items": updates}))
                .await
                .expect(200);
            assert!(out.body["results"].as_array().unwrap().iter().all(|r| r["status"] == "updated"));
            for (n, id) in ids.iter().enumerate() {
                let path = format!("/api/v1/activities/{id}");
                match n % 3 {
                    1 => {
                        app.patch(&path, &t, json!({"subject": "edited"})).await.expect(200);
                    }
                    2 => {
                        app.call(Method::DELETE, &path, Some(&t), None).await.expect(204);
                    }
                    _ => {}
                }
            }
        }
    };
    let done = std::sync::atomic::AtomicBool::new(false);
    let reader = async {
        let mut set = HashMap::new();
        let mut cursor = None;
        let mut pulls = 0;
        while !done.load(std::sync::atomic::Ordering::Relaxed) {
            // Stay at the head of the feed, where out-of-order commits bite.
            cursor = pull_page(&app, &t, ACTIVITIES, cursor, &mut set, 200).await.0;
            pulls += 1;
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        (set, cursor, pulls)
    };
    let writers = async {
        join_all((0..8).map(writer)).await;
        done.store(true, std::sync::atomic::Ordering::Relaxed);
    };
    let (_, (mut set, cursor, pulls)) = futures_util::join!(writers, reader);
    assert!(pulls > 1, "the reader pulled only {pulls} times while writers ran");

    let server = server_set(&app, &t, "/api/v1/activities").await;
    // 250 per writer minus every third deleted (83 of them).
    assert_eq!(server.len(), 8 * (250 - 83));
    pull_until(&app, &t, ACTIVITIES, cursor, &mut set, &server).await;
    pull_until(&app, &t, ACTIVITIES, None, &mut HashMap::new(), &server).await;
}

/// Cursors the feed never issued are refused by name: another feed's, a
/// sign, a leading zero, or a position beyond the newest change.
#[tokio::test]
async fn forged_cursors_are_refused_naming_the_cursor() {
    use base64::Engine;
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let t = admin.access_token.clone();
    let account = app.post("/api/v1/accounts", &t, json!({"name": "Initech"})).await.expect(201).body["id"].clone();
    let body = json!({"type": "call", "subject": "Call", "occurred_at": "2017-06-29T09:00:00Z", "account_id": account});
    let id = app.post("/api/v1/activities", &t, body).await.expect(201).body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let cursor = pull_until(&app, &t, ACTIVITIES, None, &mut HashMap::new(), &HashMap::from([(id, 1)])).await;
    let cursor = cursor.unwrap();
    app.get(&format!("{ACTIVITIES}?cursor={cursor}"), &t).await.expect(200);
    // One feed's cursor is refused by another.
    for feed in [TASKS, "/api/v1/opportunities/changes"] {
        let other = app
            .get(&format!("{feed}?cursor={cursor}"), &t)
            .await
            .expect_problem(422, "validation_failed");
        assert_eq!(other.error_fields(), ["cursor"]);
    }
    let encode = |raw: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
    for raw in [
        "f1|0|+1",
        "f1|-1|1",
        "f1|00|1",
        "f1|9223372036854775807|1",
        "f1|0|99999999999999999999",
    ] {
        for feed in [ACTIVITIES, TASKS, "/api/v1/opportunities/changes"] {
            let answer = app.get(&format!("{feed}?cursor={}", encode(raw)), &t).await;
            let problem = answer.expect_problem(422, "validation_failed");
            assert_eq!(problem.error_fields(), ["cursor"], "{raw} on {feed}");
        }
    }
}
