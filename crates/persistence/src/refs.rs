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
use crate::visibility::Reach;
use glassbox_domain::Scope;

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
    /// An active user the caller may give records to: anyone for admins,
    /// a member of their teams for managers, themselves otherwise.
    Owner,
}

async fn live(conn: &impl ConnectionTrait, org_id: Uuid, id: Uuid, kind: Ref, reach: &Reach) -> Result<bool, DomainError> {
    Ok(live_set_in(conn, org_id, kind, vec![id], reach).await?.contains(&id))
}

/// The ids among `ids` that name live records of `kind` in the org (one
/// query), limited to the records of `reach` (accounts, contacts,
/// opportunities and owners; the other kinds are org-wide).
pub(crate) async fn live_set_in(
    conn: &impl ConnectionTrait,
    org_id: Uuid,
    kind: Ref,
    ids: Vec<Uuid>,
    reach: &Reach,
) -> Result<HashSet<Uuid>, DomainError> {
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
        Ref::Account => ids_of!(accounts, accounts::Column::DeletedAt.is_null(), reach.accounts()),
        Ref::Contact => ids_of!(contacts, contacts::Column::DeletedAt.is_null(), reach.contacts()),
        Ref::Opportunity => ids_of!(opportunities, opportunities::Column::DeletedAt.is_null(), reach.opportunities()),
        Ref::Team => ids_of!(teams,),
        Ref::Product => ids_of!(products,),
        Ref::User => ids_of!(users, users::Column::Active.eq(true)),
        Ref::Owner => match reach.aggregate_owners() {
            Some(mine) => ids_of!(users, users::Column::Active.eq(true), users::Column::Id.is_in(mine.to_vec())),
            None => ids_of!(users, users::Column::Active.eq(true)),
        },
    };
    Ok(found.map_err(db_err)?.into_iter().collect())
}

/// Refuses ids that do not name a live record of the org (422
/// `unknown_reference` on each field).
///
/// # Errors
/// [`DomainError::Validation`].
pub(crate) async fn check(conn: &impl ConnectionTrait, org_id: Uuid, refs: &[(&str, Option<Uuid>, Ref)]) -> Result<(), DomainError> {
    check_with(conn, org_id, refs, &Reach::All).await
}

/// [`check`] within the caller's reach: a write may only point at accounts,
/// contacts and opportunities the caller sees (an invisible one is as
/// unknown as a missing one).
///
/// # Errors
/// [`DomainError::Validation`].
pub(crate) async fn check_in_reach(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    refs: &[(&str, Option<Uuid>, Ref)],
) -> Result<(), DomainError> {
    let reach = Reach::of(conn, scope).await?;
    check_with(conn, scope.org_id, refs, &reach).await
}

async fn check_with(
    conn: &impl ConnectionTrait,
    org_id: Uuid,
    refs: &[(&str, Option<Uuid>, Ref)],
    reach: &Reach,
) -> Result<(), DomainError> {
    let mut errors = Vec::new();
    for (field, id, kind) in refs {
        if let Some(id) = id
            && !live(conn, org_id, *id, *kind, reach).await?
        {
            errors.push(match kind {
                Ref::Owner => FieldError::new(
                    *field,
                    "outside_reach",
                    "must be an active user you may give records to: yourself, or for a manager a member of your teams",
                ),
                _ => FieldError::new(
                    *field,
                    "unknown_reference",
                    format!("must name a live {kind:?} of this org").to_lowercase(),
                ),
            });
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
