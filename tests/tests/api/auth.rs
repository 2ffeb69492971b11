use chrono::{DateTime, Duration, Utc};
use glassbox_tests::{PASSWORD, T0, spawn_app};
use reqwest::Method;
use serde_json::json;

async fn refresh(app: &glassbox_tests::TestApp, token: &str) -> glassbox_tests::Answer {
    app.call(Method::POST, "/api/v1/auth/refresh", None, Some(json!({"refresh_token": token})))
        .await
}

#[tokio::test]
async fn bootstrap_then_token_then_me() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme Hardware", "Ana@Acme.test").await;
    let me = app.get("/api/v1/me", &admin.access_token).await.expect(200);
    assert_eq!(me.body["user"]["email"], "ana@acme.test");
    assert_eq!(me.body["user"]["role"], "admin");
    assert_eq!(me.body["user"]["active"], true);
    assert_eq!(me.body["org"]["name"], "Acme Hardware");
    assert_eq!(me.body["org"]["base_currency"], "USD");
    assert_eq!(me.body["org"]["time_zone"], "UTC");
    assert_eq!(me.body["org"]["created_at"], "2017-06-30T12:00:00Z");
    let token = app
        .call(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(json!({"email": "ana@acme.test", "password": PASSWORD})),
        )
        .await
        .expect(200);
    assert_eq!(token.body["token_type"], "Bearer");
    assert_eq!(token.body["expires_in"], 900);
    assert!(token.body["refresh_token"].as_str().unwrap().starts_with("gbr_"));
    assert_eq!(token.header("cache-control"), Some("no-store"));
    // The auth scheme name is case-insensitive.
    let res = app
        .client
        .get(format!("{}/api/v1/me", app.address))
        .header("authorization", format!("BEARER {}", admin.access_token))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_401() {
    let app = spawn_app().await;
    app.bootstrap("Acme", "ana@acme.test").await;
    for body in [
        json!({"email": "ana@acme.test", "password": "wrong password!"}),
        json!({"email": "nobody@acme.test", "password": PASSWORD}),
    ] {
        let answer = app
            .call(Method::POST, "/api/v1/auth/token", None, Some(body))
            .await
            .expect_problem(401, "unauthenticated");
        assert_eq!(answer.body["detail"], "unauthenticated: invalid email or password");
        assert_eq!(answer.header("www-authenticate"), Some("Bearer"));
    }
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_whole_family() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let first = refresh(&app, &admin.refresh_token).await.expect(200);
    let second_token = first.body["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(second_token, admin.refresh_token);
    app.get("/api/v1/me", first.body["access_token"].as_str().unwrap())
        .await
        .expect(200);
    // Reusing the rotated token is refused and kills the family ...
    refresh(&app, &admin.refresh_token).await.expect_problem(401, "unauthenticated");
    // ... so the newer token, never used, is dead too.
    refresh(&app, &second_token).await.expect_problem(401, "unauthenticated");
    // A separate sign-in is a separate family and still works.
    let other = app.login("ana@acme.test").await;
    refresh(&app, &other.refresh_token).await.expect(200);
}

#[tokio::test]
async fn logout_revokes_the_refresh_token_and_is_idempotent() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let body = json!({"refresh_token": admin.refresh_token});
    let out = app
        .call(Method::POST, "/api/v1/auth/logout", None, Some(body.clone()))
        .await
        .expect(204);
    assert_eq!(out.body, serde_json::Value::Null);
    app.call(Method::POST, "/api/v1/auth/logout", None, Some(body)).await.expect(204);
    refresh(&app, &admin.refresh_token).await.expect_problem(401, "unauthenticated");
}

#[tokio::test]
async fn access_token_expires_on_the_injected_clock_and_refresh_token_too() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let t0: DateTime<Utc> = T0.parse().unwrap();
    app.set_now(t0 + Duration::minutes(14));
    app.get("/api/v1/me", &admin.access_token).await.expect(200);
    app.set_now(t0 + Duration::minutes(16));
    let expired = app
        .get("/api/v1/me", &admin.access_token)
        .await
        .expect_problem(401, "unauthenticated");
    assert!(expired.body["detail"].as_str().unwrap().contains("expired"));
    app.set_now(t0 + Duration::days(31));
    refresh(&app, &admin.refresh_token).await.expect_problem(401, "unauthenticated");
}

