//! Exchange rates to the org's base currency.

use glassbox_domain::forecast::{ExchangeRate, Rate};
use glassbox_domain::{DomainError, Scope};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::Store;
use crate::entities::exchange_rates as rates;
use crate::error::db_err;

fn to_domain(m: rates::Model) -> Result<ExchangeRate, DomainError> {
    Ok(ExchangeRate {
        rate: Rate::parse("rate", &m.rate).map_err(|_| DomainError::Internal("stored exchange rate is bad".into()))?,
        id: m.id,
        org_id: m.org_id,
        currency: m.currency,
        valid_from: m.valid_from,
        created_at: m.created_at,
    })
}

/// Every exchange rate of `org` (optionally of one currency), by currency
/// then `valid_from`.
pub(crate) async fn rates_of(
    conn: &impl sea_orm::ConnectionTrait,
    org: Uuid,
    currency: Option<&str>,
) -> Result<Vec<ExchangeRate>, DomainError> {
    let mut q = rates::Entity::find().filter(rates::Column::OrgId.eq(org));
    if let Some(c) = currency {
        q = q.filter(rates::Column::Currency.eq(c));
    }
    q.order_by_asc(rates::Column::Currency)
        .order_by_asc(rates::Column::ValidFrom)
        .all(conn)
        .await
        .map_err(db_err)?
        .into_iter()
        .map(to_domain)
        .collect()
}

impl Store {
    /// Every exchange rate of the org (optionally of one currency), by
    /// currency then `valid_from`.
    ///
    /// # Errors
    /// [`DomainError::Internal`] on storage failure.
    pub async fn list_exchange_rates(&self, scope: &Scope, currency: Option<&str>) -> Result<Vec<ExchangeRate>, DomainError> {
        rates_of(self.conn(), scope.org_id, currency).await
    }

    /// Adds a rate (admin only); one per currency and day.
    ///
    /// # Errors
    /// [`DomainError::Forbidden`]; [`DomainError::Validation`] on
    /// `currency` (the base currency) or `valid_from` (`duplicate_rate`).
    pub async fn add_exchange_rate(&self, scope: &Scope, mut r: ExchangeRate) -> Result<ExchangeRate, DomainError> {
        if !scope.is_admin() {
            return Err(DomainError::Forbidden("only an admin maintains exchange rates".into()));
        }
        let txn = self.begin_write().await?;
        let org = crate::entities::orgs::Entity::find_by_id(scope.org_id)
            .one(&txn)
            .await
            .map_err(db_err)?
            .ok_or(DomainError::NotFound("org"))?;
        if org.base_currency == r.currency {
            return Err(DomainError::invalid(
                "currency",
                "base_currency",
                "the base currency converts at 1 and takes no rate",
            ));
        }
        let taken = rates::Entity::find()
            .filter(rates::Column::OrgId.eq(scope.org_id))
            .filter(rates::Column::Currency.eq(r.currency.as_str()))
            .filter(rates::Column::ValidFrom.eq(r.valid_from))
            .one(&txn)
            .await
            .map_err(db_err)?;
        if taken.is_some() {
            return Err(DomainError::invalid(
                "valid_from",
                "duplicate_rate",
                "this currency already has a rate from this day; delete it first",
            ));
        }
        r.org_id = scope.org_id;
        r.created_at = self.now();
        rates::ActiveModel {
            id: Set(r.id),
            org_id: Set(r.org_id),
            currency: Set(r.currency.clone()),
            rate: Set(r.rate.to_decimal_string()),
            valid_from: Set(r.valid_from),
            created_at: Set(r.created_at),
        }
        .insert(&txn)
        .await
        .map_err(db_err)?;
        // Past wins convert at the new rate: fitted models move on.
        super::generation::invalidate(&txn, scope.org_id).await?;
        txn.commit().await.map_err(db_err)?;
        Ok(r)
    }

    /// Deletes a rate (admin only).
    ///
    /// # Errors
    /// [`DomainError::NotFound`]; [`DomainError::Forbidden`].
    pub async fn delete_exchange_rate(&self, scope: &Scope, id: Uuid) -> Result<(), DomainError> {
        if !scope.is_admin() {
            return Err(DomainError::Forbidden("only an admin maintains exchange rates".into()));
        }
        let txn = self.begin_write().await?;
        let done = rates::Entity::delete_many()
            .filter(rates::Column::OrgId.eq(scope.org_id))
            .filter(rates::Column::Id.eq(id))
            .exec(&txn)
            .await
            .map_err(db_err)?;
        if done.rows_affected == 0 {
            return Err(DomainError::NotFound("exchange rate"));
        }
        super::generation::invalidate(&txn, scope.org_id).await?;
        txn.commit().await.map_err(db_err)
    }
}
