use glassbox_tests::spawn_app;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn malformed_json_is_a_400_problem() {
    let app = spawn_app().await;
    let res = app
        .client
        .post(format!("{}/api/v1/auth/token", app.address))
        .header("content-type", "application/json")
        .body(r#"{"email":"#)
        .send()
        .await
        .unwrap();
    let answer = glassbox_tests::TestApp::answer(res).await.expect_problem(400, "malformed_request");
    assert!(answer.body["detail"].as_str().unwrap().contains("not valid JSON"));
}

#[tokio::test]
async fn oversized_body_is_a_413_problem() {
    let app = spawn_app().await;
    let big = format!(r#"{{"email":"{}","password":"x"}}"#, "a".repeat(2 * 1024 * 1024));
    let res = app
        .client
        .post(format!("{}/api/v1/auth/token", app.address))
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    let answer = glassbox_tests::TestApp::answer(res).await.expect_problem(413, "payload_too_large");
    assert_eq!(answer.body["detail"], "request body exceeds 1048576 bytes");
}

#[tokio::test]
async fn body_limit_is_configurable() {
    let app = glassbox_tests::spawn_app_with(|s| s.body_limit = 1024).await;
    let body = json!({"email": "a".repeat(1100), "password": "x"});
    let answer = app.call(Method::POST, "/api/v1/auth/token", None, Some(body)).await;
    assert_eq!(
        answer.expect_problem(413, "payload_too_large").body["detail"],
        "request body exceeds 1024 bytes"
    );
}

#[tokio::test]
async fn wrong_content_type_is_a_415_problem() {
    let app = spawn_app().await;
    let res = app
        .client
        .post(format!("{}/api/v1/auth/token", app.address))
        .header("content-type", "text/plain")
        .body(r#"{"email":"a@b.test","password":"x"}"#)
        .send()
        .await
        .unwrap();
    glassbox_tests::TestApp::answer(res)
        .await
        .expect_problem(415, "unsupported_media_type");
}

#[tokio::test]
async fn unknown_route_is_404_and_wrong_method_is_405_with_allow() {
    let app = spawn_app().await;
    app.call(Method::GET, "/api/v1/nothing-here", None, None)
        .await
        .expect_problem(404, "route_not_found");
    let answer = app
        .call(Method::DELETE, "/api/v1/users", None, None)
        .await
        .expect_problem(405, "method_not_allowed");
    assert_eq!(answer.header("allow"), Some("GET, POST"));
    let answer = app
        .call(Method::PUT, "/api/v1/teams/0190a0a0-0000-7000-8000-000000000000", None, None)
        .await;
    let answer = answer.expect_problem(405, "method_not_allowed");
    assert_eq!(answer.header("allow"), Some("GET, DELETE, PATCH"));
    // Literal paths beside an `/{id}` route keep their own methods.
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    for (method, path, allow) in [
        (Method::PATCH, "/api/v1/opportunities/changes", "GET"),
        (Method::DELETE, "/api/v1/opportunities/totals", "GET"),
        (Method::GET, "/api/v1/activities/batch", "POST"),
        (Method::PATCH, "/api/v1/activities/changes", "GET"),
    ] {
        let answer = app
            .call(method.clone(), path, Some(&admin.access_token), Some(json!({})))
            .await
            .expect_problem(405, "method_not_allowed");
        assert_eq!(answer.header("allow"), Some(allow), "{method} {path}");
    }
    app.call(
        Method::PATCH,
        "/api/v1/opportunities/not-an-id",
        Some(&admin.access_token),
        Some(json!({})),
    )
    .await
    .expect_problem(404, "not_found");
}

#[tokio::test]
async fn query_texts_and_unused_paging_parameters_are_checked() {
    let app = spawn_app().await;
    let t = app.bootstrap("Acme", "ana@acme.test").await.access_token;
    let long = "x".repeat(101);
    for (url, field) in [
        (format!("/api/v1/accounts?q={long}"), "q"),
        (format!("/api/v1/opportunities?q={long}"), "q"),
        (format!("/api/v1/opportunities?external_id={}", "x".repeat(256)), "external_id"),
        (
            format!("/api/v1/opportunities/totals?external_id={}", "x".repeat(256)),
            "external_id",
        ),
        ("/api/v1/opportunities/totals?limit=0".to_owned(), "limit"),
        ("/api/v1/opportunities/totals?cursor=abc".to_owned(), "cursor"),
    ] {
        let bad = app.get(&url, &t).await.expect_problem(422, "validation_failed");
        assert_eq!(bad.error_fields(), [field], "{url}");
    }
    app.get(&format!("/api/v1/accounts?q={}", "x".repeat(100)), &t).await.expect(200);
}

#[tokio::test]
async fn wrong_types_and_missing_fields_name_the_field() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let missing = app
        .post(
            "/api/v1/users",
            &admin.access_token,
            json!({"name": "Bo", "role": "rep", "password": "x".repeat(12)}),
        )
        .await;
    let missing = missing.expect_problem(422, "validation_failed");
    assert_eq!(missing.error_fields(), ["email"]);
    assert_eq!(missing.body["errors"][0]["code"], "required");
    let wrong = app
        .post(
            "/api/v1/users",
            &admin.access_token,
            json!({"name": "Bo", "email": "bo@acme.test", "role": "king", "password": "x".repeat(12)}),
        )
        .await;
    assert_eq!(wrong.expect_problem(422, "validation_failed").error_fields(), ["role"]);
    let unknown = app
        .post(
            "/api/v1/users",
            &admin.access_token,
            json!({"name": "Bo", "email": "bo@acme.test", "role": "rep", "password": "x".repeat(12), "salary": 1}),
        )
        .await;
    let unknown = unknown.expect_problem(422, "validation_failed");
    assert_eq!(unknown.error_fields(), ["salary"]);
    assert_eq!(unknown.body["errors"][0]["code"], "unknown_field");
    let bad_limit = app
        .get("/api/v1/users?limit=abc", &admin.access_token)
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(bad_limit.error_fields(), ["limit"]);
    let big_limit = app
        .get("/api/v1/users?limit=201", &admin.access_token)
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(big_limit.error_fields(), ["limit"]);
    let bad_cursor = app
        .get("/api/v1/users?cursor=nope", &admin.access_token)
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(bad_cursor.error_fields(), ["cursor"]);
    app.get("/api/v1/users/not-a-uuid", &admin.access_token)
        .await
        .expect_problem(404, "not_found");
}

/// PostgreSQL cannot store U+0000 in text; every JSON string is checked at
/// the edge, so no backend ever sees one (this was a 500 on PostgreSQL).
#[tokio::test]
async fn nul_and_control_characters_are_refused_with_the_field_name() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let login = json!({"email": "p\u{0}@p.test", "password": "whatever it is"});
    let answer = app
        .call(Method::POST, "/api/v1/auth/token", None, Some(login))
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(answer.error_fields(), ["email"]);
    assert_eq!(answer.body["errors"][0]["code"], "invalid_character");
    let org = app
        .patch("/api/v1/org", &admin.access_token, json!({"name": "Acme\u{0}Evil"}))
        .await;
    assert_eq!(org.expect_problem(422, "validation_failed").error_fields(), ["name"]);
    let team = app
        .post(
            "/api/v1/teams",
            &admin.access_token,
            json!({"name": "T", "kind": "sales", "member_user_ids": ["a\u{0}"]}),
        )
        .await;
    assert_eq!(team.expect_problem(422, "validation_failed").error_fields(), ["member_user_ids[0]"]);
    for name in ["Acme\u{7}", "\u{1b}[31mRed", "evil\u{202E}txt"] {
        let answer = app
            .post("/api/v1/teams", &admin.access_token, json!({"name": name, "kind": "sales"}))
            .await;
        let answer = answer.expect_problem(422, "validation_failed");
        assert_eq!(answer.body["errors"][0]["code"], "invalid_character", "{name:?}");
    }
    let blank = app
        .post(
            "/api/v1/teams",
            &admin.access_token,
            json!({"name": "\u{200B}\u{200B}", "kind": "sales"}),
        )
        .await;
    assert_eq!(blank.expect_problem(422, "validation_failed").body["errors"][0]["code"], "blank");
    let org = app.get("/api/v1/org", &admin.access_token).await.expect(200);
    assert_eq!(org.body["name"], "Acme");
}
