//! Configuration from environment variables (read with `figment`).
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `DATABASE_URL` | `sqlite://glassbox.db?mode=rwc` | SQLite file or `postgres://…` |
//! | `GLASSBOX_BIND` | `127.0.0.1:8080` | listen address |
//! | `GLASSBOX_JWT_SECRET` | — | HS256 signing secret, ≥ 32 bytes |
//! | `GLASSBOX_JWT_SECRET_FILE` | `glassbox.jwt-secret` | where a generated secret is kept (mode 0600) when `GLASSBOX_JWT_SECRET` is unset |
//! | `GLASSBOX_LOG` | `info` | `tracing` filter directives |
//! | `GLASSBOX_LOG_FORMAT` | `text` | `text` or `json` |
//! | `GLASSBOX_CORS_ORIGINS` | empty | comma-separated allowed origins |
//! | `GLASSBOX_BODY_LIMIT` | `1048576` | largest request body, bytes |
//! | `GLASSBOX_ACCESS_TOKEN_TTL` | `900` | access-token lifetime, seconds |
//! | `GLASSBOX_REFRESH_TOKEN_TTL` | `2592000` | refresh-token lifetime, seconds |
//! | `GLASSBOX_ENV` | `production` | `production`, `development` or `test` |
//! | `GLASSBOX_FAKE_NOW` | — | RFC 3339 start instant of the clock; only with `GLASSBOX_ENV=test` |
//! | `GLASSBOX_WORKERS` | cores | HTTP worker threads |

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::Engine;
use chrono::{DateTime, Utc};
use figment::Figment;
use figment::providers::Env;
use glassbox_domain::{Clock, OffsetClock, SystemClock};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// Where the service runs; `test` unlocks the fake clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    /// Real deployments.
    Production,
    /// A developer's machine.
    Development,
    /// Automated tests; honours `GLASSBOX_FAKE_NOW`.
    Test,
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Every setting of the service. See the module docs for the variables.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Database URL.
    pub database_url: String,
    /// Listen address, `host:port`.
    pub bind: String,
    /// Signing secret, if given directly.
    pub jwt_secret: Option<SecretString>,
    /// File holding a generated secret.
    pub jwt_secret_file: PathBuf,
    /// `tracing` filter.
    pub log: String,
    /// Log format.
    pub log_format: LogFormat,
    /// Comma-separated CORS origins.
    pub cors_origins: String,
    /// Largest request body in bytes.
    pub body_limit: usize,
    /// Access-token lifetime in seconds.
    pub access_token_ttl: i64,
    /// Refresh-token lifetime in seconds.
    pub refresh_token_ttl: i64,
    /// Environment.
    pub env: Environment,
    /// Fake clock start (test only).
    pub fake_now: Option<String>,
    /// HTTP worker threads (default: one per physical core).
    pub workers: Option<usize>,
    /// Milliseconds a caller's scope (role, teams) may be reused between
    /// requests when this process wrote no user or team since; 0 disables.
    pub scope_cache_ms: u64,
    /// Days the change log keeps deleted records' tombstones (and rows
    /// superseded by a later change) before pruning; a sync cursor older
    /// than that gets 410 Gone.
    pub change_retention_days: i64,
    /// Test only (`GLASSBOX_ENV=test`): each synced write pauses a random
    /// time up to this many milliseconds before committing.
    pub test_commit_delay_ms: u64,
    /// Requests per minute to `/api/` per user (or per client address
    /// without a valid token), in bursts of as many; 0: no limit.
    pub rate_limit_per_minute: u32,
    /// Sign-in attempts per minute per email and per client address; 0:
    /// no throttle.
    pub login_attempts_per_minute: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            database_url: "sqlite://glassbox.db?mode=rwc".into(),
            bind: "127.0.0.1:8080".into(),
            jwt_secret: None,
            jwt_secret_file: PathBuf::from("glassbox.jwt-secret"),
            log: "info".into(),
            log_format: LogFormat::Text,
            cors_origins: String::new(),
            body_limit: 1024 * 1024,
            access_token_ttl: 15 * 60,
            refresh_token_ttl: 30 * 24 * 3600,
            env: Environment::Production,
            fake_now: None,
            workers: None,
            scope_cache_ms: 1000,
            change_retention_days: 30,
            test_commit_delay_ms: 0,
            rate_limit_per_minute: 1200,
            login_attempts_per_minute: 10,
        }
    }
}

/// A setting that cannot work; the message says what to set.
#[derive(Debug, thiserror::Error)]
#[error("configuration error: {0}")]
pub struct ConfigError(pub String);

/// Shortest accepted signing secret, in bytes (HS256 wants a key at least
/// as long as its 256-bit output: RFC 7518 §3.2).
pub const MIN_SECRET_BYTES: usize = 32;

