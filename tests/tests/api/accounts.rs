use glassbox_tests::spawn_app;
use serde_json::{Value, json};

#[tokio::test]
async fn accounts_contacts_and_products_round_trip_with_validation() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let parent = app
        .post("/api/v1/accounts", &admin.access_token, json!({"name": "Acme Holding"}))
        .await
        .expect(201);
    let parent_id = parent.body["id"].as_str().unwrap().to_owned();
    let body = json!({"name": "Acme Corporation", "parent_account_id": parent_id, "industry": "technolgy", "website": "https://acme.example",
                      "employees": 2822, "annual_revenue": "718370000", "external_id": "Acme Corporation"});
    let account = app.post("/api/v1/accounts", &admin.access_token, body).await.expect(201);
    assert_eq!(account.body["annual_revenue"], "718370000.00");
    assert_eq!(account.body["currency"], "USD");
    assert_eq!(account.body["industry"], "technolgy");
    assert_eq!(account.body["owner_id"], json!(admin.user_id));
    let id = account.body["id"].as_str().unwrap().to_owned();
    let dup = json!({"name": "Other", "external_id": "Acme Corporation"});
    app.post("/api/v1/accounts", &admin.access_token, dup)
        .await
        .expect_problem(409, "conflict");
    let bad = json!({"name": "", "website": "acme.example", "employees": -3, "annual_revenue": "1.234"});
    let bad = app
        .post("/api/v1/accounts", &admin.access_token, bad)
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(bad.error_fields(), ["name", "website", "employees", "annual_revenue"]);
    let cycle = app
        .patch(
            &format!("/api/v1/accounts/{parent_id}"),
            &admin.access_token,
            json!({"parent_account_id": id}),
        )
        .await;
    assert_eq!(cycle.expect_problem(422, "validation_failed").error_fields(), ["parent_account_id"]);
    let found = app.get("/api/v1/accounts?q=CORP", &admin.access_token).await.expect(200);
    let names: Vec<&str> = found.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Acme Corporation"]);

    let contact =
        json!({"account_id": id, "name": "Carla Buyer", "email": "Carla@Acme.example", "phone": "+1 (415) 555-0100", "title": "CFO"});
    let contact = app.post("/api/v1/contacts", &admin.access_token, contact).await.expect(201);
    assert_eq!(contact.body["email"], "carla@acme.example");
    let listed = app
        .get(&format!("/api/v1/contacts?account_id={id}"), &admin.access_token)
        .await
        .expect(200);
    assert_eq!(listed.body["data"].as_array().unwrap().len(), 1);
    let bad_contact = json!({"name": "X", "email": "nope", "phone": "call me"});
    let bad_contact = app
        .post("/api/v1/contacts", &admin.access_token, bad_contact)
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(bad_contact.error_fields(), ["email", "phone"]);
    // An account with live contacts cannot be deleted.
    let del = app
        .client
        .delete(format!("{}/api/v1/accounts/{id}", app.address))
        .bearer_auth(&admin.access_token)
        .send()
        .await
        .unwrap();
    glassbox_tests::TestApp::answer(del).await.expect_problem(409, "conflict");

    let product = json!({"name": "GTX Pro", "code": "GTXPRO", "list_price": "4821"});
    let product = app.post("/api/v1/products", &admin.access_token, product).await.expect(201);
    assert_eq!(product.body["list_price"], "4821.00");
    let pid = product.body["id"].as_str().unwrap().to_owned();
    let repriced = app
        .patch(&format!("/api/v1/products/{pid}"), &admin.access_token, json!({"currency": "EUR"}))
        .await;
    assert_eq!(repriced.expect_problem(422, "validation_failed").error_fields(), ["list_price"]);
    let repriced = app
        .patch(
            &format!("/api/v1/products/{pid}"),
            &admin.access_token,
            json!({"currency": "EUR", "list_price": "4500.5"}),
        )
        .await;
    assert_eq!(repriced.expect(200).body["list_price"], "4500.50");
    let rep = app.user(&admin, "rita@acme.test", "rep", &[]).await;
    app.post("/api/v1/products", &rep.access_token, json!({"name": "Cheap", "list_price": "1"}))
        .await
        .expect_problem(403, "forbidden");

    let opp = json!({"name": "Acme deal", "account_id": id, "product_id": pid, "amount": "4500.50", "currency": "EUR"});
    let opp = app.post("/api/v1/opportunities", &admin.access_token, opp).await.expect(201);
    assert_eq!(opp.body["product_id"], json!(pid));
}

#[tokio::test]
async fn another_orgs_records_are_invisible_and_unlinkable() {
    let app = spawn_app().await;
    let a = app.bootstrap("Org A", "ana@a.test").await;
    let b = app.bootstrap("Org B", "bob@b.test").await;
    let b_account = app
        .post("/api/v1/accounts", &b.access_token, json!({"name": "B customer"}))
        .await
        .expect(201);
    let b_id = b_account.body["id"].as_str().unwrap().to_owned();
    app.get(&format!("/api/v1/accounts/{b_id}"), &a.access_token)
        .await
        .expect_problem(404, "not_found");
    app.patch(&format!("/api/v1/accounts/{b_id}"), &a.access_token, json!({"name": "Mine"}))
        .await
        .expect_problem(404, "not_found");
    for (path, body, field) in [
        ("/api/v1/contacts", json!({"name": "X", "account_id": b_id}), "account_id"),
        ("/api/v1/opportunities", json!({"name": "X", "account_id": b_id}), "account_id"),
        (
            "/api/v1/accounts",
            json!({"name": "X", "parent_account_id": b_id}),
            "parent_account_id",
        ),
        (
            "/api/v1/activities",
            json!({"type": "call", "subject": "X", "occurred_at": "2017-06-30T10:00:00Z", "account_id": b_id}),
            "account_id",
        ),
    ] {
        let answer = app.post(path, &a.access_token, body).await.expect_problem(422, "validation_failed");
        assert_eq!(answer.error_fields(), [field], "{path}");
    }
    let listed = app.get("/api/v1/accounts", &a.access_token).await.expect(200);
    assert_eq!(listed.body["data"], Value::Array(vec![]));
}
