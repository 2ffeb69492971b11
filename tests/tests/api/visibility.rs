//! Who sees what, walked as a table: two orgs, every role, every list,
//! detail, history, timeline, feed and aggregate, with the exact rows each
//! caller may see (docs/access.md).

use std::collections::{BTreeMap, BTreeSet};

use glassbox_tests::{Session, TestApp, spawn_app};
use serde_json::{Value, json};
use uuid::Uuid;

/// Records by name, and their ids.
struct World {
    ids: BTreeMap<&'static str, String>,
    users: BTreeMap<&'static str, Session>,
}

async fn id(app: &TestApp, path: &str, t: &str, body: Value) -> String {
    app.post(path, t, body).await.expect(201).body["id"].as_str().unwrap().to_owned()
}

/// Org A: Sales ⊃ East, and Presales. Mia manages Sales; Rex (East) and
/// Ria (no team) sell; Pia is presales; Vic views; Max is marketing.
/// Deals: rex's (100.00), ria's (200.00) and ria's with a presales task
/// (400.00), each on its own account with a contact and an activity.
/// Org B: Bob's deal.
async fn world(app: &TestApp) -> World {
    let ana = app.bootstrap("Acme", "ana@acme.test").await;
    let t = ana.access_token.clone();
    let sales = id(app, "/api/v1/teams", &t, json!({"name": "Sales", "kind": "sales"})).await;
    let east = id(
        app,
        "/api/v1/teams",
        &t,
        json!({"name": "East", "kind": "sales", "parent_team_id": sales}),
    )
    .await;
    let presales = id(app, "/api/v1/teams", &t, json!({"name": "Presales", "kind": "presales"})).await;
    let team = |s: &str| s.parse::<Uuid>().unwrap();
    let mut users = BTreeMap::new();
    for (name, role, teams) in [
        ("mia", "manager", vec![team(&sales)]),
        ("rex", "rep", vec![team(&east)]),
        ("ria", "rep", vec![]),
        ("pia", "presales", vec![team(&presales)]),
        ("vic", "viewer", vec![]),
        ("max", "marketing", vec![]),
    ] {
        users.insert(name, app.user(&ana, &format!("{name}@acme.test"), role, &teams).await);
    }
    let t = app.login("ana@acme.test").await.access_token;
    let mut ids = BTreeMap::new();
    for (deal, owner, amount) in [("o_rex", "rex", "100.00"), ("o_ria", "ria", "200.00"), ("o_task", "ria", "400.00")] {
        let owner_id = users[owner].user_id;
        let suffix = &deal[2..];
        let account = id(
            app,
            "/api/v1/accounts",
            &t,
            json!({"name": format!("Account {suffix}"), "owner_id": owner_id}),
        )
        .await;
        let contact = id(
            app,
            "/api/v1/contacts",
            &t,
            json!({"name": format!("Contact {suffix}"), "account_id": account}),
        )
        .await;
        let opp = id(
            app,
            "/api/v1/opportunities",
            &t,
            json!({"name": deal, "owner_id": owner_id, "account_id": account, "amount": amount, "currency": "USD", "close_date": "2017-07-15"}),
        )
        .await;
        let activity = id(
            app,
            "/api/v1/activities",
            &t,
            json!({"type": "call", "subject": format!("Call {suffix}"), "occurred_at": "2017-06-29T10:00:00Z", "opportunity_id": opp}),
        )
        .await;
        ids.insert(leak(format!("a_{suffix}")), account);
        ids.insert(leak(format!("c_{suffix}")), contact);
        ids.insert(leak(format!("act_{suffix}")), activity);
        ids.insert(deal, opp);
    }
    let task = json!({"opportunity_id": ids["o_task"], "task_type": "demo", "title": "Demo please", "assignee_team_id": presales});
    ids.insert("t_task", id(app, "/api/v1/handoff-tasks", &t, task).await);
    let bob = app.bootstrap("Other", "bob@other.test").await;
    let account = id(app, "/api/v1/accounts", &bob.access_token, json!({"name": "Account b"})).await;
    ids.insert("a_b", account.clone());
    ids.insert(
        "c_b",
        id(
            app,
            "/api/v1/contacts",
            &bob.access_token,
            json!({"name": "Contact b", "account_id": account}),
        )
        .await,
    );
    let opp = id(
        app,
        "/api/v1/opportunities",
        &bob.access_token,
        json!({"name": "o_b", "account_id": account, "amount": "800.00", "currency": "USD", "close_date": "2017-07-15"}),
    )
    .await;
    let activity = json!({"type": "call", "subject": "Call b", "occurred_at": "2017-06-29T10:00:00Z", "opportunity_id": opp});
    ids.insert("act_b", id(app, "/api/v1/activities", &bob.access_token, activity).await);
    ids.insert("o_b", opp);
    users.insert("ana", app.login("ana@acme.test").await);
    users.insert("bob", app.login("bob@other.test").await);
    World { ids, users }
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// What each caller sees: record name prefixes per caller, and the
/// pipeline (in dollars) of their aggregates.
fn expected(who: &str) -> (Vec<&'static str>, &'static str) {
    let all_a = vec!["rex", "ria", "task"];
    match who {
        "ana" | "vic" => (all_a, "700.00"),
        "max" => (vec![], "700.00"),
        "mia" | "rex" => (vec!["rex"], "100.00"),
        "ria" => (vec!["ria", "task"], "600.00"),
        "pia" => (vec!["task"], "0.00"),
        "bob" => (vec!["b"], "800.00"),
        _ => unreachable!(),
    }
}

fn ids_of(list: &Value) -> BTreeSet<String> {
    list["data"]
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn feed_ids(app: &TestApp, t: &str, feed: &str) -> BTreeSet<String> {
    let body = app.get(feed, t).await.expect(200).body;
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

const FEEDS: [&str; 3] = [
    "/api/v1/opportunities/changes?limit=200",
    "/api/v1/activities/changes?limit=200",
    "/api/v1/handoff-tasks/changes?limit=200",
];

#[tokio::test]
async fn every_caller_sees_exactly_their_rows_everywhere() {
    let app = spawn_app().await;
    let w = world(&app).await;
    // On PostgreSQL a feed shows a change once every older transaction of
    // the cluster has ended; wait until the admin's feeds hold everything.
    let ana = w.users["ana"].access_token.clone();
    for _ in 0..100 {
        let mut n = 0;
        for feed in FEEDS {
            n += feed_ids(&app, &ana, feed).await.len();
        }
        if n == 7 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    for who in ["ana", "mia", "rex", "ria", "pia", "vic", "max", "bob"] {
        let t = app
            .login(&format!("{who}@{}.test", if who == "bob" { "other" } else { "acme" }))
            .await
            .access_token;
        let (deals, pipeline) = expected(who);
        let visible = |prefix: &str| -> BTreeSet<String> {
            deals
                .iter()
                .filter_map(|d| w.ids.get(leak(format!("{prefix}_{d}")) as &str).cloned())
                .collect()
        };
        let tasks: BTreeSet<String> = if deals.contains(&"task") && who != "mia" {
            [w.ids["t_task"].clone()].into()
        } else {
            BTreeSet::new()
        };
        for (list, prefix) in [
            ("/api/v1/opportunities", "o"),
            ("/api/v1/accounts", "a"),
            ("/api/v1/contacts", "c"),
            ("/api/v1/activities", "act"),
        ] {
            let got = ids_of(&app.get(list, &t).await.expect(200).body);
            assert_eq!(got, visible(prefix), "{who} lists {list}");
        }
        assert_eq!(
            ids_of(&app.get("/api/v1/handoff-tasks", &t).await.expect(200).body),
            tasks,
            "{who} lists tasks"
        );

        // Every record of both orgs: details and their history, timeline
        // and feed entries answer exactly when visible.
        for (name, record) in &w.ids {
            let (collection, subs): (&str, &[&str]) = match name.split('_').next().unwrap() {
                "o" => ("opportunities", &["", "/history", "/stage-history"]),
                "a" => ("accounts", &["", "/timeline"]),
                "c" => ("contacts", &[""]),
                "act" => ("activities", &[""]),
                _ => ("handoff-tasks", &[""]),
            };
            let shown = if collection == "handoff-tasks" {
                tasks.contains(record)
            } else {
                visible(name.split('_').next().unwrap()).contains(record)
            };
            for sub in subs {
                let answer = app.get(&format!("/api/v1/{collection}/{record}{sub}"), &t).await;
                if shown {
                    answer.expect(200);
                } else {
                    answer.expect_problem(404, "not_found");
                }
            }
        }
        for (feed, expect) in [
            ("/api/v1/opportunities/changes?limit=200", visible("o")),
            ("/api/v1/activities/changes?limit=200", visible("act")),
            ("/api/v1/handoff-tasks/changes?limit=200", tasks.clone()),
        ] {
            let body = app.get(feed, &t).await.expect(200).body;
            let got: BTreeSet<String> = body["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_owned())
                .collect();
            assert_eq!(got, expect, "{who} reads {feed}");
        }

        // Aggregates: a rep's sums are their own deals', a manager's their
        // subtree's, marketing's and a viewer's the org's.
        let forecast = app.get("/api/v1/forecasts?period=2017-Q3", &t).await.expect(200).body;
        assert_eq!(forecast["total"]["pipeline"], pipeline, "{who}'s forecast");
        let funnel = app
            .get("/api/v1/analytics/funnel?from=2017-06-01&to=2017-07-31", &t)
            .await
            .expect(200)
            .body;
        let n = match pipeline {
            "700.00" => 3,
            "600.00" => 2,
            "0.00" => 0,
            _ => 1,
        };
        assert_eq!(funnel["cohort"]["count"], n, "{who}'s funnel");
        let totals = app.get("/api/v1/opportunities/totals", &t).await.expect(200).body;
        let counted: i64 = totals["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["count"].as_i64().unwrap())
            .sum();
        assert_eq!(counted as usize, visible("o").len(), "{who}'s totals");
    }

    // Writes outside the reach are refused as not found.
    let rex = app.login("rex@acme.test").await.access_token;
    for (path, body) in [
        (format!("/api/v1/opportunities/{}", w.ids["o_ria"]), json!({"name": "mine now"})),
        (format!("/api/v1/accounts/{}", w.ids["a_ria"]), json!({"name": "mine now"})),
        (format!("/api/v1/activities/{}", w.ids["act_ria"]), json!({"subject": "mine now"})),
    ] {
        app.patch(&path, &rex, body).await.expect_problem(404, "not_found");
    }
    app.post(&format!("/api/v1/handoff-tasks/{}/accept", w.ids["t_task"]), &rex, json!({}))
        .await
        .expect_problem(404, "not_found");
    // New records may not point at what the caller cannot see.
    for (path, body, field) in [
        (
            "/api/v1/activities",
            json!({"type": "call", "subject": "x", "occurred_at": "2017-06-29T10:00:00Z", "opportunity_id": w.ids["o_ria"]}),
            "opportunity_id",
        ),
        (
            "/api/v1/handoff-tasks",
            json!({"opportunity_id": w.ids["o_ria"], "task_type": "demo", "title": "x", "assignee_team_id": Uuid::nil()}),
            "opportunity_id",
        ),
        (
            "/api/v1/opportunities",
            json!({"name": "x", "account_id": w.ids["a_ria"]}),
            "account_id",
        ),
        ("/api/v1/contacts", json!({"name": "x", "account_id": w.ids["a_ria"]}), "account_id"),
    ] {
        let refused = app.post(path, &rex, body).await.expect_problem(422, "validation_failed");
        assert!(refused.error_fields().contains(&field.to_owned()), "{path}: {:?}", refused.body);
    }
}

/// What an adversarial run found: batch upserts, timelines, handoff
/// metrics, snapshots, adjustments and owners all stay inside the reach.
#[tokio::test]
async fn batches_timelines_metrics_snapshots_and_owners_stay_in_reach() {
    let app = spawn_app().await;
    let ana = app.bootstrap("Acme", "ana@acme.test").await;
    let presales = id(
        &app,
        "/api/v1/teams",
        &ana.access_token,
        json!({"name": "Presales", "kind": "presales"}),
    )
    .await;
    let rex = app.user(&ana, "rex@acme.test", "rep", &[]).await;
    let ria = app.user(&ana, "ria@acme.test", "rep", &[]).await;
    let t = app.login("ana@acme.test").await.access_token;
    let shared = id(&app, "/api/v1/accounts", &t, json!({"name": "Shared", "owner_id": rex.user_id})).await;
    let deal =
        |owner: Uuid, name: &str| json!({"name": name, "owner_id": owner, "account_id": shared, "amount": "10.00", "currency": "USD"});
    let d_rex = id(&app, "/api/v1/opportunities", &t, deal(rex.user_id, "rex's")).await;
    let d_ria = id(&app, "/api/v1/opportunities", &t, deal(ria.user_id, "ria's")).await;
    let call = |opp: &str| json!({"type": "call", "subject": "call", "occurred_at": "2017-06-29T10:00:00Z", "opportunity_id": opp, "owner_id": null});
    let mut act_ria = call(&d_ria);
    act_ria.as_object_mut().unwrap().remove("owner_id");
    let act_ria = id(&app, "/api/v1/activities", &t, act_ria).await;
    let task = json!({"opportunity_id": d_ria, "task_type": "demo", "title": "Demo", "assignee_team_id": presales});
    id(&app, "/api/v1/handoff-tasks", &t, task).await;
    let rex_t = app.login("rex@acme.test").await.access_token;

    // A batch cannot overwrite an activity out of reach.
    let batch = json!({"items": [{"id": act_ria, "type": "call", "subject": "mine now", "occurred_at": "2017-06-29T10:00:00Z"}]});
    let answer = app.post("/api/v1/activities/batch", &rex_t, batch).await.expect(200).body;
    assert_eq!(answer["results"][0]["status"], "invalid", "{answer}");
    let ria_t = app.login("ria@acme.test").await.access_token;
    let kept = app.get(&format!("/api/v1/activities/{act_ria}"), &ria_t).await.expect(200).body;
    assert_eq!(kept["subject"], "call");

    // The shared account's timeline shows rex only his deal.
    let timeline = app
        .get(&format!("/api/v1/accounts/{shared}/timeline"), &rex_t)
        .await
        .expect(200)
        .body;
    let text = timeline.to_string();
    assert!(
        text.contains(&d_rex) && !text.contains(&d_ria) && !text.contains(&act_ria),
        "{timeline}"
    );

    // Handoff metrics count only tasks in reach.
    let metrics = app.get("/api/v1/handoff-tasks/metrics", &rex_t).await.expect(200).body;
    assert_eq!(metrics["total"], 0);
    let metrics = app.get("/api/v1/handoff-tasks/metrics", &ria_t).await.expect(200).body;
    assert_eq!(metrics["total"], 1);

    // Records cannot be planted on someone else.
    for path in ["/api/v1/opportunities", "/api/v1/accounts"] {
        let bad = app
            .post(path, &rex_t, json!({"name": "planted", "owner_id": ria.user_id}))
            .await
            .expect_problem(422, "validation_failed");
        assert_eq!(bad.body["errors"][0]["code"], "outside_reach");
    }

    // Snapshots and adjustments: reps read none of them.
    let snap = id(
        &app,
        "/api/v1/forecast-snapshots",
        &t,
        json!({"period": "2017-Q3", "group_by": "owner"}),
    )
    .await;
    app.get(&format!("/api/v1/forecast-snapshots/{snap}"), &rex_t)
        .await
        .expect_problem(403, "forbidden");
    app.get("/api/v1/forecast-snapshots", &rex_t).await.expect_problem(403, "forbidden");
    app.get("/api/v1/forecasts/accuracy?period=2017-Q3", &rex_t)
        .await
        .expect_problem(403, "forbidden");
    let adjustment = json!({"user_id": ria.user_id, "period": "2017-Q3", "category": "commit", "amount": "5.00", "note": "n"});
    app.post("/api/v1/forecast-adjustments", &t, adjustment).await.expect(201);
    let seen = |token: String| {
        let app = &app;
        async move {
            app.get("/api/v1/forecast-adjustments", &token).await.expect(200).body["data"]
                .as_array()
                .unwrap()
                .len()
        }
    };
    assert_eq!((seen(t.clone()).await, seen(ria_t).await, seen(rex_t).await), (1, 1, 0));
}
