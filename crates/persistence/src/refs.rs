//! Reference checks: does an id name a live record of the org?
//!
//! Used before writes so that an id of another org, or of a deleted or
//! missing record, answers 422 naming the field instead of a foreign-key
//! error.

use glassbox_domain::{DomainError, FieldError};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use crate::entities::{accounts, contacts, opportunities, products, teams, users};
use crate::error::db_err;

/// Which kind of record an id must name.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Ref {
    /// A live account.
    Account,
    /// A live contact.
    Contact,
    /// A live opportunity.
    Opportunity,
    /// A product.
    Product,
    /// A team.
    Team,
    /// An active user.
    User,
}

async fn live(conn: &impl ConnectionTrait, org_id: Uuid, id: Uuid, kind: Ref) -> Result<bool, DomainError> {
    let n = match kind {
        Ref::Account => {
            accounts::Entity::find()
                .filter(accounts::Column::OrgId.eq(org_id))
                .filter(accounts::Column::Id.eq(id))
                .filter(accounts::Column::DeletedAt.is_null())
                .count(conn)
                .await
        }
        Ref::Contact => {
            contacts::Entity::find()
                .filter(contacts::Column::OrgId.eq(org_id))
                .filter(contacts::Column::Id.eq(id))
                .filter(contacts::Column::DeletedAt.is_null())
                .count(conn)
                .await
        }
        Ref::Opportunity => {
            opportunities::Entity::find()
                .filter(opportunities::Column::OrgId.eq(org_id))
                .filter(opportunities::Column::Id.eq(id))
                .filter(opportunities::Column::DeletedAt.is_null())
                .count(conn)
                .await
        }
        Ref::Team => {
            teams::Entity::find()
                .filter(teams::Column::OrgId.eq(org_id))
                .filter(teams::Column::Id.eq(id))
                .count(conn)
                .await
        }
        Ref::Product => {
            products::Entity::find()
                .filter(products::Column::OrgId.eq(org_id))
                .filter(products::Column::Id.eq(id))
                .count(conn)
                .await
        }
        Ref::User => {
            users::Entity::find()
                .filter(users::Column::OrgId.eq(org_id))
                .filter(users::Column::Id.eq(id))
                .filter(users::Column::Active.eq(true))
                .count(conn)
                .await
        }
    };
    Ok(n.map_err(db_err)? > 0)
}

/// Checks every `(field, id, kind)`; reports all that do not name a live
/// record of the org.
///
/// # Errors
/// [`DomainError::Validation`] with one entry per bad field (`unknown_reference`).
pub(crate) async fn check(conn: &impl ConnectionTrait, org_id: Uuid, refs: &[(&str, Option<Uuid>, Ref)]) -> Result<(), DomainError> {
    let mut errors = Vec::new();
    for (field, id, kind) in refs {
        if let Some(id) = id
            && !live(conn, org_id, *id, *kind).await?
        {
            errors.push(FieldError::new(
                *field,
                "unknown_reference",
                format!("must name a live {kind:?} of this org").to_lowercase(),
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Validation(errors))
    }
}

/// True while live contacts, opportunities or sub-accounts point at the account.
pub(crate) async fn account_in_use(conn: &impl ConnectionTrait, org_id: Uuid, id: Uuid) -> Result<bool, DomainError> {
    let contacts = contacts::Entity::find()
        .filter(contacts::Column::OrgId.eq(org_id))
        .filter(contacts::Column::AccountId.eq(id))
        .filter(contacts::Column::DeletedAt.is_null())
        .count(conn)
        .await
        .map_err(db_err)?;
    let opportunities = opportunities::Entity::find()
        .filter(opportunities::Column::OrgId.eq(org_id))
        .filter(opportunities::Column::AccountId.eq(id))
        .filter(opportunities::Column::DeletedAt.is_null())
        .count(conn)
        .await
        .map_err(db_err)?;
    let children = accounts::Entity::find()
        .filter(accounts::Column::OrgId.eq(org_id))
        .filter(accounts::Column::ParentAccountId.eq(id))
        .filter(accounts::Column::DeletedAt.is_null())
        .count(conn)
        .await
        .map_err(db_err)?;
    Ok(contacts + opportunities + children > 0)
}
