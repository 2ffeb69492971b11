use glassbox_tests::spawn_app;
use serde_json::json;
use uuid::Uuid;

async fn team(app: &glassbox_tests::TestApp, token: &str, name: &str, parent: Option<Uuid>) -> Uuid {
    let body = json!({"name": name, "kind": "sales", "parent_team_id": parent});
    let created = app.post("/api/v1/teams", token, body).await.expect(201);
    created.body["id"].as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn manager_sees_their_team_and_every_sub_team() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let central = team(&app, &admin.access_token, "Central", None).await;
    let east = team(&app, &admin.access_token, "Central East", Some(central)).await;
    let east_inner = team(&app, &admin.access_token, "Central East Inner", Some(east)).await;
    let west = team(&app, &admin.access_token, "West", None).await;
    let manager = app.user(&admin, "max@acme.test", "manager", &[central]).await;
    let rep = app.user(&admin, "rita@acme.test", "rep", &[east]).await;
    let mut expected = vec![central, east, east_inner];
    expected.sort();
    let me = app.get("/api/v1/me", &manager.access_token).await.expect(200);
    let visible: Vec<Uuid> = serde_json::from_value(me.body["visible_team_ids"].clone()).unwrap();
    assert_eq!(visible, expected);
    assert!(!visible.contains(&west));
    let rep_me = app.get("/api/v1/me", &rep.access_token).await.expect(200);
    assert_eq!(rep_me.body["visible_team_ids"], json!([east]));
    let east_team = app.get(&format!("/api/v1/teams/{east}"), &admin.access_token).await.expect(200);
    assert_eq!(east_team.body["member_user_ids"], json!([rep.user_id]));
    assert_eq!(east_team.body["parent_team_id"], json!(central));
}

#[tokio::test]
async fn a_team_cannot_be_moved_below_itself() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let top = team(&app, &admin.access_token, "Top", None).await;
    let mid = team(&app, &admin.access_token, "Mid", Some(top)).await;
    let low = team(&app, &admin.access_token, "Low", Some(mid)).await;
    let cycle = app
        .patch(&format!("/api/v1/teams/{top}"), &admin.access_token, json!({"parent_team_id": low}))
        .await;
    let cycle = cycle.expect_problem(422, "validation_failed");
    assert_eq!(cycle.error_fields(), ["parent_team_id"]);
    assert_eq!(cycle.body["errors"][0]["code"], "cycle");
    let moved = app
        .patch(
            &format!("/api/v1/teams/{low}"),
            &admin.access_token,
            json!({"parent_team_id": null}),
        )
        .await
        .expect(200);
    assert_eq!(moved.body["parent_team_id"], serde_json::Value::Null);
    assert_eq!(moved.body["version"], 2);
}

#[tokio::test]
async fn team_names_are_unique_per_org_and_deletes_need_no_children() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let other = app.bootstrap("Other", "olga@other.test").await;
    let top = team(&app, &admin.access_token, "Sales", None).await;
    team(&app, &other.access_token, "Sales", None).await;
    app.post("/api/v1/teams", &admin.access_token, json!({"name": "Sales", "kind": "presales"}))
        .await
        .expect_problem(409, "conflict");
    let child = team(&app, &admin.access_token, "Sales East", Some(top)).await;
    let delete = |id: Uuid| {
        app.client
            .delete(format!("{}/api/v1/teams/{id}", app.address))
            .bearer_auth(&admin.access_token)
            .send()
    };
    glassbox_tests::TestApp::answer(delete(top).await.unwrap())
        .await
        .expect_problem(409, "conflict");
    glassbox_tests::TestApp::answer(delete(child).await.unwrap()).await.expect(204);
    glassbox_tests::TestApp::answer(delete(top).await.unwrap()).await.expect(204);
    app.get(&format!("/api/v1/teams/{top}"), &admin.access_token)
        .await
        .expect_problem(404, "not_found");
}

