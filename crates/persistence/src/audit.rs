//! The audit log: appended after every write and sign-in, read by admins,
//! never changed (the database refuses UPDATE and DELETE on it).

use chrono::{DateTime, Utc};
use glassbox_domain::audit::AuditEntry;
use glassbox_domain::page::{Page, PageRequest};
use glassbox_domain::{DomainError, Scope};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::Store;
use crate::entities::audit_log as audit;
use crate::error::db_err;

/// Keyset position in the log: (at, id), newest first.
pub type AuditKey = (DateTime<Utc>, Uuid);

/// Audit log filters; all optional.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only this user's actions.
    pub actor_user_id: Option<Uuid>,
    /// Only actions through this API key.
    pub api_key_id: Option<Uuid>,
    /// Only this kind of record.
    pub resource: Option<String>,
    /// Only this record.
    pub resource_id: Option<Uuid>,
    /// Only this action.
    pub action: Option<String>,
    /// At or after.
    pub from: Option<DateTime<Utc>>,
    /// Before.
    pub to: Option<DateTime<Utc>>,
}

fn to_domain(m: audit::Model) -> AuditEntry {
    AuditEntry {
        id: m.id,
        org_id: m.org_id,
        at: m.at,
        actor_user_id: m.actor_user_id,
        api_key_id: m.api_key_id,
        action: m.action,
        resource: m.resource,
        resource_id: m.resource_id,
        status: u16::try_from(m.status).unwrap_or_default(),
        request_id: m.request_id,
        ip: m.ip,
        detail: m.detail,
    }
}

impl Store {
    /// Appends an entry (its `id` and `at` are set here).
    ///
    /// # Errors
    /// [`DomainError::Internal`] on storage failure.
    pub async fn record_audit(&self, mut e: AuditEntry) -> Result<(), DomainError> {
        e.id = Uuid::now_v7();
        e.at = self.now();
        let clip = |s: Option<String>, n: usize| s.map(|s| s.chars().take(n).collect::<String>());
        audit::ActiveModel {
            id: Set(e.id),
            org_id: Set(e.org_id),
            at: Set(e.at),
            actor_user_id: Set(e.actor_user_id),
            api_key_id: Set(e.api_key_id),
            action: Set(e.action.chars().take(32).collect()),
            resource: Set(e.resource.chars().take(40).collect()),
            resource_id: Set(e.resource_id),
            status: Set(i32::from(e.status)),
            request_id: Set(clip(e.request_id, 64)),
            ip: Set(clip(e.ip, 64)),
            detail: Set(e.detail),
        }
        .insert(self.conn())
        .await
        .map_err(db_err)?;
        Ok(())
    }

    /// The org's audit log, newest first (admins only).
    ///
    /// # Errors
    /// [`DomainError::Forbidden`] for other roles.
    pub async fn list_audit(
        &self,
        scope: &Scope,
        f: &AuditFilter,
        page: PageRequest<AuditKey>,
    ) -> Result<Page<AuditEntry, AuditKey>, DomainError> {
        if !scope.is_admin() {
            return Err(DomainError::Forbidden("only admins read the audit log".into()));
        }
        let mut cond = Condition::all().add(audit::Column::OrgId.eq(scope.org_id));
        if let Some(v) = f.actor_user_id {
            cond = cond.add(audit::Column::ActorUserId.eq(v));
        }
        if let Some(v) = f.api_key_id {
            cond = cond.add(audit::Column::ApiKeyId.eq(v));
        }
        if let Some(v) = &f.resource {
            cond = cond.add(audit::Column::Resource.eq(v.as_str()));
        }
        if let Some(v) = f.resource_id {
            cond = cond.add(audit::Column::ResourceId.eq(v));
        }
        if let Some(v) = &f.action {
            cond = cond.add(audit::Column::Action.eq(v.as_str()));
        }
        if let Some(v) = f.from {
            cond = cond.add(audit::Column::At.gte(v));
        }
        if let Some(v) = f.to {
            cond = cond.add(audit::Column::At.lt(v));
        }
        if let Some((at, id)) = page.after {
            cond = cond.add(
                Condition::any()
                    .add(audit::Column::At.lt(at))
                    .add(Condition::all().add(audit::Column::At.eq(at)).add(audit::Column::Id.lt(id))),
            );
        }
        let rows = audit::Entity::find()
            .filter(cond)
            .order_by_desc(audit::Column::At)
            .order_by_desc(audit::Column::Id)
            .limit(page.limit.get() + 1)
            .all(self.conn())
            .await
            .map_err(db_err)?;
        Ok(Page::from_overfetch(rows, page.limit, |r| (r.at, r.id)).map(to_domain))
    }
}
