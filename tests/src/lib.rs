//! Test harness: [`spawn_app`] starts the real app on a random port with a
//! fresh database — a temp SQLite file, or, when `GLASSBOX_TEST_DATABASE_URL`
//! is set (e.g. `postgres://postgres@127.0.0.1:5432/test`), a throwaway
//! PostgreSQL database created for the test and dropped afterwards.
//! Time is pinned with a [`FixedClock`] the test can move.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;

use chrono::{DateTime, Utc};
use glassbox_api::config::{Environment, Settings};
use glassbox_api::startup::Application;
use glassbox_domain::FixedClock;
use glassbox_persistence::Store;
use reqwest::{Method, StatusCode, header::HeaderMap};
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};
use uuid::Uuid;

/// The instant every test starts at.
pub const T0: &str = "2017-06-30T12:00:00Z";
/// Password of every user the harness creates.
pub const PASSWORD: &str = "correct horse battery staple";

/// A fresh database that is removed when dropped.
pub enum TestDb {
    /// Temp directory holding the SQLite file.
    Sqlite(tempfile::TempDir),
    /// Throwaway PostgreSQL database.
    Postgres { admin_url: String, name: String },
}

impl TestDb {
    async fn create() -> (Self, String) {
        match std::env::var("GLASSBOX_TEST_DATABASE_URL") {
            Ok(admin_url) if !admin_url.is_empty() => {
                let name = format!("gbx_test_{}", Uuid::new_v4().simple());
                let admin = Database::connect(admin_url.as_str())
                    .await
                    .expect("connect to GLASSBOX_TEST_DATABASE_URL");
                admin
                    .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await
                    .expect("create test database");
                admin.close().await.ok();
                let url = replace_database(&admin_url, &name);
                (TestDb::Postgres { admin_url, name }, url)
            }
            _ => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("glassbox.db").display());
                (TestDb::Sqlite(dir), url)
            }
        }
    }
}

fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let prefix = base.rsplit_once('/').map(|(p, _)| p).unwrap_or(base);
    match query {
        Some(q) => format!("{prefix}/{name}?{q}"),
        None => format!("{prefix}/{name}"),
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let TestDb::Postgres { admin_url, name } = self {
            let (admin_url, name) = (admin_url.clone(), name.clone());
            let dropped = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                rt.block_on(async {
                    let admin = Database::connect(admin_url.as_str()).await?;
                    admin
                        .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                        .await?;
                    admin.close().await
                })
            })
            .join();
            if !matches!(dropped, Ok(Ok(()))) {
                eprintln!("warning: could not drop test database {self:?}");
            }
        }
    }
}

impl std::fmt::Debug for TestDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TestDb::Sqlite(dir) => write!(f, "sqlite in {}", dir.path().display()),
            TestDb::Postgres { name, .. } => write!(f, "postgres database {name}"),
        }
    }
}

/// A running app and what a test needs to talk to it.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub clock: Arc<FixedClock>,
    pub store: Store,
    pub settings: Settings,
    _db: TestDb,
}

/// An HTTP answer: status, headers and the JSON body (`Value::Null` when empty).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts the status, printing the body when it differs.
    #[track_caller]
    pub fn expect(self, status: u16) -> Self {
        assert_eq!(self.status.as_u16(), status, "unexpected status; body: {}", self.body);
        self
    }

    /// Asserts an RFC 9457 problem with this status and code, carrying the request id.
    #[track_caller]
    pub fn expect_problem(self, status: u16, code: &str) -> Self {
        let answer = self.expect(status);
        assert_eq!(answer.header("content-type"), Some("application/problem+json"));
        assert_eq!(answer.body["status"], status);
        assert_eq!(answer.body["code"], code, "body: {}", answer.body);
        assert_eq!(answer.body["type"], format!("/problems/{code}"));
        let rid = answer.body["request_id"].as_str().unwrap_or_default().to_owned();
        assert!(!rid.is_empty(), "problem without request_id: {}", answer.body);
        assert_eq!(answer.header("x-request-id"), Some(rid.as_str()));
        answer
    }

    /// Fields named in a validation problem's `errors[]`.
    pub fn error_fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|a| a.iter().filter_map(|e| e["field"].as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    }
}

/// A signed-in session.
#[derive(Debug, Clone)]
pub struct Session {
    pub access_token: String,
    pub refresh_token: String,
    pub user_id: Uuid,
    pub org_id: Uuid,
}

