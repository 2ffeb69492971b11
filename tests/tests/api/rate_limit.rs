//! Rate limits per caller: 429 with Retry-After and the IETF RateLimit
//! headers; a user's budget and a client address's budget are apart.

use glassbox_tests::{PASSWORD, spawn_app_with};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn a_caller_over_its_limit_gets_429_with_retry_after_and_others_go_on() {
    let app = spawn_app_with(|s| s.rate_limit_per_minute = 3).await;
    // Signing in costs the address one request (the token) and the user one
    // (the harness reads /me).
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let t = &admin.access_token;
    let mut seen = Vec::new();
    for _ in 0..2 {
        let answer = app.get("/api/v1/me", t).await.expect(200);
        assert_eq!(answer.header("ratelimit-policy"), Some("\"default\";q=3;w=60"));
        seen.push(answer.header("ratelimit").unwrap().to_owned());
    }
    assert_eq!(seen, ["\"default\";r=1;t=0", "\"default\";r=0;t=20"]);
    let refused = app.get("/api/v1/me", t).await.expect_problem(429, "rate_limited");
    let retry: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=20).contains(&retry), "Retry-After {retry}");
    assert_eq!(refused.header("ratelimit"), Some(format!("\"default\";r=0;t={retry}").as_str()));

    // Health checks are not limited; the address still has two requests.
    app.call(Method::GET, "/healthz", None, None).await.expect(200);
    let good = json!({"email": "ana@acme.test", "password": PASSWORD});
    let token = app.call(Method::POST, "/api/v1/auth/token", None, Some(good)).await.expect(200);
    // A new token of the same user shares the user's spent budget.
    let fresh = token.body["access_token"].as_str().unwrap();
    app.get("/api/v1/me", fresh).await.expect_problem(429, "rate_limited");
    let wrong = json!({"email": "ana@acme.test", "password": "wrong password"});
    app.call(Method::POST, "/api/v1/auth/token", None, Some(wrong.clone()))
        .await
        .expect_problem(401, "unauthenticated");
    app.call(Method::POST, "/api/v1/auth/token", None, Some(wrong))
        .await
        .expect_problem(429, "rate_limited");
}

#[tokio::test]
async fn sign_ins_are_throttled_with_the_same_answer_for_known_and_unknown_emails() {
    let app = spawn_app_with(|s| s.login_attempts_per_minute = 3).await;
    app.bootstrap("Acme", "ana@acme.test").await; // one attempt
    let attempt = |email: &str, password: &str| {
        let body = json!({"email": email, "password": password});
        app.call(Method::POST, "/api/v1/auth/token", None, Some(body))
    };
    attempt("nobody@acme.test", "wrong password")
        .await
        .expect_problem(401, "unauthenticated");
    attempt("ana@acme.test", "wrong password")
        .await
        .expect_problem(401, "unauthenticated");
    // This address has used its three attempts: even the right password waits.
    let refused = attempt("ana@acme.test", PASSWORD).await.expect_problem(429, "rate_limited");
    let retry: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=20).contains(&retry), "Retry-After {retry}");
    let unknown = attempt("nobody@acme.test", "wrong password")
        .await
        .expect_problem(429, "rate_limited");
    assert_eq!(
        (&unknown.body["title"], &unknown.body["code"]),
        (&refused.body["title"], &refused.body["code"])
    );
    assert!(unknown.header("retry-after").is_some());
}
