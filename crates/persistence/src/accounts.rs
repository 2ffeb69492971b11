//! Accounts and contacts.

use glassbox_domain::account::{Account, Contact};
use glassbox_domain::page::{Page, PageRequest};
use glassbox_domain::{DomainError, Scope};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::Store;
use crate::entities::{accounts, contacts};
use crate::error::{check_version, db_err};
use crate::refs::{Ref, check_in_reach};
use crate::visibility::Reach;

fn account(m: accounts::Model) -> Account {
    Account {
        id: m.id,
        org_id: m.org_id,
        name: m.name,
        parent_account_id: m.parent_account_id,
        industry: m.industry,
        website: m.website,
        employees: m.employees,
        annual_revenue_minor: m.annual_revenue_minor,
        currency: m.currency,
        owner_id: m.owner_id,
        external_id: m.external_id,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

fn account_row(a: &Account) -> accounts::ActiveModel {
    accounts::ActiveModel {
        id: Set(a.id),
        org_id: Set(a.org_id),
        name: Set(a.name.clone()),
        parent_account_id: Set(a.parent_account_id),
        industry: Set(a.industry.clone()),
        website: Set(a.website.clone()),
        employees: Set(a.employees),
        annual_revenue_minor: Set(a.annual_revenue_minor),
        currency: Set(a.currency.clone()),
        owner_id: Set(a.owner_id),
        external_id: Set(a.external_id.clone()),
        deleted_at: Set(None),
        version: Set(a.version),
        created_at: Set(a.created_at),
        updated_at: Set(a.updated_at),
    }
}

fn contact(m: contacts::Model) -> Contact {
    Contact {
        id: m.id,
        org_id: m.org_id,
        account_id: m.account_id,
        name: m.name,
        email: m.email,
        phone: m.phone,
        title: m.title,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

fn contact_row(c: &Contact) -> contacts::ActiveModel {
    contacts::ActiveModel {
        id: Set(c.id),
        org_id: Set(c.org_id),
        account_id: Set(c.account_id),
        name: Set(c.name.clone()),
        email: Set(c.email.clone()),
        phone: Set(c.phone.clone()),
        title: Set(c.title.clone()),
        deleted_at: Set(None),
        version: Set(c.version),
        created_at: Set(c.created_at),
        updated_at: Set(c.updated_at),
    }
}

/// A live account in the caller's reach (see [`crate::visibility`]).
async fn live_account(conn: &impl ConnectionTrait, scope: &Scope, id: Uuid, lock: bool) -> Result<Account, DomainError> {
    let reach = Reach::of(conn, scope).await?;
    let mut q = accounts::Entity::find_by_id(id)
        .filter(accounts::Column::OrgId.eq(scope.org_id))
        .filter(accounts::Column::DeletedAt.is_null())
        .filter(reach.accounts());
    if lock {
        q = q.lock_exclusive();
    }
    q.one(conn)
        .await
        .map_err(db_err)?
        .map(account)
        .ok_or(DomainError::NotFound("account"))
}

/// A live contact in the caller's reach.
async fn live_contact(conn: &impl ConnectionTrait, scope: &Scope, id: Uuid, lock: bool) -> Result<Contact, DomainError> {
    let reach = Reach::of(conn, scope).await?;
    let mut q = contacts::Entity::find_by_id(id)
        .filter(contacts::Column::OrgId.eq(scope.org_id))
        .filter(contacts::Column::DeletedAt.is_null())
        .filter(reach.contacts());
    if lock {
        q = q.lock_exclusive();
    }
    q.one(conn)
        .await
        .map_err(db_err)?
        .map(contact)
        .ok_or(DomainError::NotFound("contact"))
}

/// Refuses a parent link that would put an account below itself.
async fn check_parent(conn: &impl ConnectionTrait, a: &Account) -> Result<(), DomainError> {
    let mut cursor = a.parent_account_id;
    let mut hops = 0;
    while let Some(id) = cursor {
        if id == a.id || hops > 64 {
            return Err(DomainError::invalid(
                "parent_account_id",
                "cycle",
                "an account cannot be its own ancestor",
            ));
        }
        cursor = accounts::Entity::find_by_id(id)
            .one(conn)
            .await
            .map_err(db_err)?
            .and_then(|p| p.parent_account_id);
        hops += 1;
    }
    Ok(())
}

impl Store {
    /// Accounts of the org by id, filtered by name (`q`, case-insensitive
    /// substring) and owner.
    ///
    /// # Errors
    /// [`DomainError::Internal`] on storage failure.
    pub async fn list_accounts(
        &self,
        scope: &Scope,
        q: Option<&str>,
        owner_id: Option<Uuid>,
        page: PageRequest,
    ) -> Result<Page<Account>, DomainError> {
        let reach = Reach::of(self.conn(), scope).await?;
        let mut query = accounts::Entity::find()
            .filter(accounts::Column::OrgId.eq(scope.org_id))
            .filter(accounts::Column::DeletedAt.is_null())
            .filter(reach.accounts());
        if let Some(q) = q.filter(|q| !q.is_empty()) {
            query = query.filter(crate::opportunities::name_contains(accounts::Column::Name, q));
        }
        if let Some(owner) = owner_id {
            query = query.filter(accounts::Column::OwnerId.eq(owner));
        }
        if let Some(after) = page.after {
            query = query.filter(accounts::Column::Id.gt(after));
        }
        let rows = query
            .order_by_asc(accounts::Column::Id)
            .limit(page.limit.get() + 1)
            .all(self.conn())
            .await
            .map_err(db_err)?;
        Ok(Page::from_overfetch(rows, page.limit, |r| r.id).map(account))
    }

    /// One live account.
    ///
    /// # Errors
    /// [`DomainError::NotFound`].
    pub async fn get_account(&self, scope: &Scope, id: Uuid) -> Result<Account, DomainError> {
        live_account(self.conn(), scope, id, false).await
    }

    /// Inserts (`if_match` = `None` and no current row) or updates an
    /// account; `a.version` is ignored and set here.
    ///
    /// # Errors
    /// [`DomainError::Validation`] on unknown parent or owner or a parent
    /// cycle; [`DomainError::StaleVersion`]; [`DomainError::Conflict`] on a
    /// taken id or external id.
    pub async fn save_account(&self, scope: &Scope, mut a: Account, update: Option<Option<i64>>) -> Result<Account, DomainError> {
        scope.require_sales_writer()?;
        let txn = self.begin_write().await?;
        let now = self.now();
        check_in_reach(
            &txn,
            scope,
            &[
                ("parent_account_id", a.parent_account_id, Ref::Account),
                ("owner_id", Some(a.owner_id), Ref::Owner),
            ],
        )
        .await?;
        check_parent(&txn, &a).await?;
        a.org_id = scope.org_id;
        a.updated_at = now;
        match update {
            None => {
                a.version = 1;
                a.created_at = now;
                account_row(&a).insert(&txn).await.map_err(db_err)?;
            }
            Some(if_match) => {
                let current = live_account(&txn, scope, a.id, true).await?;
                check_version(if_match, current.version)?;
                a.version = current.version + 1;
                a.created_at = current.created_at;
                account_row(&a).update(&txn).await.map_err(db_err)?;
            }
        }
        txn.commit().await.map_err(db_err)?;
        Ok(a)
    }

    /// Soft-deletes an account; refused while live contacts, opportunities
    /// or sub-accounts point at it.
    ///
    /// # Errors
    /// [`DomainError::NotFound`]; [`DomainError::StaleVersion`]; [`DomainError::Conflict`].
    pub async fn delete_account(&self, scope: &Scope, id: Uuid, if_match: Option<i64>) -> Result<(), DomainError> {
        scope.require_sales_writer()?;
        let txn = self.begin_write().await?;
        let now = self.now();
        let current = live_account(&txn, scope, id, true).await?;
        check_version(if_match, current.version)?;
        let in_use = crate::refs::account_in_use(&txn, scope.org_id, id).await?;
        if in_use {
            return Err(DomainError::Conflict(
                "the account still has live contacts, opportunities or sub-accounts".into(),
            ));
        }
        crate::soft_delete::mark::<accounts::Entity>(&txn, id, current.version, now).await?;
        txn.commit().await.map_err(db_err)
    }

    /// Contacts of the org by id, optionally of one account.
    ///
    /// # Errors
    /// [`DomainError::Internal`] on storage failure.
    pub async fn list_contacts(&self, scope: &Scope, account_id: Option<Uuid>, page: PageRequest) -> Result<Page<Contact>, DomainError> {
        let reach = Reach::of(self.conn(), scope).await?;
        let mut query = contacts::Entity::find()
            .filter(reach.contacts())
            .filter(contacts::Column::OrgId.eq(scope.org_id))
            .filter(contacts::Column::DeletedAt.is_null());
        if let Some(account) = account_id {
            query = query.filter(contacts::Column::AccountId.eq(account));
        }
        if let Some(after) = page.after {
            query = query.filter(contacts::Column::Id.gt(after));
        }
        let rows = query
            .order_by_asc(contacts::Column::Id)
            .limit(page.limit.get() + 1)
            .all(self.conn())
            .await
            .map_err(db_err)?;
        Ok(Page::from_overfetch(rows, page.limit, |r| r.id).map(contact))
    }

    /// One live contact.
    ///
    /// # Errors
    /// [`DomainError::NotFound`].
    pub async fn get_contact(&self, scope: &Scope, id: Uuid) -> Result<Contact, DomainError> {
        live_contact(self.conn(), scope, id, false).await
    }

    /// Inserts or updates a contact, as [`Store::save_account`].
    ///
    /// # Errors
    /// [`DomainError::Validation`] on an unknown account; [`DomainError::StaleVersion`];
    /// [`DomainError::Conflict`].
    pub async fn save_contact(&self, scope: &Scope, mut c: Contact, update: Option<Option<i64>>) -> Result<Contact, DomainError> {
        scope.require_sales_writer()?;
        let txn = self.begin_write().await?;
        let now = self.now();
        check_in_reach(&txn, scope, &[("account_id", c.account_id, Ref::Account)]).await?;
        c.org_id = scope.org_id;
        c.updated_at = now;
        match update {
            None => {
                c.version = 1;
                c.created_at = now;
                contact_row(&c).insert(&txn).await.map_err(db_err)?;
            }
            Some(if_match) => {
                let current = live_contact(&txn, scope, c.id, true).await?;
                check_version(if_match, current.version)?;
                c.version = current.version + 1;
                c.created_at = current.created_at;
                contact_row(&c).update(&txn).await.map_err(db_err)?;
            }
        }
        txn.commit().await.map_err(db_err)?;
        Ok(c)
    }

    /// Soft-deletes a contact (activities keep their link for history).
    ///
    /// # Errors
    /// [`DomainError::NotFound`]; [`DomainError::StaleVersion`].
    pub async fn delete_contact(&self, scope: &Scope, id: Uuid, if_match: Option<i64>) -> Result<(), DomainError> {
        scope.require_sales_writer()?;
        let txn = self.begin_write().await?;
        let now = self.now();
        let current = live_contact(&txn, scope, id, true).await?;
        check_version(if_match, current.version)?;
        crate::soft_delete::mark::<contacts::Entity>(&txn, id, current.version, now).await?;
        txn.commit().await.map_err(db_err)
    }
}
