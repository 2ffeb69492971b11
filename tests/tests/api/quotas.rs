//! Quotas per fiscal period and exchange rates.

use glassbox_tests::{TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

async fn setup(app: &TestApp) -> (String, String, String) {
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let t = admin.access_token.clone();
    app.patch("/api/v1/org", &t, json!({"fiscal_year_start_month": 4, "time_zone": "Asia/Tokyo"}))
        .await
        .expect(200);
    let rep = app.user(&admin, "rick@acme.test", "rep", &[]).await;
    (t, rep.user_id.to_string(), rep.access_token)
}

#[tokio::test]
async fn quotas_follow_the_fiscal_calendar_and_never_overlap() {
    let app = spawn_app().await;
    let (t, rep, rep_token) = setup(&app).await;
    let q1 = app
        .post(
            "/api/v1/quotas",
            &t,
            json!({"user_id": rep, "period": "2017-Q1", "amount": "100000.00"}),
        )
        .await
        .expect(201);
    let body = &q1.body;
    assert_eq!(
        (&body["period"], &body["period_kind"], &body["first_day"], &body["last_day"]),
        (&json!("2017-Q1"), &json!("quarter"), &json!("2017-04-01"), &json!("2017-06-30"))
    );
    assert_eq!(
        (&body["amount"], &body["currency"], &body["team_id"]),
        (&json!("100000.00"), &json!("USD"), &Value::Null)
    );
    let month = app
        .post(
            "/api/v1/quotas",
            &t,
            json!({"user_id": rep, "period": "2017-M03", "amount": "30000"}),
        )
        .await
        .expect(201);
    assert_eq!(
        (&month.body["first_day"], &month.body["last_day"]),
        (&json!("2017-06-01"), &json!("2017-06-30"))
    );
    app.post(
        "/api/v1/quotas",
        &t,
        json!({"user_id": rep, "period": "2017", "amount": "400000.00"}),
    )
    .await
    .expect(201);

    // The same target and period length again: refused, naming the period.
    let again = app
        .post("/api/v1/quotas", &t, json!({"user_id": rep, "period": "2017-Q1", "amount": "1.00"}))
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(again.error_fields(), ["period"]);
    assert_eq!(again.body["errors"][0]["code"], "overlapping_quota");

    // Every bad field at once; reps may not set quotas.
    let bad = app
        .post(
            "/api/v1/quotas",
            &t,
            json!({"user_id": rep, "team_id": rep, "period": "2017-Q5", "amount": "1.234", "currency": "usd"}),
        )
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(bad.error_fields(), ["user_id", "period", "currency"]);
    let unknown = json!({"user_id": uuid::Uuid::now_v7(), "period": "2017-Q2", "amount": "1.00"});
    let unknown = app
        .post("/api/v1/quotas", &t, unknown)
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(unknown.error_fields(), ["user_id"]);
    let decimals = json!({"user_id": rep, "period": "2017-Q2", "amount": "1.234"});
    let decimals = app
        .post("/api/v1/quotas", &t, decimals)
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(decimals.error_fields(), ["amount"]);
    app.post(
        "/api/v1/quotas",
        &rep_token,
        json!({"user_id": rep, "period": "2017-Q2", "amount": "1.00"}),
    )
    .await
    .expect_problem(403, "forbidden");

    // Changes with If-Match; a new currency needs its amount.
    let path = format!("/api/v1/quotas/{}", q1.body["id"].as_str().unwrap());
    let no_amount = app
        .patch(&path, &t, json!({"currency": "EUR"}))
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(no_amount.error_fields(), ["amount"]);
    let changed = app.patch(&path, &t, json!({"amount": "120000.50"})).await.expect(200);
    assert_eq!(
        (&changed.body["amount"], &changed.body["version"]),
        (&json!("120000.50"), &json!(2))
    );

    // A later change of the fiscal year start does not move stored quotas.
    app.patch("/api/v1/org", &t, json!({"fiscal_year_start_month": 1}))
        .await
        .expect(200);
    let kept = app.get(&path, &rep_token).await.expect(200);
    assert_eq!(
        (&kept.body["first_day"], &kept.body["last_day"]),
        (&json!("2017-04-01"), &json!("2017-06-30"))
    );
    // Lists filter by period (read with the current fiscal calendar) and target.
    app.patch("/api/v1/org", &t, json!({"fiscal_year_start_month": 4}))
        .await
        .expect(200);
    let listed = app.get("/api/v1/quotas?period=2017-Q1", &rep_token).await.expect(200);
    let ids: Vec<&Value> = listed.body["data"].as_array().unwrap().iter().map(|q| &q["id"]).collect();
    assert_eq!(ids, [&q1.body["id"]]);
    let all = app.get(&format!("/api/v1/quotas?user_id={rep}"), &t).await.expect(200);
    assert_eq!(all.body["data"].as_array().unwrap().len(), 3);
    let bad_period = app
        .get("/api/v1/quotas?period=Q1", &t)
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(bad_period.error_fields(), ["period"]);

    app.call(Method::DELETE, &path, Some(&t), None).await.expect(204);
    app.get(&path, &t).await.expect_problem(404, "not_found");
}

#[tokio::test]
async fn exchange_rates_are_exact_one_per_day_and_never_for_the_base_currency() {
    let app = spawn_app().await;
    let (t, _, rep_token) = setup(&app).await;
    let eur = app
        .post(
            "/api/v1/exchange-rates",
            &t,
            json!({"currency": "EUR", "rate_to_base": "1.084500", "valid_from": "2017-01-01"}),
        )
        .await
        .expect(201);
    assert_eq!(
        (&eur.body["currency"], &eur.body["rate_to_base"]),
        (&json!("EUR"), &json!("1.0845"))
    );
    app.post(
        "/api/v1/exchange-rates",
        &t,
        json!({"currency": "EUR", "rate_to_base": "1.2", "valid_from": "2017-07-01"}),
    )
    .await
    .expect(201);
    app.post(
        "/api/v1/exchange-rates",
        &t,
        json!({"currency": "JPY", "rate_to_base": "0.00913", "valid_from": "2017-01-01"}),
    )
    .await
    .expect(201);
    let twice = json!({"currency": "EUR", "rate_to_base": "1.1", "valid_from": "2017-01-01"});
    let twice = app
        .post("/api/v1/exchange-rates", &t, twice)
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(twice.error_fields(), ["valid_from"]);
    let base = json!({"currency": "USD", "rate_to_base": "1", "valid_from": "2017-01-01"});
    let base = app
        .post("/api/v1/exchange-rates", &t, base)
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(base.error_fields(), ["currency"]);
    let bad = json!({"currency": "XYZ", "rate_to_base": "-1", "valid_from": "2017-01-01"});
    let bad = app
        .post("/api/v1/exchange-rates", &t, bad)
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(bad.error_fields(), ["currency", "rate_to_base"]);
    let rep = json!({"currency": "GBP", "rate_to_base": "1.3", "valid_from": "2017-01-01"});
    app.post("/api/v1/exchange-rates", &rep_token, rep)
        .await
        .expect_problem(403, "forbidden");

    let listed = app.get("/api/v1/exchange-rates", &rep_token).await.expect(200).body;
    let rows: Vec<(Value, Value, Value)> = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["currency"].clone(), r["rate_to_base"].clone(), r["valid_from"].clone()))
        .collect();
    assert_eq!(
        rows,
        [
            (json!("EUR"), json!("1.0845"), json!("2017-01-01")),
            (json!("EUR"), json!("1.2"), json!("2017-07-01")),
            (json!("JPY"), json!("0.00913"), json!("2017-01-01")),
        ]
    );
    let path = format!("/api/v1/exchange-rates/{}", eur.body["id"].as_str().unwrap());
    app.call(Method::DELETE, &path, Some(&t), None).await.expect(204);
    app.call(Method::DELETE, &path, Some(&t), None)
        .await
        .expect_problem(404, "not_found");
    let eur_only = app.get("/api/v1/exchange-rates?currency=EUR", &t).await.expect(200).body;
    assert_eq!(eur_only["data"].as_array().unwrap().len(), 1);
    let bad_filter = app
        .get("/api/v1/exchange-rates?currency=xx", &t)
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(bad_filter.error_fields(), ["currency"]);
}
