use glassbox_tests::spawn_app;
use serde_json::json;

#[tokio::test]
async fn admin_updates_org_settings() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let org = app.get("/api/v1/org", &admin.access_token).await.expect(200);
    assert_eq!(org.header("etag"), Some("\"1\""));
    let patch = json!({"name": "Acme Asia", "base_currency": "CNY", "fiscal_year_start_month": 4, "time_zone": "Asia/Shanghai"});
    let updated = app.patch("/api/v1/org", &admin.access_token, patch).await.expect(200);
    assert_eq!(updated.body["name"], "Acme Asia");
    assert_eq!(updated.body["base_currency"], "CNY");
    assert_eq!(updated.body["fiscal_year_start_month"], 4);
    assert_eq!(updated.body["time_zone"], "Asia/Shanghai");
    assert_eq!(updated.body["version"], 2);
    assert_eq!(app.get("/api/v1/org", &admin.access_token).await.body, updated.body);
}

#[tokio::test]
async fn invalid_org_settings_name_each_field_and_change_nothing() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let patch = json!({"base_currency": "EURO", "fiscal_year_start_month": 13, "time_zone": "Mars/Olympus"});
    let bad = app
        .patch("/api/v1/org", &admin.access_token, patch)
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(bad.error_fields(), ["base_currency", "fiscal_year_start_month", "time_zone"]);
    let org = app.get("/api/v1/org", &admin.access_token).await.expect(200);
    assert_eq!(org.body["version"], 1);
    assert_eq!(org.body["base_currency"], "USD");
}

#[tokio::test]
async fn only_admins_change_the_org() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let manager = app.user(&admin, "max@acme.test", "manager", &[]).await;
    app.patch("/api/v1/org", &manager.access_token, json!({"name": "Mine"}))
        .await
        .expect_problem(403, "forbidden");
    let org = app.get("/api/v1/org", &manager.access_token).await.expect(200);
    assert_eq!(org.body["name"], "Acme");
}
