//! Refresh tokens: stored hashed, rotated on every use, grouped in families.
//!
//! Rotation follows the OAuth 2.0 Security BCP (RFC 9700 §4.14.2): each
//! refresh returns a new token and retires the old one; presenting a retired
//! token again means it leaked, so the whole family (every token descended
//! from the same login) is revoked.

use chrono::{DateTime, Utc};
use glassbox_domain::DomainError;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::Store;
use crate::entities::{refresh_tokens, users};
use crate::error::db_err;

/// Who a refresh token belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenOwner {
    /// Tenant.
    pub org_id: Uuid,
    /// User.
    pub user_id: Uuid,
    /// Login family the token belongs to.
    pub family_id: Uuid,
}

impl Store {
    /// Stores the hash of a new refresh token starting a new family (login).
    ///
    /// # Errors
    /// [`DomainError::Internal`] on storage failure.
    pub async fn start_refresh_family(
        &self,
        org_id: Uuid,
        user_id: Uuid,
        token_hash: String,
        expires_at: DateTime<Utc>,
    ) -> Result<TokenOwner, DomainError> {
        let owner = TokenOwner {
            org_id,
            user_id,
            family_id: Uuid::now_v7(),
        };
        let txn = self.begin_write().await?;
        insert_token(&txn, owner, token_hash, expires_at, self.now()).await?;
        txn.commit().await.map_err(db_err)?;
        Ok(owner)
    }

    /// Exchanges a refresh token for a new one of the same family.
    ///
    /// # Errors
    /// [`DomainError::Unauthenticated`] when the token is unknown, expired,
    /// revoked or already used (reuse also revokes the whole family), or its
    /// user is deactivated.
    pub async fn rotate_refresh_token(
        &self,
        presented_hash: &str,
        new_hash: String,
        new_expires_at: DateTime<Utc>,
    ) -> Result<TokenOwner, DomainError> {
        let txn = self.begin_write().await?;
        let now = self.now();
        let token = refresh_tokens::Entity::find()
            .filter(refresh_tokens::Column::TokenHash.eq(presented_hash))
            .lock_exclusive()
            .one(&txn)
            .await
            .map_err(db_err)?
            .ok_or_else(|| DomainError::Unauthenticated("unknown refresh token".into()))?;
        let owner = TokenOwner {
            org_id: token.org_id,
            user_id: token.user_id,
            family_id: token.family_id,
        };
        if token.revoked_at.is_some() {
            return Err(DomainError::Unauthenticated("refresh token was revoked; sign in again".into()));
        }
        if token.used_at.is_some() {
            revoke_family(&txn, token.family_id, now).await?;
            txn.commit().await.map_err(db_err)?;
            return Err(DomainError::Unauthenticated(
                "refresh token was already used; every token of this sign-in is now revoked".into(),
            ));
        }
        if token.expires_at <= now {
            return Err(DomainError::Unauthenticated("refresh token expired".into()));
        }
        let active = users::Entity::find_by_id(token.user_id)
            .filter(users::Column::OrgId.eq(token.org_id))
            .one(&txn)
            .await
            .map_err(db_err)?
            .is_some_and(|u| u.active);
        if !active {
            return Err(DomainError::Unauthenticated("the user is deactivated".into()));
        }
        let marked = refresh_tokens::Entity::update_many()
            .col_expr(refresh_tokens::Column::UsedAt, Expr::value(now))
            .filter(refresh_tokens::Column::Id.eq(token.id))
            .filter(refresh_tokens::Column::UsedAt.is_null())
            .exec(&txn)
            .await
            .map_err(db_err)?;
        if marked.rows_affected != 1 {
            return Err(DomainError::Unauthenticated("refresh token was already used".into()));
        }
        insert_token(&txn, owner, new_hash, new_expires_at, now).await?;
        txn.commit().await.map_err(db_err)?;
        Ok(owner)
    }

    /// Revokes the family of the presented token (logout). Unknown tokens are
    /// ignored, so logout is idempotent.
    ///
    /// # Errors
    /// [`DomainError::Internal`] on storage failure.
    pub async fn revoke_refresh_family_of(&self, presented_hash: &str) -> Result<(), DomainError> {
        let txn = self.begin_write().await?;
        let family = refresh_tokens::Entity::find()
            .filter(refresh_tokens::Column::TokenHash.eq(presented_hash))
            .one(&txn)
            .await
            .map_err(db_err)?
            .map(|t| t.family_id);
        if let Some(family) = family {
            revoke_family(&txn, family, self.now()).await?;
        }
        txn.commit().await.map_err(db_err)
    }
}

async fn insert_token(
    conn: &impl sea_orm::ConnectionTrait,
    owner: TokenOwner,
    token_hash: String,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    refresh_tokens::ActiveModel {
        id: Set(Uuid::now_v7()),
        org_id: Set(owner.org_id),
        user_id: Set(owner.user_id),
        family_id: Set(owner.family_id),
        token_hash: Set(token_hash),
        expires_at: Set(expires_at),
        used_at: Set(None),
        revoked_at: Set(None),
        created_at: Set(now),
    }
    .insert(conn)
    .await
    .map_err(db_err)?;
    Ok(())
}

/// Revokes every live refresh token of a user (password change, deactivation).
pub(crate) async fn revoke_user_tokens(
    conn: &impl sea_orm::ConnectionTrait,
    org_id: Uuid,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    refresh_tokens::Entity::update_many()
        .col_expr(refresh_tokens::Column::RevokedAt, Expr::value(now))
        .filter(refresh_tokens::Column::OrgId.eq(org_id))
        .filter(refresh_tokens::Column::UserId.eq(user_id))
        .filter(refresh_tokens::Column::RevokedAt.is_null())
        .exec(conn)
        .await
        .map_err(db_err)?;
    Ok(())
}

async fn revoke_family(conn: &impl sea_orm::ConnectionTrait, family_id: Uuid, now: DateTime<Utc>) -> Result<(), DomainError> {
    refresh_tokens::Entity::update_many()
        .col_expr(refresh_tokens::Column::RevokedAt, Expr::value(now))
        .filter(refresh_tokens::Column::FamilyId.eq(family_id))
        .filter(refresh_tokens::Column::RevokedAt.is_null())
        .exec(conn)
        .await
        .map_err(db_err)?;
    Ok(())
}
