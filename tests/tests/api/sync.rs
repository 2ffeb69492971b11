//! The activities delta feed: replaying it rebuilds the server's set.

use std::collections::HashMap;

use futures_util::future::join_all;
use glassbox_tests::{TestApp, spawn_app};
use reqwest::Method;
use serde_json::json;

/// Activities feed.
pub(crate) const ACTIVITIES: &str = "/api/v1/activities/changes";

/// Pulls one page of `feed` after `cursor`, applying each change to `set`
/// (id → version); returns the new cursor and whether more wait.
pub(crate) async fn pull_page(
    app: &TestApp,
    token: &str,
    feed: &str,
    cursor: Option<String>,
    set: &mut HashMap<String, i64>,
    limit: u32,
) -> (Option<String>, bool) {
    let path = match &cursor {
        Some(c) => format!("{feed}?limit={limit}&cursor={c}"),
        None => format!("{feed}?limit={limit}"),
    };
    let page = app.get(&path, token).await.expect(200).body;
    for c in page["data"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap().to_owned();
        match c["op"].as_str().unwrap() {
            "delete" => {
                set.remove(&id);
            }
            _ => {
                if let Some(a) = c["record"].as_object() {
                    set.insert(id, a["version"].as_i64().unwrap());
                }
            }
        }
    }
    (page["next_cursor"].as_str().map(str::to_owned), page["has_more"] == true)
}

/// Pulls `feed` from `cursor` until it has no more; returns the new cursor.
pub(crate) async fn pull_feed(
    app: &TestApp,
    token: &str,
    feed: &str,
    mut cursor: Option<String>,
    set: &mut HashMap<String, i64>,
) -> Option<String> {
    loop {
        let (next, more) = pull_page(app, token, feed, cursor, set, 7).await;
        cursor = next;
        if !more {
            return cursor;
        }
    }
}

