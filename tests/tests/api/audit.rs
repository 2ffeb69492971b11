//! The audit log: every successful write and every sign-in, by user or API
//! key, append-only, admins only, one org at a time.

use glassbox_tests::spawn_app;
use reqwest::Method;
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};

fn entries(list: &Value) -> Vec<(String, String, Value)> {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["resource"].as_str().unwrap().to_owned(),
                e["resource_id"].clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn every_write_and_sign_in_is_logged_once_and_cannot_be_changed() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let t = admin.access_token.clone();
    let ana = json!(admin.user_id);

    // A refused sign-in of a known account is logged; of an unknown email not.
    for email in ["ana@acme.test", "nobody@acme.test"] {
        app.call(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(json!({"email": email, "password": "wrong password!!"})),
        )
        .await
        .expect_problem(401, "unauthenticated");
    }

    // Create, update, delete; a refused write and an idempotent replay add
    // nothing.
    let created = app.post("/api/v1/accounts", &t, json!({"name": "Initech"})).await.expect(201).body;
    let account = created["id"].clone();
    let url = format!("/api/v1/accounts/{}", account.as_str().unwrap());
    let res = app
        .client
        .patch(format!("{}{url}", app.address))
        .bearer_auth(&t)
        .header("If-Match", "\"1\"")
        .json(&json!({"name": "Initech Ltd"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    app.post("/api/v1/accounts", &t, json!({"name": ""}))
        .await
        .expect_problem(422, "validation_failed");
    for _ in 0..2 {
        let res = app
            .client
            .post(format!("{}/api/v1/contacts", app.address))
            .bearer_auth(&t)
            .header("Idempotency-Key", "contact-1")
            .json(&json!({"name": "Peter", "account_id": account}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
    }

    // An API key writes as its admin, and is named.
    let key = app
        .post("/api/v1/api-keys", &t, json!({"name": "Sync", "scopes": ["accounts:write"]}))
        .await
        .expect(201)
        .body;
    let by_key = app
        .post("/api/v1/accounts", key["key"].as_str().unwrap(), json!({"name": "Globex"}))
        .await
        .expect(201)
        .body["id"]
        .clone();

    // Staff leaving, with where their work went.
    let rep = app.user(&admin, "rita@acme.test", "rep", &[]).await;
    let heir = app.user(&admin, "sam@acme.test", "rep", &[]).await;
    let t = app.login("ana@acme.test").await.access_token;
    app.post(
        &format!("/api/v1/users/{}/deactivate", rep.user_id),
        &t,
        json!({"reassign_to_user_id": heir.user_id}),
    )
    .await
    .expect(200);
    let globex = format!("/api/v1/accounts/{}", by_key.as_str().unwrap());
    app.call(Method::DELETE, &globex, Some(&t), None).await.expect(204);

    let log = app.get("/api/v1/audit-log?limit=200", &t).await.expect(200).body;
    let got = entries(&log);
    let contact = got.iter().find(|e| e.1 == "contacts").map(|e| e.2.clone()).unwrap();
    let key_id = key["id"].clone();
    let (rita, sam) = (json!(rep.user_id), json!(heir.user_id));
    let expected: Vec<(&str, &str, Value)> = vec![
        ("delete", "accounts", by_key.clone()),
        ("deactivate", "users", rita.clone()),
        ("login", "auth", ana.clone()),
        ("login", "auth", sam.clone()),
        ("create", "users", sam.clone()),
        ("login", "auth", rita.clone()),
        ("create", "users", rita.clone()),
        ("create", "accounts", by_key.clone()),
        ("create", "api-keys", key_id.clone()),
        ("create", "contacts", contact),
        ("update", "accounts", account.clone()),
        ("create", "accounts", account.clone()),
        ("login_failed", "auth", ana.clone()),
        ("login", "auth", ana.clone()),
    ];
    let expected: Vec<(String, String, Value)> = expected.into_iter().map(|(a, r, id)| (a.to_owned(), r.to_owned(), id)).collect();
    assert_eq!(got, expected, "{log}");
    let first = &log["data"][13];
    assert_eq!((&first["status"], &first["actor_user_id"]), (&json!(200), &ana));
    let failed = &log["data"][12];
    assert_eq!((&failed["status"], &failed["actor_user_id"]), (&json!(401), &Value::Null));
    let keyed = &log["data"][7];
    assert_eq!(
        (&keyed["api_key_id"], &keyed["actor_user_id"], &keyed["status"]),
        (&key_id, &ana, &json!(201))
    );
    assert!(keyed["request_id"].as_str().is_some_and(|r| !r.is_empty()));
    assert_eq!(
        log["data"][1]["detail"],
        json!({"reassigned_to_user_id": sam, "opportunities": 0, "accounts": 0, "handoff_tasks": 0})
    );

    // Filters and paging.
    let one = app
        .get(&format!("/api/v1/audit-log?resource_id={}", by_key.as_str().unwrap()), &t)
        .await
        .expect(200)
        .body;
    assert_eq!(entries(&one).iter().map(|e| e.0.as_str()).collect::<Vec<_>>(), ["delete", "create"]);
    let page = app.get("/api/v1/audit-log?limit=10", &t).await.expect(200).body;
    let rest = app
        .get(
            &format!("/api/v1/audit-log?limit=10&cursor={}", page["next_cursor"].as_str().unwrap()),
            &t,
        )
        .await
        .expect(200)
        .body;
    let mut both = entries(&page);
    both.extend(entries(&rest));
    assert_eq!(both, got);
    assert_eq!(rest["next_cursor"], Value::Null);

    // Admins only, one org at a time.
    let sam_token = app.login("sam@acme.test").await.access_token;
    app.get("/api/v1/audit-log", &sam_token).await.expect_problem(403, "forbidden");
    let other = app.bootstrap("Other", "olga@other.test").await;
    let theirs = app.get("/api/v1/audit-log", &other.access_token).await.expect(200).body;
    assert_eq!(entries(&theirs), [("login".to_owned(), "auth".to_owned(), json!(other.user_id))]);

    // The database refuses to change or remove an entry.
    let db = Database::connect(app.settings.database_url.as_str()).await.unwrap();
    assert!(db.execute_unprepared("UPDATE audit_log SET action = 'nothing'").await.is_err());
    assert!(db.execute_unprepared("DELETE FROM audit_log").await.is_err());
    db.close().await.unwrap();
    let after = app.get("/api/v1/audit-log?limit=200", &t).await.expect(200).body;
    assert_eq!(entries(&after)[1..], got[..]);
}
