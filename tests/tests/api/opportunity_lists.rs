use std::collections::HashSet;
use std::str::FromStr;

use futures_util::future::join_all;
use glassbox_tests::{Session, TestApp, spawn_app};
use rust_decimal::Decimal;
use sea_orm::sea_query::{Alias, Query};
use sea_orm::{ConnectionTrait, Database};
use serde_json::json;
use uuid::Uuid;

async fn create_many(app: &TestApp, s: &Session, prefix: &str, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for chunk in (0..n).collect::<Vec<_>>().chunks(25) {
        let answers = join_all(
            chunk
                .iter()
                .map(|i| app.post("/api/v1/opportunities", &s.access_token, json!({"name": format!("{prefix} {i}")}))),
        )
        .await;
        ids.extend(answers.into_iter().map(|a| a.expect(201).body["id"].as_str().unwrap().to_owned()));
    }
    ids
}

/// Inserts one open USD opportunity per amount (minor units) straight into
/// the table, 500 rows per statement: faster than HTTP for volume tests.
async fn insert_bulk(app: &TestApp, s: &Session, pipeline: &str, stage: &str, amounts: &[i64]) {
    let db = Database::connect(app.settings.database_url.as_str()).await.unwrap();
    let now = chrono::Utc::now();
    for chunk in amounts.chunks(500) {
        let mut insert = Query::insert();
        insert.into_table(Alias::new("opportunities")).columns(
            [
                "id",
                "org_id",
                "name",
                "owner_id",
                "pipeline_id",
                "stage_id",
                "status",
                "amount_minor",
                "currency",
                "forecast_category",
                "stage_entered_at",
                "version",
                "created_at",
                "updated_at",
            ]
            .map(Alias::new),
        );
        for minor in chunk {
            insert.values_panic([
                Uuid::now_v7().into(),
                s.org_id.into(),
                "Bulk".into(),
                s.user_id.into(),
                Uuid::parse_str(pipeline).unwrap().into(),
                Uuid::parse_str(stage).unwrap().into(),
                "open".into(),
                (*minor).into(),
                "USD".into(),
                "pipeline".into(),
                now.into(),
                1i64.into(),
                now.into(),
                now.into(),
            ]);
        }
        db.execute(&insert).await.unwrap();
    }
    db.close().await.unwrap();
}

/// Pages of 37 through 1,000 deals while 200 more are inserted: each of the
/// original 1,000 comes back exactly once.
#[tokio::test]
async fn paging_never_skips_or_repeats_under_concurrent_inserts() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let originals: HashSet<String> = create_many(&app, &admin, "Original", 1000).await.into_iter().collect();
    let reader = async {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let path = match &cursor {
                Some(c) => format!("/api/v1/opportunities?limit=37&cursor={c}"),
                None => "/api/v1/opportunities?limit=37".to_owned(),
            };
            let page = app.get(&path, &admin.access_token).await.expect(200);
            let data = page.body["data"].as_array().unwrap().clone();
            assert!(data.len() <= 37);
            seen.extend(data.iter().map(|o| o["id"].as_str().unwrap().to_owned()));
            match page.body["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break seen,
            }
        }
    };
    let (seen, _) = tokio::join!(reader, create_many(&app, &admin, "Late", 200));
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "a row was repeated");
    let seen_originals = seen.iter().filter(|id| originals.contains(*id)).count();
    assert_eq!(seen_originals, 1000);
}

/// 10,000 random two-decimal amounts, summed by the database, equal the
/// rust_decimal sum to the cent.
#[tokio::test]
async fn ten_thousand_amounts_sum_exactly() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let seed = app
        .post(
            "/api/v1/opportunities",
            &admin.access_token,
            json!({"name": "Seed", "amount": "0.01"}),
        )
        .await
        .expect(201);
    let (stage, pipeline) = (seed.body["stage_id"].as_str().unwrap(), seed.body["pipeline_id"].as_str().unwrap());
    let mut expected = Decimal::from_str("0.01").unwrap();
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let amounts: Vec<i64> = (0..10_000)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let minor = ((state >> 33) % 10_000_000_000) as i64; // up to 99,999,999.99
            expected += Decimal::new(minor, 2);
            minor
        })
        .collect();
    insert_bulk(&app, &admin, pipeline, stage, &amounts).await;
    let totals = app
        .get("/api/v1/opportunities/totals?status=open", &admin.access_token)
        .await
        .expect(200);
    assert_eq!(totals.body["data"][0]["count"], 10_001);
    let got = totals.body["data"][0]["amount"].as_str().unwrap();
    assert_eq!(Decimal::from_str(got).unwrap(), expected);
    assert_eq!(got, expected.to_string());
}

/// Sums beyond i64 (SQLite's SUM overflows there) stay exact.
#[tokio::test]
async fn totals_stay_exact_beyond_the_64_bit_range() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let seed = app
        .post(
            "/api/v1/opportunities",
            &admin.access_token,
            json!({"name": "Seed", "amount": "9999999999999.99"}),
        )
        .await
        .expect(201);
    let (stage, pipeline) = (seed.body["stage_id"].as_str().unwrap(), seed.body["pipeline_id"].as_str().unwrap());
    insert_bulk(&app, &admin, pipeline, stage, &[999_999_999_999_999; 10_000]).await;
    let totals = app.get("/api/v1/opportunities/totals", &admin.access_token).await.expect(200);
    // 10,001 × 9,999,999,999,999.99 = 100,009,999,999,999,899.99
    assert_eq!(totals.body["data"][0]["amount"], "100009999999999899.99");
    assert_eq!(totals.body["data"][0]["count"], 10_001);
}
