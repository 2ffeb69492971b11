//! `GET /api/v1/handoff-tasks/metrics` on a fixture with hand-computed
//! answers.

use std::collections::HashMap;

use glassbox_tests::{Session, TestApp, spawn_app};
use serde_json::{Value, json};

use crate::handoffs::setup;

/// Signs admin and engineer in again at `now` (tokens live 15 minutes).
async fn at(app: &TestApp, now: &str) -> (Session, Session) {
    app.set_now(now.parse().unwrap());
    (app.login("ana@acme.test").await, app.login("pete@acme.test").await)
}

async fn act(app: &TestApp, s: &Session, task: &str, action: &str, body: Value) {
    app.post(&format!("/api/v1/handoff-tasks/{task}/{action}"), &s.access_token, body)
        .await
        .expect(200);
}

async fn task(app: &TestApp, s: &Session, opp: &str, team: &str, sla: Option<(i64, i64)>) -> String {
    let mut body = json!({"opportunity_id": opp, "task_type": "demo", "title": "Help", "assignee_team_id": team});
    if let Some((response, completion)) = sla {
        body["response_sla_minutes"] = json!(response);
        body["completion_sla_minutes"] = json!(completion);
    }
    let answer = app.post("/api/v1/handoff-tasks", &s.access_token, body).await.expect(201);
    answer.body["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn metrics_match_hand_computed_medians_percentiles_and_rates() {
    let app = spawn_app().await;
    // Fri 2026-02-27 10:00 UTC; the org works Mon–Fri 09:00–17:00 UTC.
    app.set_now("2026-02-27T10:00:00Z".parse().unwrap());
    let (admin, engineer, presales, stages) = setup(&app).await;
    let t = &admin.access_token;
    app.patch("/api/v1/org", t, json!({"time_zone": "UTC"})).await.expect(200);
    let legal = app
        .post("/api/v1/teams", t, json!({"name": "Legal", "kind": "service"}))
        .await
        .expect(201)
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut opp = HashMap::new();
    for name in ["A", "B", "C", "F", "G", "H", "I", "J", "K", "L"] {
        let created = app.post("/api/v1/opportunities", t, json!({"name": name})).await.expect(201);
        opp.insert(name, created.body["id"].as_str().unwrap().to_owned());
    }
    let close = |name: &'static str, won: bool| {
        let body = if won {
            json!({"stage_id": stages["Closed Won"]})
        } else {
            json!({"stage_id": stages["Closed Lost"], "loss_reason": "price"})
        };
        (format!("/api/v1/opportunities/{}", opp[name]), body)
    };
    // Before the window: a done presales task on L, which closes won.
    let t0 = task(&app, &admin, &opp["L"], &presales, Some((60, 480))).await;
    act(&app, &engineer, &t0, "accept", json!({})).await;
    act(&app, &engineer, &t0, "complete", json!({})).await;
    let (path, body) = close("L", true);
    app.patch(&path, t, body).await.expect(200);

    // Mon 09:00: six presales tasks (60-minute response SLA, 480-minute
    // completion SLA: due Mon 10:00 and Mon 17:00) and one legal task
    // without SLAs.
    let (admin, _) = at(&app, "2026-03-02T09:00:00Z").await;
    let sla = Some((60, 480));
    let mut ids = Vec::new();
    for name in ["A", "B", "C", "F", "G", "G"] {
        ids.push(task(&app, &admin, &opp[name], &presales, sla).await);
    }
    let tl = task(&app, &admin, &opp["J"], &legal, None).await;
    let [t1, t2, t3, t4, _t5, t6] = <[String; 6]>::try_from(ids).unwrap();

    let (_, e) = at(&app, "2026-03-02T09:10:00Z").await;
    act(&app, &e, &t1, "accept", json!({})).await; // 10 min
    let (a, _) = at(&app, "2026-03-02T09:20:00Z").await;
    act(&app, &a, &t6, "cancel", json!({})).await; // withdrawn in time
    let (_, e) = at(&app, "2026-03-02T09:30:00Z").await;
    act(&app, &e, &t2, "accept", json!({})).await; // 30 min
    let (_, e) = at(&app, "2026-03-02T10:00:00Z").await;
    act(&app, &e, &t4, "accept", json!({})).await; // 60 min, exactly on time
    let (_, e) = at(&app, "2026-03-02T11:00:00Z").await;
    act(&app, &e, &t3, "decline", json!({"reason": "no capacity"})).await; // 120 min, late
    let (a, e) = at(&app, "2026-03-02T12:00:00Z").await;
    act(&app, &e, &t1, "complete", json!({})).await; // in time
    act(&app, &a, &tl, "accept", json!({})).await; // 180 min
    act(&app, &a, &tl, "complete", json!({})).await;

    // Tue 10:00: T2 done late; ratings; deals close.
    let (a, e) = at(&app, "2026-03-03T10:00:00Z").await;
    act(&app, &e, &t2, "complete", json!({})).await;
    act(&app, &a, &t1, "rate", json!({"rating": 5})).await;
    act(&app, &a, &t2, "rate", json!({"rating": 2})).await;
    for (name, won) in [
        ("A", true),
        ("B", false),
        ("C", true),
        ("H", true),
        ("I", false),
        ("J", true),
        ("K", false),
    ] {
        let (path, body) = close(name, won);
        app.patch(&path, &a.access_token, body).await.expect(200);
    }

    let (a, _) = at(&app, "2026-03-03T12:00:00Z").await;
    let window = "from=2026-03-02&to=2026-03-03";
    let team = app
        .get(
            &format!("/api/v1/handoff-tasks/metrics?team_id={presales}&{window}"),
            &a.access_token,
        )
        .await
        .expect(200)
        .body;
    assert_eq!(
        team,
        json!({
            "team_id": presales, "from": "2026-03-02", "to": "2026-03-03", "total": 6,
            "by_status": {"open": 1, "accepted": 1, "in_progress": 0, "done": 2, "declined": 1, "cancelled": 1},
            // [10, 30, 60, 120]: median (30 + 60) / 2; p90 at h = 3 · 0.9 = 2.7: 60 + 0.7 · 60.
            "response_time": {"answered": 4, "median_minutes": 45.0, "p90_minutes": 102.0},
            // Met: T1, T2, T4; missed: T3 (late decline), T5 (no answer); T6 withdrawn in time.
            "response_sla": {"met": 3, "measured": 5, "met_pct": 60.0},
            // Met: T1; missed: T2 (late), T4 and T5 (past due); T3 declined; T6 withdrawn.
            "completion_sla": {"met": 1, "measured": 4, "met_pct": 25.0},
            "rating": {"rated": 2, "mean": 3.5},
            "with_completed_task": {"won": 1, "lost": 1, "win_rate": 0.5},
            "without_completed_task": {"won": 3, "lost": 2, "win_rate": 0.6}
        })
    );
    let all = app
        .get(&format!("/api/v1/handoff-tasks/metrics?{window}"), &a.access_token)
        .await
        .expect(200)
        .body;
    // The legal task adds 180 minutes: [10, 30, 60, 120, 180], p90 at h = 3.6.
    assert_eq!(
        (&all["total"], &all["by_status"]["done"], &all["response_time"]),
        (
            &json!(7),
            &json!(3),
            &json!({"answered": 5, "median_minutes": 60.0, "p90_minutes": 156.0})
        )
    );
    assert_eq!(
        (&all["with_completed_task"], &all["without_completed_task"]),
        (
            &json!({"won": 2, "lost": 1, "win_rate": 0.6667}),
            &json!({"won": 2, "lost": 2, "win_rate": 0.5})
        )
    );

    // Bad windows and unknown teams are named.
    let bad = app
        .get("/api/v1/handoff-tasks/metrics?from=2026-03-04&to=2026-03-03", &a.access_token)
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(bad.error_fields(), ["from"]);
    let bad = app
        .get(&format!("/api/v1/handoff-tasks/metrics?team_id={}", opp["A"]), &a.access_token)
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(bad.error_fields(), ["team_id"]);
}
