//! Glassbox storage on SQLite (embedded default) and PostgreSQL.
//!
//! [`Store`] owns the connection pool and the injected clock; repositories are
//! modules of methods on it. Every method takes the caller's
//! [`Scope`](glassbox_domain::Scope) (or an org id on the few pre-auth paths)
//! and filters by `org_id`. Every write runs in one transaction
//! ([`Store::begin_write`]); on SQLite that is `BEGIN IMMEDIATE`, so
//! read-then-write transactions queue on the busy timeout instead of failing
//! with a lock upgrade error.

pub mod accounts;
pub mod activities;
pub mod activities_batch;
pub mod analytics;
pub mod api_keys;
pub mod audit;
pub mod auth;
mod calendars;
pub mod changes;
mod entities;
mod error;
pub mod forecast;
pub mod handoffs;
pub mod idempotency;
pub mod import;
pub mod offboarding;
pub mod opportunities;
pub mod orgs;
pub mod pipelines;
pub mod products;
mod refs;
pub mod rollups;
mod scope_cache;
mod soft_delete;
pub mod teams;
pub mod timeline;
pub mod users;
pub mod visibility;

use std::sync::Arc;
use std::time::Duration;

use glassbox_domain::{Clock, DomainError};
use glassbox_migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};

pub use error::db_err;

/// Handle to the database plus the clock every write is stamped with.
#[derive(Debug, Clone)]
pub struct Store {
    db: DatabaseConnection,
    clock: Arc<dyn Clock>,
    scopes: Arc<scope_cache::ScopeCache>,
    test_commit_delay: Duration,
}

/// Pool sizing and timeouts.
#[derive(Debug, Clone, Copy)]
pub struct PoolOptions {
    /// Largest number of open connections.
    pub max_connections: u32,
    /// How long a request waits for a free connection.
    pub acquire_timeout: Duration,
    /// How long a caller's loaded scope may be reused when no user or team
    /// write happened in this process since (zero: never).
    pub scope_cache_ttl: Duration,
    /// Fault injection for tests only (zero otherwise): every write of a
    /// synced record pauses a random time up to this long before it commits,
    /// so concurrent writers commit out of order.
    pub test_commit_delay: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            max_connections: 10,
            acquire_timeout: Duration::from_secs(10),
            scope_cache_ttl: Duration::from_secs(1),
            test_commit_delay: Duration::ZERO,
        }
    }
}

impl Store {
    /// Connects to `url` (`sqlite://…` or `postgres://…`). SQLite connections
    /// get WAL journaling, `synchronous=NORMAL`, foreign keys on and a 5 s
    /// busy timeout.
    ///
    /// # Errors
    /// [`DomainError::Internal`] when the database cannot be reached or opened.
    pub async fn connect(url: &str, pool: PoolOptions, clock: Arc<dyn Clock>) -> Result<Self, DomainError> {
        let mut opts = ConnectOptions::new(url.to_owned());
        opts.max_connections(pool.max_connections)
            .min_connections(1)
            .acquire_timeout(pool.acquire_timeout)
            // A ping on every checkout costs a round trip per query; broken
            // connections surface as errors and are replaced by the pool.
            .test_before_acquire(false)
            .sqlx_logging(false)
            .map_sqlx_sqlite_opts(|o| {
                o.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(5))
            });
        let db = Database::connect(opts).await.map_err(db_err)?;
        Ok(Self {
            db,
            clock,
            scopes: Arc::new(scope_cache::ScopeCache::new(pool.scope_cache_ttl)),
            test_commit_delay: pool.test_commit_delay,
        })
    }

    /// Applies pending migrations.
    ///
    /// # Errors
    /// [`DomainError::Internal`] when a migration fails.
    pub async fn migrate(&self) -> Result<(), DomainError> {
        Migrator::up(&self.db, None).await.map_err(db_err)
    }

    /// Checks that the database answers a trivial query.
    ///
    /// # Errors
    /// [`DomainError::Internal`] when it does not.
    pub async fn ping(&self) -> Result<(), DomainError> {
        self.db.execute_unprepared("SELECT 1").await.map(|_| ()).map_err(db_err)
    }

    /// `"sqlite"` or `"postgres"`.
    pub fn backend_name(&self) -> &'static str {
        match self.db.get_database_backend() {
            DbBackend::Sqlite => "sqlite",
            DbBackend::Postgres => "postgres",
            _ => "other",
        }
    }

    /// Closes every pooled connection.
    ///
    /// # Errors
    /// [`DomainError::Internal`] when closing fails.
    pub async fn close(self) -> Result<(), DomainError> {
        self.db.close().await.map_err(db_err)
    }

    /// The injected clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// "Now" from the injected clock, cut to whole microseconds: the finest
    /// precision both SQLite text timestamps and PostgreSQL `timestamptz`
    /// keep, so a value reads back exactly as it was written.
    pub(crate) fn now(&self) -> chrono::DateTime<chrono::Utc> {
        use chrono::SubsecRound;
        self.clock.now().trunc_subsecs(6)
    }

    pub(crate) fn conn(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Starts a write transaction (`BEGIN IMMEDIATE` on SQLite).
    pub(crate) async fn begin_write(&self) -> Result<DatabaseTransaction, DomainError> {
        self.db
            .begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..Default::default()
            })
            .await
            .map_err(db_err)
    }
}
