//! The CRM sample import and `serve --demo`'s seed, through the API.

use std::collections::HashMap;

use glassbox_api::cli::import::{BUNDLED, crm_sample_dir, seed_demo};
use glassbox_tests::{PASSWORD, Session, TestApp, spawn_app};
use serde_json::Value;

const ADMIN: &str = "demo-admin@glassbox.test";

pub(crate) async fn demo(app: &TestApp) -> Session {
    let seeded = seed_demo(&app.store, Some(ADMIN), Some(PASSWORD)).await.unwrap();
    assert!(seeded.is_some());
    app.login(ADMIN).await
}

/// Every row of a list endpoint, following cursors.
pub(crate) async fn all(app: &TestApp, token: &str, path: &str) -> Vec<Value> {
    let mut rows = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let sep = if path.contains('?') { '&' } else { '?' };
        let url = match &cursor {
            Some(c) => format!("{path}{sep}limit=200&cursor={c}"),
            None => format!("{path}{sep}limit=200"),
        };
        let page = app.get(&url, token).await.expect(200).body;
        rows.extend(page["data"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return rows,
        }
    }
}

async fn totals(app: &TestApp, token: &str) -> HashMap<String, (i64, String)> {
    let body = app.get("/api/v1/opportunities/totals", token).await.expect(200).body;
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            assert_eq!(t["currency"], "USD");
            (
                t["status"].as_str().unwrap().to_owned(),
                (t["count"].as_i64().unwrap(), t["amount"].as_str().unwrap().to_owned()),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_demo_serves_the_whole_sample() {
    let app = spawn_app().await;
    let admin = demo(&app).await;
    let t = totals(&app, &admin.access_token).await;
    assert_eq!(t["won"], (4238, "10005534.00".to_owned()));
    assert_eq!(t["lost"].0, 2473);
    assert_eq!(t["open"].0, 2089);
    assert_eq!(all(&app, &admin.access_token, "/api/v1/accounts").await.len(), 85);
    assert_eq!(all(&app, &admin.access_token, "/api/v1/products").await.len(), 7);
    let users = all(&app, &admin.access_token, "/api/v1/users").await;
    let count = |role: &str| users.iter().filter(|u| u["role"] == role).count();
    assert_eq!((count("rep"), count("manager"), count("admin"), users.len()), (35, 6, 1, 42));

    // Darcel Schlecht's won deals: the CSV's count, through the owner filter.
    let csv = String::from_utf8(BUNDLED.sales_pipeline.to_vec()).unwrap();
    let expected = csv
        .lines()
        .filter(|l| {
            let f: Vec<&str> = l.split(',').collect();
            f[1] == "Darcel Schlecht" && f[4] == "Won"
        })
        .count();
    assert_eq!(expected, 349);
    let darcel = users.iter().find(|u| u["name"] == "Darcel Schlecht").unwrap();
    assert_eq!(darcel["email"], "darcel.schlecht@crm-sample.example");
    let path = format!("/api/v1/opportunities?status=won&owner_id={}", darcel["id"].as_str().unwrap());
    assert_eq!(all(&app, &admin.access_token, &path).await.len(), expected);

    // Imported users share the demo password and see their own slice.
    let darcel_session = app.login("darcel.schlecht@crm-sample.example").await;
    assert_eq!(darcel_session.user_id.to_string(), darcel["id"].as_str().unwrap());
}

#[tokio::test]
async fn a_won_row_has_its_stage_history_from_the_dates() {
    let app = spawn_app().await;
    let admin = demo(&app).await;
    let found = app
        .get("/api/v1/opportunities?external_id=1C1I7A6R", &admin.access_token)
        .await
        .expect(200)
        .body;
    let opp = &found["data"][0];
    assert_eq!(found["data"].as_array().unwrap().len(), 1);
    assert_eq!(
        (
            &opp["name"],
            &opp["amount"],
            &opp["status"],
            &opp["close_date"],
            &opp["closed_at"],
            &opp["created_at"]
        ),
        (
            &Value::from("Cancity – GTX Plus Basic"),
            &Value::from("1054.00"),
            &Value::from("won"),
            &Value::from("2017-03-01"),
            &Value::from("2017-03-01T00:00:00Z"),
            &Value::from("2016-10-20T00:00:00Z"),
        )
    );
    let pipelines = app.get("/api/v1/pipelines", &admin.access_token).await.expect(200).body;
    let stages: HashMap<String, String> = pipelines["data"][0]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["id"].as_str().unwrap().to_owned(), s["name"].as_str().unwrap().to_owned()))
        .collect();
    let path = format!("/api/v1/opportunities/{}/stage-history", opp["id"].as_str().unwrap());
    let history = app.get(&path, &admin.access_token).await.expect(200).body;
    let rows: Vec<(String, String, Value)> = history["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                stages[h["to_stage_id"].as_str().unwrap()].clone(),
                h["entered_at"].as_str().unwrap().to_owned(),
                h["exited_at"].clone(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            (
                "Engaging".into(),
                "2016-10-20T00:00:00Z".into(),
                Value::from("2017-03-01T00:00:00Z")
            ),
            ("Won".into(), "2017-03-01T00:00:00Z".into(), Value::Null),
        ]
    );
    assert_eq!(
        pipelines["data"].as_array().unwrap().len(),
        1,
        "the unused default pipeline became the sample's"
    );
}

