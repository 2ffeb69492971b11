//! Handoff rules, tasks, business-time SLAs.

use std::collections::HashMap;

use futures_util::future::join_all;
use glassbox_tests::{Session, TestApp, spawn_app};
use serde_json::{Value, json};

pub(crate) async fn stages(app: &TestApp, s: &Session) -> (String, HashMap<String, String>) {
    let p = app.get("/api/v1/pipelines", &s.access_token).await.expect(200).body;
    (
        p["data"][0]["id"].as_str().unwrap().to_owned(),
        app.stage_ids(&s.access_token).await,
    )
}

/// Admin, a presales team with one engineer, and a rule on entering Demo.
pub(crate) async fn setup(app: &TestApp) -> (Session, Session, String, HashMap<String, String>) {
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let team = app
        .post(
            "/api/v1/teams",
            &admin.access_token,
            json!({"name": "Presales", "kind": "presales"}),
        )
        .await
        .expect(201);
    let team_id = team.body["id"].as_str().unwrap().to_owned();
    let engineer = app.user(&admin, "pete@acme.test", "presales", &[team_id.parse().unwrap()]).await;
    let (pipeline, stages) = stages(app, &admin).await;
    let rule = json!({"pipeline_id": pipeline, "stage_id": stages["Demo"], "task_type": "demo",
        "title_template": "Demo for {account}: {opportunity}", "assignee_team_id": team_id,
        "response_sla_minutes": 60, "completion_sla_minutes": 540});
    app.post("/api/v1/handoff-rules", &admin.access_token, rule).await.expect(201);
    (admin, engineer, team_id, stages)
}