/// Pulls `feed` until `set` equals `target`, for up to ten seconds: other
/// tests' transactions in the cluster may hold rows back a while (late,
/// never lost). Returns the cursor.
pub(crate) async fn pull_until(
    app: &TestApp,
    token: &str,
    feed: &str,
    mut cursor: Option<String>,
    set: &mut HashMap<String, i64>,
    target: &HashMap<String, i64>,
) -> Option<String> {
    for _ in 0..100 {
        cursor = pull_feed(app, token, feed, cursor, set).await;
        if set == target {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let wrong: Vec<_> = target.iter().filter(|(id, v)| set.get(*id) != Some(*v)).take(5).collect();
    let extra: Vec<_> = set.keys().filter(|id| !target.contains_key(*id)).take(5).collect();
    assert!(
        set == target,
        "replayed {} records, server has {}; missing or other version (id, server version): {wrong:?}; \
         not on the server: {extra:?}",
        set.len(),
        target.len()
    );
    cursor
}

async fn pull(app: &TestApp, token: &str, cursor: Option<String>, set: &mut HashMap<String, i64>) -> Option<String> {
    pull_feed(app, token, ACTIVITIES, cursor, set).await
}

async fn server_set(app: &TestApp, token: &str) -> HashMap<String, i64> {
    crate::import::all(app, token, "/api/v1/activities")
        .await
        .iter()
        .map(|a| (a["id"].as_str().unwrap().to_owned(), a["version"].as_i64().unwrap()))
        .collect()
}

#[tokio::test]
async fn concurrent_writers_and_a_polling_reader_end_with_the_same_set() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let t = admin.access_token.clone();
    let account = app.post("/api/v1/accounts", &t, json!({"name": "Initech"})).await.expect(201).body["id"].clone();
    let writer = |w: u32| {
        let (app, t, account) = (&app, t.clone(), account.clone());
        async move {
            for n in 0..25u32 {
                let body =
                    json!({"type": "call", "subject": format!("w{w} n{n}"), "occurred_at": "2017-06-29T09:00:00Z", "account_id": account});
                let created = app.post("/api/v1/activities", &t, body).await.expect(201).body;
                let path = format!("/api/v1/activities/{}", created["id"].as_str().unwrap());
                match n % 3 {
                    1 => {
                        app.patch(&path, &t, json!({"subject": "edited"})).await.expect(200);
                    }
                    2 => {
                        app.call(Method::DELETE, &path, Some(&t), None).await.expect(204);
                    }
                    _ => {}
                }
            }
        }
    };
    let reader = async {
        let mut set = HashMap::new();
        let mut cursor = None;
        for _ in 0..20 {
            cursor = pull(&app, &t, cursor, &mut set).await;
        }
        (set, cursor)
    };
    let (_, (mut set, cursor)) = futures_util::join!(join_all((0..8).map(writer)), reader);
    let server = server_set(&app, &t).await;
    assert_eq!(server.len(), 8 * 17);
    pull_until(&app, &t, ACTIVITIES, cursor, &mut set, &server).await;

    // A first sync from scratch gives the same set, and a bad cursor is named.
    let mut fresh = HashMap::new();
    pull(&app, &t, None, &mut fresh).await;
    assert_eq!(fresh, server);
    let bad = app
        .get("/api/v1/activities/changes?cursor=bm9wZQ", &t)
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(bad.error_fields(), ["cursor"]);
}

fn feed_url(cursor: &Option<String>) -> String {
    match cursor {
        Some(c) => format!("/api/v1/activities/changes?cursor={c}"),
        None => "/api/v1/activities/changes".to_owned(),
    }
}

/// A writer that started first and commits last: its change must neither
/// be skipped nor let a later one through ahead of it.
#[tokio::test]
async fn a_change_committed_late_is_not_skipped() {
    use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let t = admin.access_token.clone();
    let account = app.post("/api/v1/accounts", &t, json!({"name": "Initech"})).await.expect(201).body["id"].clone();
    let mut set = HashMap::new();
    let cursor = pull(&app, &t, None, &mut set).await;

    // The slow writer: a change row in a transaction left open.
    let db = sea_orm::Database::connect(app.settings.database_url.as_str()).await.unwrap();
    let backend = db.get_database_backend();
    let slow = db.begin().await.unwrap();
    let slow_id = uuid::Uuid::now_v7();
    let (txid, org, id) = match backend {
        DbBackend::Postgres => (
            "CAST(CAST(pg_current_xact_id() AS TEXT) AS BIGINT)",
            format!("'{}'", admin.org_id),
            format!("'{slow_id}'"),
        ),
        _ => ("0", format!("X'{}'", admin.org_id.simple()), format!("X'{}'", slow_id.simple())),
    };
    let insert = format!(
        "INSERT INTO changes (org_id, entity, record_id, op, version, txid, changed_at) \
         VALUES ({org}, 'activity', {id}, 'upsert', 1, {txid}, '2017-06-30T12:00:00+00:00')"
    );
    slow.execute_raw(Statement::from_string(backend, insert)).await.unwrap();

    // A later writer commits (PostgreSQL) or waits for the lock (SQLite);
    // meanwhile the feed shows neither change.
    let body = json!({"type": "call", "subject": "Later", "occurred_at": "2017-06-29T09:00:00Z", "account_id": account});
    let later = app.post("/api/v1/activities", &t, body);
    let middle = async {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let page = app.get(&feed_url(&cursor), &t).await.expect(200).body;
        slow.commit().await.unwrap();
        page
    };
    let (later, middle) = futures_util::join!(later, middle);
    let later = later.expect(201).body;
    assert_eq!(middle["data"], json!([]));

    // Now both appear, the slow one first (other tests' transactions in the
    // cluster may hold them back a little longer).
    let mut ids: Vec<String> = Vec::new();
    let mut cursor = cursor;
    for _ in 0..100 {
        let page = app.get(&feed_url(&cursor), &t).await.expect(200).body;
        ids.extend(
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_owned()),
        );
        cursor = page["next_cursor"].as_str().map(str::to_owned).or(cursor);
        if ids.len() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(ids, [slow_id.to_string(), later["id"].as_str().unwrap().to_owned()]);
}

#[tokio::test]
async fn the_opportunities_feed_replays_to_the_server_set() {
    let app = spawn_app().await;
    let admin = app.bootstrap("Acme", "ana@acme.test").await;
    let t = &admin.access_token;
    let mut ids = Vec::new();
    for n in 0..5 {
        let created = app
            .post("/api/v1/opportunities", t, json!({"name": format!("Deal {n}")}))
            .await
            .expect(201);
        ids.push(created.body["id"].as_str().unwrap().to_owned());
    }
    app.patch(&format!("/api/v1/opportunities/{}", ids[1]), t, json!({"name": "Renamed"}))
        .await
        .expect(200);
    app.call(Method::DELETE, &format!("/api/v1/opportunities/{}", ids[2]), Some(t), None)
        .await
        .expect(204);
    let server: HashMap<String, i64> = crate::import::all(&app, t, "/api/v1/opportunities")
        .await
        .iter()
        .map(|o| (o["id"].as_str().unwrap().to_owned(), o["version"].as_i64().unwrap()))
        .collect();
    assert_eq!(server.len(), 4);
    pull_until(&app, t, "/api/v1/opportunities/changes", None, &mut HashMap::new(), &server).await;
}
