use glassbox_tests::spawn_app;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn admin_creates_a_user_with_a_client_id_and_etag() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let id = "01900000-0000-7000-8000-000000000001";
    let created = app
        .post(
            "/api/v1/users",
            &admin.access_token,
            json!({"id": id, "name": " Rita Rep ", "email": "Rita@Acme.test", "role": "rep", "password": glassbox_tests::PASSWORD}),
        )
        .await
        .expect(201);
    assert_eq!(created.header("etag"), Some("\"1\""));
    assert_eq!(created.header("location"), Some(format!("/api/v1/users/{id}").as_str()));
    assert_eq!(
        created.body,
        json!({"id": id, "name": "Rita Rep", "email": "rita@acme.test", "role": "rep", "active": true, "team_ids": [],
               "version": 1, "created_at": "2017-06-30T12:00:00Z", "updated_at": "2017-06-30T12:00:00Z"})
    );
    let fetched = app.get(&format!("/api/v1/users/{id}"), &admin.access_token).await.expect(200);
    assert_eq!(fetched.body, created.body);
    let rita = app.login("rita@acme.test").await;
    assert_eq!(rita.user_id.to_string(), id);
}

#[tokio::test]
async fn duplicate_email_is_409_case_insensitively() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let body = json!({"name": "Rita", "email": "rita@acme.test", "role": "rep", "password": "twelve chars"});
    app.post("/api/v1/users", &admin.access_token, body).await.expect(201);
    let again = json!({"name": "Rita 2", "email": "RITA@acme.test", "role": "rep", "password": "twelve chars"});
    app.post("/api/v1/users", &admin.access_token, again)
        .await
        .expect_problem(409, "conflict");
    let users = app.get("/api/v1/users", &admin.access_token).await.expect(200);
    assert_eq!(users.body["data"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn invalid_user_names_every_bad_field_and_writes_nothing() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let bad = app
        .post(
            "/api/v1/users",
            &admin.access_token,
            json!({"name": "  ", "email": "no-at-sign", "role": "rep", "password": "short"}),
        )
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(bad.error_fields(), ["name", "email", "password"]);
    assert_eq!(bad.body["errors"][2]["code"], "too_short");
    let unknown_team = json!({"name": "Bo", "email": "bo@acme.test", "role": "rep", "password": "twelve chars", "team_ids": ["01900000-0000-7000-8000-0000000000ff"]});
    let answer = app
        .post("/api/v1/users", &admin.access_token, unknown_team)
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(answer.error_fields(), ["team_ids"]);
    let users = app.get("/api/v1/users", &admin.access_token).await.expect(200);
    assert_eq!(users.body["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn only_admins_create_users_and_change_roles() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let rep = app.user(&admin, "rita@acme.test", "rep", &[]).await;
    let body = json!({"name": "Bo", "email": "bo@acme.test", "role": "admin", "password": "twelve chars"});
    app.post("/api/v1/users", &rep.access_token, body)
        .await
        .expect_problem(403, "forbidden");
    let own = format!("/api/v1/users/{}", rep.user_id);
    app.patch(&own, &rep.access_token, json!({"role": "admin"}))
        .await
        .expect_problem(403, "forbidden");
    let renamed = app.patch(&own, &rep.access_token, json!({"name": "Rita R."})).await.expect(200);
    assert_eq!(renamed.body["name"], "Rita R.");
    assert_eq!(renamed.body["version"], 2);
    let admins = format!("/api/v1/users/{}", admin.user_id);
    app.patch(&admins, &rep.access_token, json!({"name": "Hacked"}))
        .await
        .expect_problem(403, "forbidden");
    let lockout = app
        .patch(&admins, &admin.access_token, json!({"active": false}))
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(lockout.body["errors"][0]["code"], "self_lockout");
    assert_eq!(lockout.error_fields(), ["active"]);
}

#[tokio::test]
async fn a_user_changes_their_password_and_the_old_one_stops_working() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let path = format!("/api/v1/users/{}", admin.user_id);
    let other_session = app.login("ana@acme.test").await;
    let missing = app
        .patch(&path, &admin.access_token, json!({"password": "a brand new passphrase"}))
        .await;
    assert_eq!(
        missing.expect_problem(422, "validation_failed").error_fields(),
        ["current_password"]
    );
    let wrong = json!({"password": "a brand new passphrase", "current_password": "not my password"});
    let wrong = app
        .patch(&path, &admin.access_token, wrong)
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(wrong.body["errors"][0]["code"], "incorrect");
    let change = json!({"password": "a brand new passphrase", "current_password": glassbox_tests::PASSWORD});
    app.patch(&path, &admin.access_token, change).await.expect(200);
    // Every other session ends: its refresh token is revoked.
    let refresh = json!({"refresh_token": other_session.refresh_token});
    app.call(Method::POST, "/api/v1/auth/refresh", None, Some(refresh))
        .await
        .expect_problem(401, "unauthenticated");
    let old = json!({"email": "ana@acme.test", "password": glassbox_tests::PASSWORD});
    app.call(Method::POST, "/api/v1/auth/token", None, Some(old))
        .await
        .expect_problem(401, "unauthenticated");
    let new = json!({"email": "ana@acme.test", "password": "a brand new passphrase"});
    app.call(Method::POST, "/api/v1/auth/token", None, Some(new)).await.expect(200);
}

#[tokio::test]
async fn stale_if_match_is_412_with_the_current_record_and_nothing_changes() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let rep = app.user(&admin, "rita@acme.test", "rep", &[]).await;
    let path = format!("/api/v1/users/{}", rep.user_id);
    let send = |etag: &'static str, name: &'static str| {
        app.client
            .patch(format!("{}{}", app.address, path))
            .bearer_auth(&admin.access_token)
            .header("if-match", etag)
            .json(&json!({"name": name}))
            .send()
    };
    let ok = glassbox_tests::TestApp::answer(send("\"1\"", "First").await.unwrap())
        .await
        .expect(200);
    assert_eq!(ok.header("etag"), Some("\"2\""));
    let stale = glassbox_tests::TestApp::answer(send("\"1\"", "Second").await.unwrap()).await;
    let stale = stale.expect_problem(412, "stale_version");
    assert_eq!(stale.header("etag"), Some("\"2\""));
    assert_eq!(stale.body["current"]["name"], "First");
    assert_eq!(stale.body["current"]["version"], 2);
    let bad = glassbox_tests::TestApp::answer(send("W/\"2\"", "Weak").await.unwrap()).await;
    bad.expect_problem(400, "malformed_request");
    let now = app.get(&path, &admin.access_token).await.expect(200);
    assert_eq!(now.body["name"], "First");
}

#[tokio::test]
async fn list_pages_by_cursor_without_skipping_or_repeating() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    for i in 0..6 {
        let body = json!({"name": format!("User {i}"), "email": format!("u{i}@acme.test"), "role": "viewer", "password": "twelve chars"});
        app.post("/api/v1/users", &admin.access_token, body).await.expect(201);
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/users?limit=3&cursor={c}"),
            None => "/api/v1/users?limit=3".to_owned(),
        };
        let page = app.get(&path, &admin.access_token).await.expect(200);
        pages += 1;
        for u in page.body["data"].as_array().unwrap() {
            seen.push(u["email"].as_str().unwrap().to_owned());
        }
        if pages == 1 {
            // A write between pages must not shift the next page.
            let body = json!({"name": "Late", "email": "late@acme.test", "role": "viewer", "password": "twelve chars"});
            app.post("/api/v1/users", &admin.access_token, body).await.expect(201);
        }
        match page.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    let expected: Vec<String> = [
        "ana@acme.test",
        "u0@acme.test",
        "u1@acme.test",
        "u2@acme.test",
        "u3@acme.test",
        "u4@acme.test",
        "u5@acme.test",
        "late@acme.test",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn another_orgs_user_is_404_for_read_and_write() {
    let app = spawn_app().await;
    let a = app.bootstrap("Org A", "ana@a.test").await;
    let b = app.bootstrap("Org B", "bob@b.test").await;
    let path = format!("/api/v1/users/{}", b.user_id);
    app.get(&path, &a.access_token).await.expect_problem(404, "not_found");
    app.patch(&path, &a.access_token, json!({"name": "Pwned"}))
        .await
        .expect_problem(404, "not_found");
    let list = app.get("/api/v1/users", &a.access_token).await.expect(200);
    let emails: Vec<&str> = list.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, ["ana@a.test"]);
    let mine = app.get(&path, &b.access_token).await.expect(200);
    assert_eq!(mine.body["name"], "Admin");
}

#[tokio::test]
async fn an_admin_reset_or_deactivation_ends_the_users_sessions_for_good() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let rep = app.user(&admin, "rita@acme.test", "rep", &[]).await;
    let path = format!("/api/v1/users/{}", rep.user_id);
    let refresh = |token: &str| app.call(Method::POST, "/api/v1/auth/refresh", None, Some(json!({"refresh_token": token})));
    app.patch(&path, &admin.access_token, json!({"password": "reset by the admin"}))
        .await
        .expect(200);
    refresh(&rep.refresh_token).await.expect_problem(401, "unauthenticated");
    let login = json!({"email": "rita@acme.test", "password": "reset by the admin"});
    let fresh = app.call(Method::POST, "/api/v1/auth/token", None, Some(login)).await.expect(200);
    let fresh_refresh = fresh.body["refresh_token"].as_str().unwrap().to_owned();
    app.patch(&path, &admin.access_token, json!({"active": false})).await.expect(200);
    app.patch(&path, &admin.access_token, json!({"active": true})).await.expect(200);
    // Reactivation does not bring back sessions from before the deactivation.
    refresh(&fresh_refresh).await.expect_problem(401, "unauthenticated");
}