async fn tasks(app: &TestApp, s: &Session, opp: &str) -> Vec<Value> {
    let page = app
        .get(&format!("/api/v1/handoff-tasks?opportunity_id={opp}"), &s.access_token)
        .await
        .expect(200);
    page.body["data"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_stage_entry_asks_presales_with_a_business_time_sla() {
    let app = spawn_app().await;
    // Wed 2026-09-30 17:30 Shanghai.
    app.set_now("2026-09-30T09:30:00Z".parse().unwrap());
    let (admin, _, team_id, stages) = setup(&app).await;
    let t = &admin.access_token;
    let calendar = json!({"time_zone": "Asia/Shanghai", "work_start": "09:00", "work_end": "18:00", "holidays": ["2026-10-01"]});
    let org = app.patch("/api/v1/org", t, calendar).await.expect(200);
    assert_eq!(
        (&org.body["working_days"], &org.body["work_end"], &org.body["holidays"]),
        (&json!([1, 2, 3, 4, 5]), &json!("18:00"), &json!(["2026-10-01"]))
    );
    let account = app.post("/api/v1/accounts", t, json!({"name": "Initech"})).await.expect(201);
    let opp = app
        .post(
            "/api/v1/opportunities",
            t,
            json!({"name": "Fleet", "account_id": account.body["id"]}),
        )
        .await
        .expect(201);
    let opp_id = opp.body["id"].as_str().unwrap().to_owned();
    assert_eq!(tasks(&app, &admin, &opp_id).await.len(), 0);
    app.patch(&format!("/api/v1/opportunities/{opp_id}"), t, json!({"stage_id": stages["Demo"]}))
        .await
        .expect(200);
    let created = tasks(&app, &admin, &opp_id).await;
    assert_eq!(created.len(), 1);
    let task = &created[0];
    assert_eq!(
        (&task["title"], &task["status"], &task["assignee_team_id"], &task["requester_id"]),
        (
            &json!("Demo for Initech: Fleet"),
            &json!("open"),
            &json!(team_id),
            &json!(admin.user_id)
        )
    );
    assert_eq!(task["response_due_at"], "2026-10-02T01:30:00Z");
    // 540 business minutes: 30 on Wednesday, 510 = Friday 09:00-17:30.
    assert_eq!(task["due_at"], "2026-10-02T09:30:00Z");
    assert_eq!(task["sla_breached"], false);

    // Fri 09:40 Shanghai: accepted 10 minutes late.
    app.set_now("2026-10-02T01:40:00Z".parse().unwrap());
    let (admin, engineer) = (app.login("ana@acme.test").await, app.login("pete@acme.test").await);
    let path = format!("/api/v1/handoff-tasks/{}", task["id"].as_str().unwrap());
    let accepted = app
        .post(&format!("{path}/accept"), &engineer.access_token, json!({}))
        .await
        .expect(200);
    assert_eq!(
        (
            &accepted.body["status"],
            &accepted.body["assignee_user_id"],
            &accepted.body["sla_breached"]
        ),
        (&json!("accepted"), &json!(engineer.user_id), &json!(true))
    );
    // Illegal steps are 409; a decline needs a reason.
    app.post(&format!("{path}/accept"), &engineer.access_token, json!({}))
        .await
        .expect_problem(409, "conflict");
    let declined = app
        .post(&format!("{path}/decline"), &engineer.access_token, json!({}))
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(declined.error_fields(), ["reason"]);
    // Someone outside the team, not on the deal, does not even see it.
    let rep = app.user(&admin, "rita@acme.test", "rep", &[]).await;
    app.post(&format!("{path}/start"), &rep.access_token, json!({}))
        .await
        .expect_problem(404, "not_found");
}

#[tokio::test]
async fn concurrent_moves_into_the_stage_make_one_task_per_entry_and_reentry_makes_another() {
    let app = spawn_app().await;
    let (admin, _, _, stages) = setup(&app).await;
    let t = admin.access_token.clone();
    let opp = app.post("/api/v1/opportunities", &t, json!({"name": "Race"})).await.expect(201);
    let opp_id = opp.body["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/opportunities/{opp_id}");
    let moves = (0..20).map(|_| app.patch_owned(path.clone(), t.clone(), json!({"stage_id": stages["Demo"]})));
    for answer in join_all(moves).await {
        assert_eq!(answer.status, 200);
    }
    let history = app.get(&format!("{path}/stage-history"), &t).await.expect(200).body;
    let entries = history["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["to_stage_id"] == stages["Demo"])
        .count();
    assert_eq!(entries, 1);
    assert_eq!(tasks(&app, &admin, &opp_id).await.len(), 1);

    // Leave Demo and come back: a new entry, a new task.
    app.patch(&path, &t, json!({"stage_id": stages["Proposal"]})).await.expect(200);
    app.patch(&path, &t, json!({"stage_id": stages["Demo"]})).await.expect(200);
    let all = tasks(&app, &admin, &opp_id).await;
    assert_eq!(all.len(), 2);
    assert_ne!(all[0]["stage_history_id"], all[1]["stage_history_id"]);
}

#[tokio::test]
async fn winning_cancels_open_tasks_and_a_done_task_is_rated_once() {
    let app = spawn_app().await;
    let (admin, engineer, team_id, stages) = setup(&app).await;
    let t = &admin.access_token;
    let opp = app.post("/api/v1/opportunities", t, json!({"name": "Won deal"})).await.expect(201);
    let opp_id = opp.body["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/opportunities/{opp_id}");
    app.patch(&path, t, json!({"stage_id": stages["Demo"]})).await.expect(200);
    // A second task by hand, which presales completes and the requester rates.
    let manual = json!({"opportunity_id": opp_id, "task_type": "technical_question", "title": "Does it run on ARM?",
        "assignee_team_id": team_id, "response_sla_minutes": 120});
    let manual = app.post("/api/v1/handoff-tasks", t, manual).await.expect(201);
    let manual_path = format!("/api/v1/handoff-tasks/{}", manual.body["id"].as_str().unwrap());
    let e = &engineer.access_token;
    app.post(&format!("{manual_path}/accept"), e, json!({})).await.expect(200);
    app.post(&format!("{manual_path}/rate"), t, json!({"rating": 5}))
        .await
        .expect_problem(409, "conflict");
    let done = app
        .post(&format!("{manual_path}/complete"), e, json!({"outcome": "yes, on Graviton"}))
        .await
        .expect(200);
    assert_eq!(
        (&done.body["status"], &done.body["outcome"]),
        (&json!("done"), &json!("yes, on Graviton"))
    );
    app.post(&format!("{manual_path}/rate"), e, json!({"rating": 5}))
        .await
        .expect_problem(403, "forbidden");
    let rated = app
        .post(&format!("{manual_path}/rate"), t, json!({"rating": 4, "comment": "fast"}))
        .await
        .expect(200);
    assert_eq!((&rated.body["rating"], &rated.body["rating_comment"]), (&json!(4), &json!("fast")));
    app.post(&format!("{manual_path}/rate"), t, json!({"rating": 5}))
        .await
        .expect_problem(409, "conflict");

    app.patch(&path, t, json!({"stage_id": stages["Closed Won"]})).await.expect(200);
    let all = tasks(&app, &admin, &opp_id).await;
    let by_type: HashMap<&str, (&Value, &Value)> = all
        .iter()
        .map(|t| (t["task_type"].as_str().unwrap(), (&t["status"], &t["cancel_reason"])))
        .collect();
    assert_eq!(by_type["demo"], (&json!("cancelled"), &json!("opportunity_closed")));
    assert_eq!(by_type["technical_question"], (&json!("done"), &Value::Null));
}

#[tokio::test]
async fn rules_and_calendars_refuse_bad_input_by_field() {
    let app = spawn_app().await;
    let (admin, _, team_id, stages) = setup(&app).await;
    let t = &admin.access_token;
    let (pipeline, _) = stages_of(&app, &admin).await;
    let bad = json!({"pipeline_id": pipeline, "stage_id": stages["Demo"], "task_type": "Demo!", "title_template": "{who}",
        "assignee_team_id": team_id, "response_sla_minutes": 0, "completion_sla_minutes": 60, "min_amount": "1.234"});
    let answer = app
        .post("/api/v1/handoff-rules", t, bad)
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(
        answer.error_fields(),
        ["task_type", "title_template", "response_sla_minutes", "min_amount"]
    );
    let calendar = json!({"working_days": [0], "work_start": "25:00"});
    let answer = app.patch("/api/v1/org", t, calendar).await.expect_problem(422, "validation_failed");
    assert_eq!(answer.error_fields(), ["working_days", "work_start"]);
    let answer = app
        .patch("/api/v1/org", t, json!({"work_start": "18:00", "work_end": "09:00"}))
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(answer.error_fields(), ["work_end"]);
}

async fn stages_of(app: &TestApp, s: &Session) -> (String, HashMap<String, String>) {
    stages(app, s).await
}