#[tokio::test]
async fn tampered_missing_and_foreign_tokens_get_401() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let mut tampered = admin.access_token.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    app.get("/api/v1/me", &tampered).await.expect_problem(401, "unauthenticated");
    app.call(Method::GET, "/api/v1/me", None, None)
        .await
        .expect_problem(401, "unauthenticated");
    let garbage = app.get("/api/v1/me", "not.a.jwt").await.expect_problem(401, "unauthenticated");
    assert_eq!(garbage.body["detail"], "unauthenticated: invalid access token");
    // A token signed with another server's secret.
    let other = glassbox_tests::spawn_app().await;
    let stranger = other.bootstrap("Other", "ana@acme.test").await;
    app.get("/api/v1/me", &stranger.access_token)
        .await
        .expect_problem(401, "unauthenticated");
}

#[tokio::test]
async fn a_deactivated_user_is_locked_out_at_the_next_request() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let rep = app.user(&admin, "rita@acme.test", "rep", &[]).await;
    app.get("/api/v1/me", &rep.access_token).await.expect(200);
    app.patch(
        &format!("/api/v1/users/{}", rep.user_id),
        &admin.access_token,
        json!({"active": false}),
    )
    .await
    .expect(200);
    app.get("/api/v1/me", &rep.access_token)
        .await
        .expect_problem(401, "unauthenticated");
    refresh(&app, &rep.refresh_token).await.expect_problem(401, "unauthenticated");
    app.call(
        Method::POST,
        "/api/v1/auth/token",
        None,
        Some(json!({"email": "rita@acme.test", "password": PASSWORD})),
    )
    .await
    .expect_problem(401, "unauthenticated");
}

#[tokio::test]
async fn same_email_in_two_orgs_needs_org_id_to_sign_in() {
    let app = spawn_app().await;
    let a = app.bootstrap("Org A", "sam@shared.test").await;
    glassbox_api::cli::bootstrap(&app.store, "Org B", "sam@shared.test", "Sam", PASSWORD)
        .await
        .unwrap();
    let ambiguous = app
        .call(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(json!({"email": "sam@shared.test", "password": PASSWORD})),
        )
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(ambiguous.error_fields(), ["org_id"]);
    let chosen = app
        .call(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(json!({"email": "sam@shared.test", "password": PASSWORD, "org_id": a.org_id})),
        )
        .await
        .expect(200);
    let me = app
        .get("/api/v1/me", chosen.body["access_token"].as_str().unwrap())
        .await
        .expect(200);
    assert_eq!(me.body["org"]["name"], "Org A");
}

/// Tokens the server did not sign as it signs are refused: `alg: none`,
/// another key, expired, or for a user deactivated since.
#[tokio::test]
async fn forged_expired_and_orphaned_tokens_are_401() {
    use base64::Engine;
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let now: DateTime<Utc> = T0.parse().unwrap();
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let claims = json!({"sub": admin.user_id, "org": admin.org_id, "iss": "glassbox", "aud": "glassbox-api",
        "iat": now.timestamp(), "nbf": now.timestamp(), "exp": now.timestamp() + 900, "jti": uuid::Uuid::now_v7()});
    let unsigned = format!(
        "{}.{}.",
        b64.encode(br#"{"alg":"none","typ":"JWT"}"#),
        b64.encode(claims.to_string())
    );
    let other_key = secrecy::SecretString::from("another secret of at least thirty-two bytes!!".to_owned());
    let foreign = glassbox_api::auth::jwt::JwtKeys::new(&other_key, Duration::minutes(15))
        .unwrap()
        .issue(admin.org_id, admin.user_id, now)
        .unwrap();
    for token in [unsigned, foreign] {
        app.get("/api/v1/me", &token).await.expect_problem(401, "unauthenticated");
    }
    app.get("/api/v1/me", &admin.access_token).await.expect(200);
    app.set_now(now + Duration::minutes(16));
    app.get("/api/v1/me", &admin.access_token)
        .await
        .expect_problem(401, "unauthenticated");
}
