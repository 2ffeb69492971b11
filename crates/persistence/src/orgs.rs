//! Organizations.

use chrono::{DateTime, Utc};
use glassbox_domain::calendar::BusinessCalendar;
use glassbox_domain::org::{NewOrg, Org, OrgChanges};
use glassbox_domain::user::NewUser;
use glassbox_domain::{DomainError, Scope};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::entities::orgs;
use crate::error::{check_version, db_err};
use crate::{Store, users};

fn to_domain(m: orgs::Model) -> Org {
    Org {
        id: m.id,
        name: m.name,
        base_currency: m.base_currency,
        fiscal_year_start_month: m.fiscal_year_start_month,
        time_zone: m.time_zone,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

/// Inserts an org with the default pipeline (inside the caller's transaction).
async fn insert_org(conn: &impl ConnectionTrait, org: NewOrg, now: DateTime<Utc>) -> Result<Org, DomainError> {
    let model = orgs::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(org.name.into_string()),
        base_currency: Set(org.base_currency.code().to_owned()),
        fiscal_year_start_month: Set(i32::from(org.fiscal_year_start_month.get())),
        time_zone: Set(org.time_zone.name().to_owned()),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(conn)
    .await
    .map_err(db_err)?;
    crate::pipelines::insert_default_pipeline(conn, model.id, now).await?;
    crate::rollups::mark_ready(conn, model.id, now).await?;
    Ok(to_domain(model))
}

impl Store {
    /// Creates an org and its first admin in one transaction (the
    /// `bootstrap` command). Returns the org and the admin's id.
    ///
    /// # Errors
    /// [`DomainError::Conflict`] if the ids are taken; [`DomainError::Internal`]
    /// on storage failure.
    pub async fn create_org_with_admin(&self, org: NewOrg, admin: NewUser, password_hash: String) -> Result<(Org, Uuid), DomainError> {
        let txn = self.begin_write().await?;
        let now = self.now();
        let org = insert_org(&txn, org, now).await?;
        let admin_id = admin.id;
        users::insert_user(&txn, org.id, &admin, password_hash, now).await?;
        txn.commit().await.map_err(db_err)?;
        Ok((org, admin_id))
    }

    /// The org named `org.name`, created with `org`'s settings (and the
    /// default pipeline) when there is none. Returns it and whether it was
    /// created.
    ///
    /// # Errors
    /// [`DomainError::Conflict`] when several orgs have that name.
    pub async fn find_or_create_org(&self, org: NewOrg) -> Result<(Org, bool), DomainError> {
        let txn = self.begin_write().await?;
        let mut found = orgs::Entity::find()
            .filter(orgs::Column::Name.eq(org.name.as_str()))
            .limit(2)
            .all(&txn)
            .await
            .map_err(db_err)?;
        let result = match (found.pop(), found.pop()) {
            (Some(_), Some(_)) => return Err(DomainError::Conflict(format!("several orgs are named `{}`", org.name.as_str()))),
            (Some(existing), None) => (to_domain(existing), false),
            (None, _) => (insert_org(&txn, org, self.now()).await?, true),
        };
        txn.commit().await.map_err(db_err)?;
        Ok(result)
    }

    /// Whether any org exists (an empty database has none).
    ///
    /// # Errors
    /// [`DomainError::Internal`] on storage failure.
    pub async fn has_orgs(&self) -> Result<bool, DomainError> {
        Ok(orgs::Entity::find().one(self.conn()).await.map_err(db_err)?.is_some())
    }

    /// The caller's org.
    ///
    /// # Errors
    /// [`DomainError::NotFound`] if it no longer exists.
    pub async fn get_org(&self, scope: &Scope) -> Result<Org, DomainError> {
        orgs::Entity::find_by_id(scope.org_id)
            .one(self.conn())
            .await
            .map_err(db_err)?
            .map(to_domain)
            .ok_or(DomainError::NotFound("org"))
    }

    /// Applies `changes` and a new business `calendar` (its time zone is
    /// ignored: it follows the org's) to the caller's org (admin only),
    /// checking the `If-Match` version when given.
    ///
    /// # Errors
    /// [`DomainError::Forbidden`] unless admin; [`DomainError::StaleVersion`];
    /// [`DomainError::NotFound`].
    pub async fn update_org(
        &self,
        scope: &Scope,
        changes: OrgChanges,
        calendar: Option<BusinessCalendar>,
        if_match: Option<i64>,
    ) -> Result<Org, DomainError> {
        if !scope.is_admin() {
            return Err(DomainError::Forbidden("only an admin may change org settings".into()));
        }
        let txn = self.begin_write().await?;
        let current = orgs::Entity::find_by_id(scope.org_id)
            .lock_exclusive()
            .one(&txn)
            .await
            .map_err(db_err)?
            .ok_or(DomainError::NotFound("org"))?;
        check_version(if_match, current.version)?;
        if changes.is_empty() && calendar.is_none() {
            return Ok(to_domain(current));
        }
        let version = current.version;
        let current_tz = current.time_zone.clone();
        let current_base = current.base_currency.clone();
        let mut model = current.into_active_model();
        if let Some(name) = changes.name {
            model.name = Set(name.into_string());
        }
        if let Some(currency) = changes.base_currency {
            model.base_currency = Set(currency.code().to_owned());
        }
        if let Some(month) = changes.fiscal_year_start_month {
            model.fiscal_year_start_month = Set(i32::from(month.get()));
        }
        // Rollups count local days: another time zone moves them; forecast
        // cells keep close days only for currencies other than the base.
        let rebuild =
            changes.time_zone.is_some_and(|tz| tz.name() != current_tz) || changes.base_currency.is_some_and(|c| c.code() != current_base);
        if let Some(tz) = changes.time_zone {
            model.time_zone = Set(tz.name().to_owned());
        }
        if let Some(calendar) = &calendar {
            crate::calendars::save_calendar(&txn, scope.org_id, calendar).await?;
        }
        model.version = Set(version + 1);
        model.updated_at = Set(self.now());
        let saved = model.update(&txn).await.map_err(db_err)?;
        if rebuild {
            crate::rollups::mark_stale(&txn, scope.org_id).await?;
        }
        txn.commit().await.map_err(db_err)?;
        if rebuild {
            self.rebuild_in_background(scope.org_id);
        }
        Ok(to_domain(saved))
    }
}