#[tokio::test]
async fn teams_of_other_orgs_cannot_be_read_linked_or_changed() {
    let app = spawn_app().await;
    let a = app.bootstrap("Org A", "ana@a.test").await;
    let b = app.bootstrap("Org B", "bob@b.test").await;
    let b_team = team(&app, &b.access_token, "B Sales", None).await;
    app.get(&format!("/api/v1/teams/{b_team}"), &a.access_token)
        .await
        .expect_problem(404, "not_found");
    app.patch(&format!("/api/v1/teams/{b_team}"), &a.access_token, json!({"name": "Mine"}))
        .await
        .expect_problem(404, "not_found");
    let link = app
        .post(
            "/api/v1/teams",
            &a.access_token,
            json!({"name": "A", "kind": "sales", "parent_team_id": b_team}),
        )
        .await;
    assert_eq!(link.expect_problem(422, "validation_failed").error_fields(), ["parent_team_id"]);
    let member = app
        .post(
            "/api/v1/teams",
            &a.access_token,
            json!({"name": "A", "kind": "sales", "member_user_ids": [b.user_id]}),
        )
        .await;
    assert_eq!(member.expect_problem(422, "validation_failed").error_fields(), ["member_user_ids"]);
    let join = app
        .patch(
            &format!("/api/v1/users/{}", a.user_id),
            &a.access_token,
            json!({"team_ids": [b_team]}),
        )
        .await;
    assert_eq!(join.expect_problem(422, "validation_failed").error_fields(), ["team_ids"]);
    let rep = app.user(&a, "rita@a.test", "rep", &[]).await;
    app.post("/api/v1/teams", &rep.access_token, json!({"name": "Rogue", "kind": "sales"}))
        .await
        .expect_problem(403, "forbidden");
}

/// Two admins move two teams under each other at the same moment: exactly
/// one move wins, the other is refused as a cycle, never a 500 or a deadlock.
#[tokio::test]
async fn concurrent_opposite_moves_never_create_a_cycle_or_fail() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    for round in 0..5 {
        let a = team(&app, &admin.access_token, &format!("A{round}"), None).await;
        let b = team(&app, &admin.access_token, &format!("B{round}"), None).await;
        let move_under = |team: Uuid, parent: Uuid| {
            app.client
                .patch(format!("{}/api/v1/teams/{team}", app.address))
                .bearer_auth(&admin.access_token)
                .json(&json!({"parent_team_id": parent}))
                .send()
        };
        let (first, second) = tokio::join!(move_under(a, b), move_under(b, a));
        let mut statuses = vec![first.unwrap().status().as_u16(), second.unwrap().status().as_u16()];
        statuses.sort();
        assert_eq!(statuses, [200, 422], "round {round}");
        let ta = app.get(&format!("/api/v1/teams/{a}"), &admin.access_token).await.expect(200);
        let tb = app.get(&format!("/api/v1/teams/{b}"), &admin.access_token).await.expect(200);
        let parents = [ta.body["parent_team_id"].clone(), tb.body["parent_team_id"].clone()];
        assert_eq!(
            parents.iter().filter(|p| p.is_null()).count(),
            1,
            "round {round}: exactly one move stored"
        );
    }
}

#[tokio::test]
async fn a_manager_sees_the_teams_they_manage_without_being_a_member() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let manager = app.user(&admin, "max@acme.test", "manager", &[]).await;
    let top = app
        .post(
            "/api/v1/teams",
            &admin.access_token,
            json!({"name": "Top", "kind": "sales", "manager_user_id": manager.user_id}),
        )
        .await
        .expect(201);
    let top: Uuid = top.body["id"].as_str().unwrap().parse().unwrap();
    let sub = team(&app, &admin.access_token, "Sub", Some(top)).await;
    let me = app.get("/api/v1/me", &manager.access_token).await.expect(200);
    let mut expected = vec![top, sub];
    expected.sort();
    assert_eq!(me.body["visible_team_ids"], json!(expected));
}