#[tokio::test]
async fn null_for_a_field_that_cannot_be_cleared_is_refused_and_an_empty_patch_changes_nothing() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let rep = app.user(&admin, "rita@acme.test", "rep", &[]).await;
    let path = format!("/api/v1/users/{}", rep.user_id);
    for field in ["name", "email", "role", "active", "team_ids"] {
        let answer = app
            .patch(&path, &admin.access_token, json!({ field: null }))
            .await
            .expect_problem(422, "validation_failed");
        assert_eq!(answer.error_fields(), [field]);
        assert_eq!(answer.body["errors"][0]["code"], "invalid_type");
    }
    let same = app.patch(&path, &admin.access_token, json!({})).await.expect(200);
    assert_eq!(same.body["version"], 1);
    assert_eq!(same.header("etag"), Some("\"1\""));
    let org = app
        .patch("/api/v1/org", &admin.access_token, json!({"name": null}))
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(org.error_fields(), ["name"]);
}

#[tokio::test]
async fn placeholder_ids_and_wrongly_typed_enums_name_the_field() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let nil = json!({"id": "00000000-0000-0000-0000-000000000000", "name": "Bo", "email": "bo@acme.test", "role": "rep", "password": "twelve chars"});
    let answer = app
        .post("/api/v1/users", &admin.access_token, nil)
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(answer.error_fields(), ["id"]);
    assert_eq!(answer.body["errors"][0]["code"], "reserved_id");
    for role in [json!(null), json!(5), json!(true), json!({}), json!(["rep"])] {
        let body = json!({"name": "Bo", "email": "bo@acme.test", "role": role, "password": "twelve chars"});
        let answer = app
            .post("/api/v1/users", &admin.access_token, body)
            .await
            .expect_problem(422, "validation_failed");
        assert_eq!(answer.error_fields(), ["role"], "role {role}");
    }
}
