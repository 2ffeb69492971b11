//! Reference checks: does an id name a live record of the org?
//!
//! Used before writes so that an id of another org, or of a deleted or
//! missing record, answers 422 naming the field instead of a foreign-key
//! error.

use glassbox_domain::{DomainError, FieldError};
use std::collections::HashSet;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};
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
    Ok(live_set(conn, org_id, kind, vec![id]).await?.contains(&id))
}

/// The ids among `ids` that name live records of `kind` in the org (one
/// query).
pub(crate) async fn live_set(conn: &impl ConnectionTrait, org_id: Uuid, kind: Ref, ids: Vec<Uuid>) -> Result<HashSet<Uuid>, DomainError> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    macro_rules! ids_of {
        ($entity:ident, $($extra:expr),*) => {
            $entity::Entity::find()
                .select_only()
                .column($entity::Column::Id)
                .filter($entity::Column::OrgId.eq(org_id))
                .filter($entity::Column::Id.is_in(ids))
                $(.filter($extra))*
                .into_tuple::<Uuid>()
                .all(conn)
                .await
        };
    }
    let found = match kind {
        Ref::Account => ids_of!(accounts, accounts::Column::DeletedAt.is_null()),
        Ref::Contact => ids_of!(contacts, contacts::Column::DeletedAt.is_null()),
        Ref::Opportunity => ids_of!(opportunities, opportunities::Column::DeletedAt.is_null()),
        Ref::Team => ids_of!(teams,),
        Ref::Product => ids_of!(products,),
        Ref::User => ids_of!(users, users::Column::Active.eq(true)),
    };
    Ok(found.map_err(db_err)?.into_iter().collect())
}

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