/// Starts the app with defaults suited to tests.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts the app after letting the test adjust the settings.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let (db, url) = TestDb::create().await;
    let mut settings = Settings::defaults();
    settings.database_url = url;
    settings.bind = "127.0.0.1:0".into();
    settings.jwt_secret = Some(format!("test-secret-{}", Uuid::new_v4()).into());
    settings.env = Environment::Test;
    settings.workers = Some(1);
    // Tests drive thousands of requests with one token; the rate-limit test
    // sets its own limit.
    settings.rate_limit_per_minute = 0;
    settings.login_attempts_per_minute = 0;
    adjust(&mut settings);
    if std::env::var("TEST_LOG").is_ok() {
        glassbox_api::telemetry::init("debug", settings.log_format);
    }
    let clock = Arc::new(FixedClock::new(T0.parse().unwrap()));
    let store = Store::connect(&settings.database_url, settings.pool_options(), clock.clone())
        .await
        .expect("connect");
    store.migrate().await.expect("migrate");
    let app = Application::build_with_store(&settings, store.clone()).expect("build app");
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        clock,
        store,
        settings,
        _db: db,
    }
}

impl TestApp {
    /// Sends a request; `body` is sent as JSON when given.
    pub async fn call(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> Answer {
        let mut req = self.client.request(method, format!("{}{}", self.address, path));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        Self::answer(req.send().await.expect("request sent")).await
    }

    /// Turns a reqwest response into an [`Answer`].
    pub async fn answer(res: reqwest::Response) -> Answer {
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap_or_default();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Answer { status, headers, body }
    }

    pub async fn get(&self, path: &str, token: &str) -> Answer {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Answer {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Answer {
        self.call(Method::PATCH, path, Some(token), Some(body)).await
    }

    pub async fn put(&self, path: &str, token: &str, body: Value) -> Answer {
        self.call(Method::PUT, path, Some(token), Some(body)).await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Answer {
        self.call(Method::DELETE, path, Some(token), None).await
    }

    /// PATCH with owned arguments, for building many concurrent requests.
    pub async fn patch_owned(&self, path: String, token: String, body: Value) -> Answer {
        self.patch(&path, &token, body).await
    }

    /// Creates an org with an admin (as the `bootstrap` command does) and signs in.
    pub async fn bootstrap(&self, org: &str, email: &str) -> Session {
        glassbox_api::cli::bootstrap(&self.store, org, email, "Admin", PASSWORD)
            .await
            .expect("bootstrap");
        self.login(email).await
    }

    /// Signs in with the harness password.
    pub async fn login(&self, email: &str) -> Session {
        let answer = self
            .call(
                Method::POST,
                "/api/v1/auth/token",
                None,
                Some(json!({"email": email, "password": PASSWORD})),
            )
            .await
            .expect(200);
        let access_token = answer.body["access_token"].as_str().unwrap().to_owned();
        let me = self.get("/api/v1/me", &access_token).await.expect(200);
        Session {
            refresh_token: answer.body["refresh_token"].as_str().unwrap().to_owned(),
            user_id: me.body["user"]["id"].as_str().unwrap().parse().unwrap(),
            org_id: me.body["org"]["id"].as_str().unwrap().parse().unwrap(),
            access_token,
        }
    }

    /// Creates a user with `role` (as `admin`) and signs them in.
    pub async fn user(&self, admin: &Session, email: &str, role: &str, team_ids: &[Uuid]) -> Session {
        self.post(
            "/api/v1/users",
            &admin.access_token,
            json!({"name": email, "email": email, "role": role, "password": PASSWORD, "team_ids": team_ids}),
        )
        .await
        .expect(201);
        self.login(email).await
    }

    /// The default pipeline's stage ids by stage name.
    pub async fn stage_ids(&self, token: &str) -> std::collections::HashMap<String, String> {
        let p = self.get("/api/v1/pipelines", token).await.expect(200).body;
        p["data"][0]["stages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s["name"].as_str().unwrap().to_owned(), s["id"].as_str().unwrap().to_owned()))
            .collect()
    }

    /// Moves the pinned clock to `when` (RFC 3339) and signs `email` in
    /// again (tokens expire when the clock jumps).
    pub async fn login_at(&self, when: &str, email: &str) -> String {
        self.set_now(when.parse().unwrap());
        self.login(email).await.access_token
    }

    /// Moves the pinned clock.
    pub fn set_now(&self, now: DateTime<Utc>) {
        self.clock.set(now);
    }
}
