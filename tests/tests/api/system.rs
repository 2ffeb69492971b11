use glassbox_tests::spawn_app;
use reqwest::Method;

#[tokio::test]
async fn healthz_and_readyz_answer_with_a_request_id() {
    let app = spawn_app().await;
    let live = app.call(Method::GET, "/healthz", None, None).await.expect(200);
    assert_eq!(live.body, serde_json::json!({"status": "ok"}));
    assert_eq!(live.header("x-request-id").map(str::len), Some(36));
    let ready = app.call(Method::GET, "/readyz", None, None).await.expect(200);
    assert_eq!(ready.body["status"], "ok");
    let backend = if std::env::var("GLASSBOX_TEST_DATABASE_URL").is_ok_and(|v| !v.is_empty()) {
        "postgres"
    } else {
        "sqlite"
    };
    assert_eq!(ready.body["database"], backend);
}

#[tokio::test]
async fn a_sane_client_request_id_is_echoed_and_a_hostile_one_replaced() {
    let app = spawn_app().await;
    let res = app
        .client
        .get(format!("{}/healthz", app.address))
        .header("x-request-id", "mobile-42.abc")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["x-request-id"], "mobile-42.abc");
    let res = app
        .client
        .get(format!("{}/healthz", app.address))
        .header("x-request-id", "bad id with spaces")
        .send()
        .await
        .unwrap();
    let id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_ne!(id, "bad id with spaces");
    assert_eq!(id.len(), 36);
}

#[tokio::test]
async fn docs_ui_and_spec_are_served_from_the_binary() {
    let app = spawn_app().await;
    let redirect = app.call(Method::GET, "/docs", None, None).await.expect(308);
    assert_eq!(redirect.header("location"), Some("/docs/"));
    let page = app.client.get(format!("{}/docs/", app.address)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "docs page is not Swagger UI");
    assert!(!html.contains("cdn."), "docs page loads from a CDN");
    let script = app
        .client
        .get(format!("{}/docs/swagger-ui-bundle.js", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(script.status(), 200);
    assert!(script.bytes().await.unwrap().len() > 100_000);
    let spec = app.call(Method::GET, "/openapi.json", None, None).await.expect(200);
    assert_eq!(spec.body["openapi"], "3.1.0");
    assert_eq!(
        spec.body,
        serde_json::from_str::<serde_json::Value>(&glassbox_api::openapi::spec_json()).unwrap()
    );
}

#[tokio::test]
async fn head_is_get_without_a_body_and_spec_paths_answer_405() {
    let app = spawn_app().await;
    let head = app.client.head(format!("{}/healthz", app.address)).send().await.unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(head.headers()["content-length"], "15");
    assert!(head.bytes().await.unwrap().is_empty());
    let post = app
        .call(Method::POST, "/openapi.json", None, None)
        .await
        .expect_problem(405, "method_not_allowed");
    assert_eq!(post.header("allow"), Some("GET"));
}

#[tokio::test]
async fn refused_cors_preflight_is_a_problem_with_a_request_id() {
    let app = glassbox_tests::spawn_app_with(|s| s.cors_origins = "https://app.example.com".into()).await;
    let preflight = |origin: &'static str| {
        app.client
            .request(Method::OPTIONS, format!("{}/api/v1/me", app.address))
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .send()
    };
    let ok = preflight("https://app.example.com").await.unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.headers()["access-control-allow-origin"], "https://app.example.com");
    let evil = glassbox_tests::TestApp::answer(preflight("https://evil.example").await.unwrap()).await;
    evil.expect_problem(400, "request_rejected");
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let answers = [
        ("/healthz", app.call(Method::GET, "/healthz", None, None).await),
        ("/api/v1/me", app.get("/api/v1/me", &admin.access_token).await),
        ("/api/v1/nope", app.call(Method::GET, "/api/v1/nope", None, None).await),
        ("/api/v1/me (401)", app.call(Method::GET, "/api/v1/me", None, None).await),
        ("/docs/", app.call(Method::GET, "/docs/", None, None).await),
    ];
    for (path, a) in &answers {
        assert_eq!(a.header("x-content-type-options"), Some("nosniff"), "{path}");
        assert_eq!(a.header("x-frame-options"), Some("DENY"), "{path}");
        assert_eq!(a.header("referrer-policy"), Some("no-referrer"), "{path}");
        assert!(a.header("strict-transport-security").is_some(), "{path}");
    }
    let csp = |i: usize| answers[i].1.header("content-security-policy").unwrap_or_default().to_owned();
    assert_eq!(csp(1), "default-src 'none'; frame-ancestors 'none'");
    assert!(csp(4).starts_with("default-src 'self'"), "{}", csp(4));
    assert_eq!(answers[1].1.header("cache-control"), Some("no-store"));
    assert_eq!(answers[2].1.header("cache-control"), Some("no-store"));
}