impl Settings {
    /// Reads the settings from the process environment.
    ///
    /// # Errors
    /// [`ConfigError`] naming the variable that does not parse.
    pub fn from_env() -> Result<Self, ConfigError> {
        Figment::new()
            .merge(Env::prefixed("GLASSBOX_"))
            .merge(Env::raw().only(&["DATABASE_URL"]))
            .extract()
            .map_err(|e| ConfigError(e.to_string()))
    }

    /// Database pool settings, with the scope cache TTL.
    pub fn pool_options(&self) -> glassbox_persistence::PoolOptions {
        glassbox_persistence::PoolOptions {
            scope_cache_ttl: std::time::Duration::from_millis(self.scope_cache_ms),
            test_commit_delay: std::time::Duration::from_millis(match self.env {
                Environment::Test => self.test_commit_delay_ms,
                _ => 0,
            }),
            ..glassbox_persistence::PoolOptions::default()
        }
    }

    /// Defaults for everything, for tests and embedding.
    pub fn defaults() -> Self {
        Self::default()
    }

    /// Checks ranges and formats that the types alone do not.
    ///
    /// # Errors
    /// [`ConfigError`] naming the variable and its accepted range.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let range = |name: &str, value: i64, min: i64, max: i64| {
            if (min..=max).contains(&value) {
                Ok(())
            } else {
                Err(ConfigError(format!("{name} must be between {min} and {max}; got {value}")))
            }
        };
        range("GLASSBOX_ACCESS_TOKEN_TTL (seconds)", self.access_token_ttl, 60, 24 * 3600)?;
        range("GLASSBOX_REFRESH_TOKEN_TTL (seconds)", self.refresh_token_ttl, 300, 366 * 24 * 3600)?;
        range("GLASSBOX_BODY_LIMIT (bytes)", self.body_limit as i64, 1024, 256 * 1024 * 1024)?;
        if let Some(workers) = self.workers {
            range("GLASSBOX_WORKERS", workers as i64, 1, 1024)?;
        }
        range(
            "GLASSBOX_SCOPE_CACHE_MS",
            i64::try_from(self.scope_cache_ms).unwrap_or(i64::MAX),
            0,
            60_000,
        )?;
        range("GLASSBOX_CHANGE_RETENTION_DAYS", self.change_retention_days, 1, 3650)?;
        range(
            "GLASSBOX_RATE_LIMIT_PER_MINUTE",
            i64::from(self.rate_limit_per_minute),
            0,
            1_000_000,
        )?;
        if self.test_commit_delay_ms > 0 && self.env != Environment::Test {
            return Err(ConfigError(
                "GLASSBOX_TEST_COMMIT_DELAY_MS is honoured only with GLASSBOX_ENV=test; unset it".into(),
            ));
        }
        range(
            "GLASSBOX_TEST_COMMIT_DELAY_MS",
            i64::try_from(self.test_commit_delay_ms).unwrap_or(i64::MAX),
            0,
            10_000,
        )?;
        for origin in self.cors_origin_list() {
            let valid = (origin.starts_with("http://") || origin.starts_with("https://"))
                && !origin.contains('*')
                && !origin.trim_start_matches("https://").trim_start_matches("http://").contains('/');
            if !valid {
                return Err(ConfigError(format!(
                    "GLASSBOX_CORS_ORIGINS entry `{origin}` is not an origin like https://app.example.com (no wildcard, no path)"
                )));
            }
        }
        Ok(())
    }

    /// The allowed CORS origins.
    pub fn cors_origin_list(&self) -> Vec<String> {
        self.cors_origins
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// The clock the service runs on: the system clock, or under
    /// `GLASSBOX_ENV=test` with `GLASSBOX_FAKE_NOW` set, a clock that starts
    /// at that instant and ticks in real time.
    ///
    /// # Errors
    /// [`ConfigError`] when `GLASSBOX_FAKE_NOW` is set outside the test
    /// environment or is not an RFC 3339 instant.
    pub fn clock(&self) -> Result<Arc<dyn Clock>, ConfigError> {
        match (&self.fake_now, self.env) {
            (None, _) => Ok(Arc::new(SystemClock)),
            (Some(_), env) if env != Environment::Test => Err(ConfigError(
                "GLASSBOX_FAKE_NOW is honoured only with GLASSBOX_ENV=test; unset it or set GLASSBOX_ENV=test".into(),
            )),
            (Some(raw), _) => {
                let start = DateTime::parse_from_rfc3339(raw)
                    .map_err(|e| ConfigError(format!("GLASSBOX_FAKE_NOW `{raw}` is not an RFC 3339 instant: {e}")))?;
                Ok(Arc::new(OffsetClock::starting_at(start.with_timezone(&Utc))))
            }
        }
    }

    /// The JWT signing secret: `GLASSBOX_JWT_SECRET` if set (≥ 32 bytes), else
    /// the secret kept in `GLASSBOX_JWT_SECRET_FILE`, generated on first run
    /// from the OS random generator and written with mode 0600. A secret file
    /// readable by group or others is refused.
    ///
    /// # Errors
    /// [`ConfigError`] saying what to set or fix.
    pub fn jwt_secret(&self) -> Result<SecretString, ConfigError> {
        if let Some(secret) = &self.jwt_secret {
            if secret.expose_secret().len() < MIN_SECRET_BYTES {
                return Err(ConfigError(format!(
                    "GLASSBOX_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes; generate one with `openssl rand -base64 48`"
                )));
            }
            return Ok(secret.clone());
        }
        load_or_create_secret(&self.jwt_secret_file)
    }
}

