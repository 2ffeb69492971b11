//! API keys: shown once, scoped per resource and action, revocable at once,
//! expiring, and bound to the admin who made them.

use chrono::{DateTime, TimeDelta, Utc};
use glassbox_tests::{T0, TestApp, spawn_app};
use reqwest::Method;
use serde_json::json;

async fn key(app: &TestApp, token: &str, scopes: &[&str], expires_at: Option<String>) -> (String, String) {
    let mut body = json!({"name": "Integration", "scopes": scopes});
    if let Some(e) = expires_at {
        body["expires_at"] = json!(e);
    }
    let created = app.post("/api/v1/api-keys", token, body).await.expect(201).body;
    (
        created["key"].as_str().unwrap().to_owned(),
        created["id"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn keys_are_scoped_revocable_expiring_and_shown_once() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let t = admin.access_token.clone();
    let created = app
        .post(
            "/api/v1/api-keys",
            &t,
            json!({"name": "Warehouse sync", "scopes": ["opportunities:read", "opportunities:read"]}),
        )
        .await
        .expect(201)
        .body;
    let secret = created["key"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("gbx_") && secret.len() == 47, "{secret}");
    assert_eq!(created["scopes"], json!(["opportunities:read"]));
    assert_eq!(created["prefix"].as_str().unwrap(), &secret[4..12]);
    let listed = app.get("/api/v1/api-keys", &t).await.expect(200).body;
    assert_eq!(listed["data"][0]["id"], created["id"]);
    assert!(listed["data"][0].get("key").is_none(), "the secret is shown once: {listed}");

    // opportunities:read reads opportunities, and nothing else.
    app.get("/api/v1/opportunities", &secret).await.expect(200);
    app.post("/api/v1/opportunities", &secret, json!({"name": "Deal"}))
        .await
        .expect_problem(403, "forbidden");
    app.get("/api/v1/activities", &secret).await.expect_problem(403, "forbidden");
    app.get("/api/v1/me", &secret).await.expect_problem(403, "forbidden");
    app.get("/api/v1/api-keys", &secret).await.expect_problem(403, "forbidden");
    let used = app.get("/api/v1/api-keys", &t).await.expect(200).body;
    assert_eq!(used["data"][0]["last_used_at"], json!(T0));

    // activities:write writes activities but cannot read opportunities.
    let (writer, _) = key(&app, &t, &["activities:write"], None).await;
    app.get("/api/v1/opportunities", &writer).await.expect_problem(403, "forbidden");
    let account = app.post("/api/v1/accounts", &t, json!({"name": "Initech"})).await.expect(201).body["id"].clone();
    let body = json!({"type": "call", "subject": "Logged by the phone system", "occurred_at": "2017-06-29T09:00:00Z",
        "account_id": account});
    let logged = app.post("/api/v1/activities", &writer, body).await.expect(201);
    // It acts as the admin who made the key.
    assert_eq!(logged.body["owner_id"], json!(admin.user_id));

    // Revocation takes effect on the next request.
    let path = format!("/api/v1/api-keys/{}", created["id"].as_str().unwrap());
    app.call(Method::DELETE, &path, Some(&t), None).await.expect(204);
    app.get("/api/v1/opportunities", &secret)
        .await
        .expect_problem(401, "unauthenticated");
    let revoked = app.get("/api/v1/api-keys", &t).await.expect(200).body;
    let row = revoked["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == created["id"])
        .unwrap()
        .clone();
    assert_eq!(row["revoked_at"], json!(T0));

    // Expiry; unknown keys; bad input; only admins.
    let t0: DateTime<Utc> = T0.parse().unwrap();
    let (short, _) = key(&app, &t, &["opportunities:read"], Some((t0 + TimeDelta::hours(1)).to_rfc3339())).await;
    app.get("/api/v1/opportunities", &short).await.expect(200);
    app.set_now(t0 + TimeDelta::hours(2));
    app.get("/api/v1/opportunities", &short)
        .await
        .expect_problem(401, "unauthenticated");
    app.get("/api/v1/opportunities", "gbx_not-a-real-key")
        .await
        .expect_problem(401, "unauthenticated");
    let t = app.login("ana@acme.test").await.access_token;
    let bad = json!({"name": "", "scopes": ["opportunities:delete", "secrets:read"], "expires_at": "2017-01-01T00:00:00Z"});
    let bad = app.post("/api/v1/api-keys", &t, bad).await.expect_problem(422, "validation_failed");
    assert_eq!(bad.error_fields(), ["name", "scopes", "scopes", "expires_at"]);
    let none = app
        .post("/api/v1/api-keys", &t, json!({"name": "x", "scopes": []}))
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(none.error_fields(), ["scopes"]);
    let admin = glassbox_tests::Session {
        access_token: t.clone(),
        ..admin
    };
    let rep = app.user(&admin, "rick@acme.test", "rep", &[]).await;
    app.post(
        "/api/v1/api-keys",
        &rep.access_token,
        json!({"name": "x", "scopes": ["opportunities:read"]}),
    )
    .await
    .expect_problem(403, "forbidden");

    // A key acts as its admin: deactivating that admin ends the key.
    let other = app.user(&admin, "olga@acme.test", "admin", &[]).await;
    let (olgas, _) = key(&app, &other.access_token, &["opportunities:read"], None).await;
    app.get("/api/v1/opportunities", &olgas).await.expect(200);
    app.patch(&format!("/api/v1/users/{}", other.user_id), &t, json!({"active": false}))
        .await
        .expect(200);
    app.get("/api/v1/opportunities", &olgas)
        .await
        .expect_problem(401, "unauthenticated");
}
