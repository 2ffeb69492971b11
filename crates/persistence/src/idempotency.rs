//! `Idempotency-Key` records: the first answer to a POST, kept 24 hours per
//! org and key and replayed for retries (the IETF draft
//! "The Idempotency-Key HTTP Header Field", as Stripe runs it).
//!
//! A claim inserts the key before the request runs; the unique index on
//! (org, key) makes a concurrent second claim see the first one, so two
//! requests with one key never both write. A claim left unfinished for
//! [`ABANDONED_AFTER_SECONDS`] (the server stopped mid-request) may be taken
//! over.

use chrono::{DateTime, TimeDelta, Utc};
use glassbox_domain::DomainError;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, ExprTrait, QueryFilter};
use uuid::Uuid;

use crate::Store;
use crate::entities::idempotency_keys as keys;
use crate::error::db_err;

/// How long a key is remembered, in hours.
pub const RETENTION_HOURS: i64 = 24;

/// After how long an unfinished claim counts as abandoned, in seconds.
pub const ABANDONED_AFTER_SECONDS: i64 = 300;

/// A stored answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnswer {
    /// HTTP status.
    pub status: u16,
    /// Headers worth replaying, as `name: value` lines.
    pub headers: String,
    /// Body (JSON text, or empty).
    pub body: String,
}

/// What a claim found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key is new: run the request, then [`Store::finish_idempotency_key`].
    Fresh,
    /// The key answered this same request before.
    Replay(StoredAnswer),
    /// The key was used for a different request.
    Mismatch,
    /// The first request with this key is still running.
    InProgress,
}

impl Store {
    /// Claims `key` for a request whose fingerprint is `hash`.
    ///
    /// # Errors
    /// [`DomainError::Internal`] on storage failure.
    pub async fn claim_idempotency_key(&self, org_id: Uuid, key: &str, hash: &str) -> Result<Claim, DomainError> {
        let now = self.now();
        let conn = self.conn();
        let expired = now - TimeDelta::hours(RETENTION_HOURS);
        let abandoned = now - TimeDelta::seconds(ABANDONED_AFTER_SECONDS);
        keys::Entity::delete_many()
            .filter(keys::Column::OrgId.eq(org_id))
            .filter(keys::Column::Key.eq(key))
            .filter(
                sea_orm::Condition::any()
                    .add(keys::Column::CreatedAt.lt(expired))
                    .add(keys::Column::CompletedAt.is_null().and(keys::Column::CreatedAt.lt(abandoned))),
            )
            .exec(conn)
            .await
            .map_err(db_err)?;
        let row = keys::ActiveModel {
            id: Set(Uuid::now_v7()),
            org_id: Set(org_id),
            key: Set(key.to_owned()),
            request_hash: Set(hash.to_owned()),
            status: Set(None),
            headers: Set(None),
            body: Set(None),
            created_at: Set(now),
            completed_at: Set(None),
        };
        let inserted = keys::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([keys::Column::OrgId, keys::Column::Key])
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(conn)
            .await
            .map_err(db_err)?;
        if inserted == 1 {
            return Ok(Claim::Fresh);
        }
        let Some(found) = keys::Entity::find()
            .filter(keys::Column::OrgId.eq(org_id))
            .filter(keys::Column::Key.eq(key))
            .one(conn)
            .await
            .map_err(db_err)?
        else {
            // Released between our insert and read: the caller may retry.
            return Ok(Claim::InProgress);
        };
        Ok(match (found.request_hash == hash, found.status) {
            (false, _) => Claim::Mismatch,
            (true, None) => Claim::InProgress,
            (true, Some(status)) => Claim::Replay(StoredAnswer {
                status: u16::try_from(status).unwrap_or(500),
                headers: found.headers.unwrap_or_default(),
                body: found.body.unwrap_or_default(),
            }),
        })
    }

    /// Stores the answer of a claimed key.
    ///
    /// # Errors
    /// [`DomainError::Internal`] on storage failure.
    pub async fn finish_idempotency_key(&self, org_id: Uuid, key: &str, answer: &StoredAnswer) -> Result<(), DomainError> {
        let now: DateTime<Utc> = self.now();
        keys::Entity::update_many()
            .col_expr(keys::Column::Status, sea_orm::sea_query::Expr::value(i32::from(answer.status)))
            .col_expr(keys::Column::Headers, sea_orm::sea_query::Expr::value(answer.headers.clone()))
            .col_expr(keys::Column::Body, sea_orm::sea_query::Expr::value(answer.body.clone()))
            .col_expr(keys::Column::CompletedAt, sea_orm::sea_query::Expr::value(now))
            .filter(keys::Column::OrgId.eq(org_id))
            .filter(keys::Column::Key.eq(key))
            .exec(self.conn())
            .await
            .map_err(db_err)?;
        Ok(())
    }

    /// Forgets a claimed key whose request failed on the server's side, so
    /// that a retry runs again.
    ///
    /// # Errors
    /// [`DomainError::Internal`] on storage failure.
    pub async fn release_idempotency_key(&self, org_id: Uuid, key: &str) -> Result<(), DomainError> {
        keys::Entity::delete_many()
            .filter(keys::Column::OrgId.eq(org_id))
            .filter(keys::Column::Key.eq(key))
            .filter(keys::Column::CompletedAt.is_null())
            .exec(self.conn())
            .await
            .map_err(db_err)?;
        Ok(())
    }
}