#[tokio::test]
async fn importing_the_same_directory_twice_changes_nothing() {
    let app = spawn_app().await;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/crm-sample");
    let first = crm_sample_dir(&app.store, &dir, "Twice", None).await.unwrap();
    assert!(first.org_created);
    assert_eq!((first.counts.opportunities.created, first.counts.stage_history_rows), (8800, 15511));
    let second = crm_sample_dir(&app.store, &dir, "Twice", None).await.unwrap();
    assert!(!second.org_created);
    let c = second.counts;
    assert_eq!(
        [c.teams, c.users, c.products, c.accounts, c.pipelines, c.opportunities].map(|n| (n.created, n.existing)),
        [(0, 9), (0, 41), (0, 7), (0, 85), (0, 1), (0, 8800)]
    );
    assert_eq!(c.stage_history_rows, 0);
    assert_eq!(second.org.id, first.org.id);
}

#[tokio::test]
async fn bad_rows_are_reported_one_by_one_and_the_rest_imports() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &[u8]| std::fs::write(dir.path().join(name), text).unwrap();
    write(
        "sales_teams.csv",
        b"sales_agent,manager,regional_office\r\nAnna Snelling,Dustin Brinkmann,Central\r\n",
    );
    write("products.csv", b"product,series,sales_price\nGTX Pro,GTX,4821\n");
    write(
        "accounts.csv",
        b"account,sector,year_established,revenue,employees,office_location,subsidiary_of\nAcme,tech,1996,1.5,10,US,\n",
    );
    write(
        "sales_pipeline.csv",
        b"opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value\n\
OK1,Anna Snelling,GTXPro,Acme,Won,2017-01-02,2017-01-05,100.5\n\
P1,Anna Snelling,Nope,Acme,Won,2017-01-02,2017-01-05,100\n\
P2,Anna Snelling,GTX Pro,Acme,Lost,2017-02-30,2017-03-05,0\n\
P3,Anna Snelling,GTX Pro,Acme,Won,2017-01-02,2017-01-05,-1\n\
P4\xff,Anna Snelling,GTX Pro,,Prospecting,,,\n\
OK2,Anna Snelling,GTX Pro,,Prospecting,,,\n",
    );
    let outcome = crm_sample_dir(&app.store, dir.path(), "Small", None).await.unwrap();
    let report = outcome.report(false);
    let lines: Vec<&str> = report.lines().skip(1).collect();
    assert_eq!(
        lines,
        vec![
            "record type           created  existing",
            "teams                       2         0",
            "users                       2         0",
            "products                    1         0",
            "accounts                    1         0",
            "pipelines                   0         1",
            "opportunities               2         0",
            "stage history rows          3",
            "reference date: 2017-01-05",
            "rows refused: 4",
            "  sales_pipeline.csv line 3 (P1): product: `Nope` is not a product of products.csv",
            "  sales_pipeline.csv line 4 (P2): engage_date: `2017-02-30` is not a date (YYYY-MM-DD)",
            "  sales_pipeline.csv line 5 (P3): close_value: must be a decimal string such as \"1054.00\" (digits, optional point; no sign or exponent)",
            "  sales_pipeline.csv line 6 (P4\u{fffd}): opportunity_id: not valid UTF-8",
        ]
    );
}

#[tokio::test]
async fn a_missing_file_or_column_fails_the_whole_import() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let err = crm_sample_dir(&app.store, dir.path(), "Nothing", None).await.unwrap_err();
    assert!(err.starts_with("cannot read ") && err.contains("sales_teams.csv"), "{err}");
    for name in ["sales_teams.csv", "accounts.csv", "products.csv"] {
        std::fs::write(dir.path().join(name), b"x\n").unwrap();
    }
    std::fs::write(dir.path().join("sales_pipeline.csv"), b"opportunity_id\n").unwrap();
    let err = crm_sample_dir(&app.store, dir.path(), "Nothing", None).await.unwrap_err();
    assert_eq!(err, "sales_teams.csv: no `sales_agent` column in the header");
}

#[tokio::test]
async fn the_demo_seed_leaves_a_database_with_data_alone() {
    let app = spawn_app().await;
    app.bootstrap("Existing", "ana@existing.test").await;
    assert!(seed_demo(&app.store, Some(ADMIN), Some(PASSWORD)).await.unwrap().is_none());
}
