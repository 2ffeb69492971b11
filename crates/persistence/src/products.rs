//! Products.

use glassbox_domain::account::Product;
use glassbox_domain::page::{Page, PageRequest};
use glassbox_domain::{DomainError, Scope};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::Store;
use crate::entities::products;
use crate::error::{check_version, db_err};

fn product(m: products::Model) -> Product {
    Product {
        id: m.id,
        org_id: m.org_id,
        name: m.name,
        code: m.code,
        list_price_minor: m.list_price_minor,
        currency: m.currency,
        active: m.active,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

fn row(p: &Product) -> products::ActiveModel {
    products::ActiveModel {
        id: Set(p.id),
        org_id: Set(p.org_id),
        name: Set(p.name.clone()),
        code: Set(p.code.clone()),
        list_price_minor: Set(p.list_price_minor),
        currency: Set(p.currency.clone()),
        active: Set(p.active),
        version: Set(p.version),
        created_at: Set(p.created_at),
        updated_at: Set(p.updated_at),
    }
}

async fn find(conn: &impl ConnectionTrait, org_id: Uuid, id: Uuid, lock: bool) -> Result<Product, DomainError> {
    let mut q = products::Entity::find_by_id(id).filter(products::Column::OrgId.eq(org_id));
    if lock {
        q = q.lock_exclusive();
    }
    q.one(conn)
        .await
        .map_err(db_err)?
        .map(product)
        .ok_or(DomainError::NotFound("product"))
}

impl Store {
    /// Products of the org by id, optionally only active ones.
    ///
    /// # Errors
    /// [`DomainError::Internal`] on storage failure.
    pub async fn list_products(&self, scope: &Scope, active: Option<bool>, page: PageRequest) -> Result<Page<Product>, DomainError> {
        let mut query = products::Entity::find().filter(products::Column::OrgId.eq(scope.org_id));
        if let Some(active) = active {
            query = query.filter(products::Column::Active.eq(active));
        }
        if let Some(after) = page.after {
            query = query.filter(products::Column::Id.gt(after));
        }
        let rows = query
            .order_by_asc(products::Column::Id)
            .limit(page.limit.get() + 1)
            .all(self.conn())
            .await
            .map_err(db_err)?;
        Ok(Page::from_overfetch(rows, page.limit, |r| r.id).map(product))
    }

    /// One product.
    ///
    /// # Errors
    /// [`DomainError::NotFound`].
    pub async fn get_product(&self, scope: &Scope, id: Uuid) -> Result<Product, DomainError> {
        find(self.conn(), scope.org_id, id, false).await
    }

    /// Inserts (`update` = `None`) or updates a product (admin or manager).
    /// Products are never deleted (deals refer to them); deactivate instead.
    ///
    /// # Errors
    /// [`DomainError::Forbidden`]; [`DomainError::StaleVersion`];
    /// [`DomainError::Conflict`] on a taken name or code.
    pub async fn save_product(&self, scope: &Scope, mut p: Product, update: Option<Option<i64>>) -> Result<Product, DomainError> {
        use glassbox_domain::user::Role;
        if !matches!(scope.role, Role::Admin | Role::Manager) {
            return Err(DomainError::Forbidden(
                "only admins and managers maintain the product catalogue".into(),
            ));
        }
        let txn = self.begin_write().await?;
        let now = self.now();
        p.org_id = scope.org_id;
        p.updated_at = now;
        match update {
            None => {
                p.version = 1;
                p.created_at = now;
                row(&p).insert(&txn).await.map_err(db_err)?;
            }
            Some(if_match) => {
                let current = find(&txn, scope.org_id, p.id, true).await?;
                check_version(if_match, current.version)?;
                p.version = current.version + 1;
                p.created_at = current.created_at;
                row(&p).update(&txn).await.map_err(db_err)?;
            }
        }
        txn.commit().await.map_err(db_err)?;
        Ok(p)
    }
}
