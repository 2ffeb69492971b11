//! API key wire types.

use chrono::{DateTime, Utc};
use glassbox_domain::DomainError;
use glassbox_domain::api_key::{ApiKey, KeyScope};
use glassbox_domain::error::Errors;
use glassbox_domain::org::Name;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

/// An API key (never its secret after creation).
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyDto {
    /// Id.
    pub id: Uuid,
    /// What it is for.
    pub name: String,
    /// The first characters after `gbx_`, to recognise the key.
    pub prefix: String,
    /// `resource:read` / `resource:write` scopes.
    pub scopes: Vec<String>,
    /// The admin it acts as.
    pub created_by: Uuid,
    /// When it stops working; null: never.
    pub expires_at: Option<DateTime<Utc>>,
    /// Last use (to the minute); null: never used.
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it was revoked; null: active.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
}

impl From<ApiKey> for ApiKeyDto {
    fn from(k: ApiKey) -> Self {
        Self {
            id: k.id,
            name: k.name,
            prefix: k.prefix,
            scopes: k.scopes.iter().map(KeyScope::label).collect(),
            created_by: k.created_by,
            expires_at: k.expires_at,
            last_used_at: k.last_used_at,
            revoked_at: k.revoked_at,
            created_at: k.created_at,
        }
    }
}

/// A new key with its secret: shown in this answer only.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewApiKeyDto {
    /// The secret, `gbx_…`: send it as `Authorization: Bearer <key>`. It is
    /// stored hashed and never shown again.
    pub key: String,
    /// The key's record.
    #[serde(flatten)]
    pub record: ApiKeyDto,
}

/// A key to create.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiKey {
    /// What it is for, 1–200 characters.
    pub name: String,
    /// At least one scope such as `opportunities:read` or `activities:write`.
    pub scopes: Vec<String>,
    /// When it stops working (optional; must be in the future).
    pub expires_at: Option<DateTime<Utc>>,
}

impl CreateApiKey {
    /// The key record (secret and hash are added by the caller).
    ///
    /// # Errors
    /// [`DomainError::Validation`] naming every bad field.
    pub fn parse(&self, now: DateTime<Utc>) -> Result<ApiKey, DomainError> {
        let mut errors = Errors::new();
        let name = errors.take(Name::parse_max("name", &self.name, 200));
        let mut scopes = Vec::new();
        for raw in &self.scopes {
            if let Some(s) = errors.take(KeyScope::parse("scopes", raw)) {
                scopes.push(s);
            }
        }
        scopes.sort();
        scopes.dedup();
        if self.scopes.is_empty() {
            errors.push(glassbox_domain::FieldError::new("scopes", "required", "give at least one scope"));
        }
        if self.expires_at.is_some_and(|e| e <= now) {
            errors.push(glassbox_domain::FieldError::new(
                "expires_at",
                "in_the_past",
                "must be in the future",
            ));
        }
        errors.finish()?;
        Ok(ApiKey {
            id: Uuid::now_v7(),
            org_id: Uuid::nil(),
            name: name.map(Name::into_string).unwrap_or_default(),
            prefix: String::new(),
            scopes,
            created_by: Uuid::nil(),
            expires_at: self.expires_at,
            last_used_at: None,
            revoked_at: None,
            created_at: now,
        })
    }
}

/// The org's keys, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyList {
    /// Newest first.
    pub data: Vec<ApiKeyDto>,
}
