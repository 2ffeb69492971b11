//! API keys: created by admins, looked up by the hash of the secret.

use chrono::{DateTime, TimeDelta, Utc};
use glassbox_domain::api_key::{ApiKey, KeyScope};
use glassbox_domain::{DomainError, Scope};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::Store;
use crate::entities::api_keys as keys;
use crate::error::db_err;

fn to_domain(m: keys::Model) -> Result<ApiKey, DomainError> {
    let scopes = m
        .scopes
        .split_whitespace()
        .map(|s| KeyScope::parse("scopes", s))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| DomainError::Internal("stored API key scope is bad".into()))?;
    Ok(ApiKey {
        id: m.id,
        org_id: m.org_id,
        name: m.name,
        prefix: m.prefix,
        scopes,
        created_by: m.created_by,
        expires_at: m.expires_at,
        last_used_at: m.last_used_at,
        revoked_at: m.revoked_at,
        created_at: m.created_at,
    })
}

fn require_admin(scope: &Scope) -> Result<(), DomainError> {
    if scope.is_admin() {
        Ok(())
    } else {
        Err(DomainError::Forbidden("only an admin manages API keys".into()))
    }
}

impl Store {
    /// Stores a new key (admin only) whose secret hashes to `key_hash`; it
    /// acts as the calling admin.
    ///
    /// # Errors
    /// [`DomainError::Forbidden`] unless admin.
    pub async fn create_api_key(&self, scope: &Scope, mut key: ApiKey, key_hash: &str) -> Result<ApiKey, DomainError> {
        require_admin(scope)?;
        key.org_id = scope.org_id;
        key.created_by = scope.user_id;
        key.created_at = self.now();
        let scopes: Vec<String> = key.scopes.iter().map(KeyScope::label).collect();
        keys::ActiveModel {
            id: Set(key.id),
            org_id: Set(key.org_id),
            name: Set(key.name.clone()),
            prefix: Set(key.prefix.clone()),
            key_hash: Set(key_hash.to_owned()),
            scopes: Set(scopes.join(" ")),
            created_by: Set(key.created_by),
            expires_at: Set(key.expires_at),
            last_used_at: Set(None),
            revoked_at: Set(None),
            created_at: Set(key.created_at),
        }
        .insert(self.conn())
        .await
        .map_err(db_err)?;
        Ok(key)
    }

    /// The org's keys, newest first (admin only).
    ///
    /// # Errors
    /// [`DomainError::Forbidden`] unless admin.
    pub async fn list_api_keys(&self, scope: &Scope) -> Result<Vec<ApiKey>, DomainError> {
        require_admin(scope)?;
        keys::Entity::find()
            .filter(keys::Column::OrgId.eq(scope.org_id))
            .order_by_desc(keys::Column::CreatedAt)
            .order_by_desc(keys::Column::Id)
            .all(self.conn())
            .await
            .map_err(db_err)?
            .into_iter()
            .map(to_domain)
            .collect()
    }

    /// Revokes a key at once (admin only); revoking twice is fine.
    ///
    /// # Errors
    /// [`DomainError::Forbidden`]; [`DomainError::NotFound`].
    pub async fn revoke_api_key(&self, scope: &Scope, id: Uuid) -> Result<(), DomainError> {
        require_admin(scope)?;
        let found = keys::Entity::find_by_id(id)
            .filter(keys::Column::OrgId.eq(scope.org_id))
            .one(self.conn())
            .await
            .map_err(db_err)?
            .ok_or(DomainError::NotFound("API key"))?;
        if found.revoked_at.is_none() {
            keys::Entity::update_many()
                .col_expr(keys::Column::RevokedAt, Expr::value(self.now()))
                .filter(keys::Column::Id.eq(id))
                .filter(keys::Column::RevokedAt.is_null())
                .exec(self.conn())
                .await
                .map_err(db_err)?;
        }
        Ok(())
    }

    /// The usable key whose secret hashes to `key_hash`, noting its use
    /// (at most once a minute).
    ///
    /// # Errors
    /// [`DomainError::Unauthenticated`] when unknown, revoked or expired.
    pub async fn authenticate_api_key(&self, key_hash: &str) -> Result<ApiKey, DomainError> {
        let now: DateTime<Utc> = self.now();
        let key = keys::Entity::find()
            .filter(keys::Column::KeyHash.eq(key_hash))
            .one(self.conn())
            .await
            .map_err(db_err)?
            .map(to_domain)
            .transpose()?
            .filter(|k| k.usable_at(now))
            .ok_or_else(|| DomainError::Unauthenticated("the API key is unknown, revoked or expired".into()))?;
        if key.last_used_at.is_none_or(|t| now - t >= TimeDelta::minutes(1)) {
            keys::Entity::update_many()
                .col_expr(keys::Column::LastUsedAt, Expr::value(now))
                .filter(keys::Column::Id.eq(key.id))
                .exec(self.conn())
                .await
                .map_err(db_err)?;
        }
        Ok(key)
    }
}
