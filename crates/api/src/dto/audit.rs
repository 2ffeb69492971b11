//! Audit log wire types.

use chrono::{DateTime, Utc};
use glassbox_domain::DomainError;
use glassbox_domain::audit::AuditEntry;
use glassbox_domain::page::PageRequest;
use glassbox_persistence::audit::{AuditFilter, AuditKey};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

const CURSOR_PREFIX: &str = "au1|";

/// One audit log entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryDto {
    /// Id.
    pub id: Uuid,
    /// When.
    pub at: DateTime<Utc>,
    /// The user who acted (for an API key, the admin it acts as); null for
    /// a refused sign-in.
    pub actor_user_id: Option<Uuid>,
    /// The API key used, if any.
    pub api_key_id: Option<Uuid>,
    /// `create`, `update`, `delete`, `login`, `login_failed`, `logout`,
    /// `token_refresh`, `batch_upsert`, or a named action (`deactivate`,
    /// `accept`, `start`, `complete`, `decline`, `cancel`, `rate`).
    pub action: String,
    /// The collection, as in the API path (`opportunities`, `users`, `org`,
    /// `auth`, `forecast-snapshots/schedule`, …).
    pub resource: String,
    /// The record (for sign-ins: the user).
    pub resource_id: Option<Uuid>,
    /// HTTP status answered.
    pub status: u16,
    /// The request's `X-Request-Id`.
    pub request_id: Option<String>,
    /// Client address.
    pub ip: Option<String>,
    /// Extra facts (e.g. where a leaver's records went).
    pub detail: Option<serde_json::Value>,
}

impl From<AuditEntry> for AuditEntryDto {
    fn from(e: AuditEntry) -> Self {
        Self {
            id: e.id,
            at: e.at,
            actor_user_id: e.actor_user_id,
            api_key_id: e.api_key_id,
            action: e.action,
            resource: e.resource,
            resource_id: e.resource_id,
            status: e.status,
            request_id: e.request_id,
            ip: e.ip,
            detail: e.detail.and_then(|d| serde_json::from_str(&d).ok()),
        }
    }
}

/// Audit log filters and paging.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Only this user's actions.
    pub actor_user_id: Option<Uuid>,
    /// Only actions through this API key.
    pub api_key_id: Option<Uuid>,
    /// Only this collection.
    #[param(max_length = 40)]
    pub resource: Option<String>,
    /// Only this record.
    pub resource_id: Option<Uuid>,
    /// Only this action.
    #[param(max_length = 32)]
    pub action: Option<String>,
    /// At or after (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Before (RFC 3339).
    pub to: Option<DateTime<Utc>>,
}

impl AuditQuery {
    /// The filter and page.
    ///
    /// # Errors
    /// [`DomainError::Validation`] on `limit`, `cursor`, `resource` or
    /// `action`.
    pub fn parse(&self) -> Result<(AuditFilter, PageRequest<AuditKey>), DomainError> {
        super::max_chars("resource", self.resource.as_deref(), 40)?;
        super::max_chars("action", self.action.as_deref(), 32)?;
        let page = super::time_page_request(self.limit, self.cursor.as_deref(), CURSOR_PREFIX)?;
        Ok((
            AuditFilter {
                actor_user_id: self.actor_user_id,
                api_key_id: self.api_key_id,
                resource: self.resource.clone(),
                resource_id: self.resource_id,
                action: self.action.clone(),
                from: self.from,
                to: self.to,
            },
            page,
        ))
    }
}

/// A page of the audit log, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditList {
    /// Newest first.
    pub data: Vec<AuditEntryDto>,
    /// Pass as `cursor` for older entries; null on the last page.
    pub next_cursor: Option<String>,
}

impl AuditList {
    /// The wire page.
    pub fn new(page: glassbox_domain::page::Page<AuditEntry, AuditKey>) -> Self {
        Self {
            next_cursor: page.next_after.map(|k| super::encode_time_cursor(k, CURSOR_PREFIX)),
            data: page.items.into_iter().map(Into::into).collect(),
        }
    }
}