fn load_or_create_secret(path: &Path) -> Result<SecretString, ConfigError> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let shown = path.display();
    match std::fs::metadata(path) {
        Ok(meta) => {
            if meta.permissions().mode() & 0o077 != 0 {
                return Err(ConfigError(format!(
                    "{shown} is readable by other users; run `chmod 600 {shown}` or set GLASSBOX_JWT_SECRET"
                )));
            }
            let secret = std::fs::read_to_string(path).map_err(|e| ConfigError(format!("cannot read {shown}: {e}")))?;
            let secret = secret.trim().to_owned();
            if secret.len() < MIN_SECRET_BYTES {
                return Err(ConfigError(format!(
                    "{shown} holds fewer than {MIN_SECRET_BYTES} bytes; delete it to regenerate"
                )));
            }
            Ok(SecretString::from(secret))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut bytes = [0u8; 48];
            rand::rng().fill_bytes(&mut bytes);
            let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .map_err(|e| ConfigError(format!("cannot create {shown}: {e}; set GLASSBOX_JWT_SECRET instead")))?;
            file.write_all(secret.as_bytes())
                .map_err(|e| ConfigError(format!("cannot write {shown}: {e}")))?;
            tracing::info!(path = %shown, "generated a new JWT signing secret");
            Ok(SecretString::from(secret))
        }
        Err(e) => Err(ConfigError(format!("cannot read {shown}: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fake_now_is_refused_outside_test() {
        let mut s = Settings::defaults();
        s.fake_now = Some("2017-06-30T12:00:00Z".into());
        assert!(s.clock().is_err());
        s.env = Environment::Test;
        let now = s.clock().unwrap().now();
        assert!(now >= "2017-06-30T12:00:00Z".parse::<DateTime<Utc>>().unwrap());
        assert!(now.timestamp() < 1_498_824_100);
    }

    #[test]
    fn generated_secret_is_private_and_stable() {
        let dir = std::env::temp_dir().join(format!("gbx-secret-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("secret");
        let first = load_or_create_secret(&path).unwrap();
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        let second = load_or_create_secret(&path).unwrap();
        assert_eq!(first.expose_secret(), second.expose_secret());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(load_or_create_secret(&path).is_err());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn out_of_range_settings_are_refused_with_the_variable_name() {
        let ok = Settings::defaults();
        assert!(ok.validate().is_ok());
        type Change = Box<dyn Fn(&mut Settings)>;
        let cases: Vec<(Change, &str)> = vec![
            (Box::new(|s| s.workers = Some(0)), "GLASSBOX_WORKERS"),
            (Box::new(|s| s.access_token_ttl = i64::MAX), "GLASSBOX_ACCESS_TOKEN_TTL"),
            (Box::new(|s| s.access_token_ttl = -5), "GLASSBOX_ACCESS_TOKEN_TTL"),
            (
                Box::new(|s| s.refresh_token_ttl = 9_223_372_036_854_775),
                "GLASSBOX_REFRESH_TOKEN_TTL",
            ),
            (Box::new(|s| s.body_limit = 0), "GLASSBOX_BODY_LIMIT"),
            (Box::new(|s| s.cors_origins = "*".into()), "GLASSBOX_CORS_ORIGINS"),
            (
                Box::new(|s| s.cors_origins = "https://ok.example, not-an-origin".into()),
                "GLASSBOX_CORS_ORIGINS",
            ),
        ];
        for (change, variable) in cases {
            let mut s = Settings::defaults();
            change(&mut s);
            let err = s.validate().unwrap_err().to_string();
            assert!(err.contains(variable), "{err}");
        }
    }

    #[test]
    fn short_secret_is_refused() {
        let mut s = Settings::defaults();
        s.jwt_secret = Some(SecretString::from("short"));
        assert!(s.jwt_secret().is_err());
    }
}
