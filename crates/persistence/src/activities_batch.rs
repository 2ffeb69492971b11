//! Batch upsert of activities for offline clients: up to 500 activities
//! with client-made ids, each answered on its own, written in one
//! transaction.
//!
//! Atomic per batch: the valid, non-conflicting items are written together
//! in one transaction (all or none of them, should storage fail); invalid
//! and conflicting items are answered without a write and do not stop the
//! others. Each item is the whole activity as the client holds it (PUT
//! semantics): an unknown id is created, a known one updated when it
//! differs (`unchanged` otherwise, without a write), and a `version` given
//! with an item must equal the stored one (`conflict` with the stored record
//! otherwise). Replaying a batch therefore writes nothing new.

use std::collections::{BTreeSet, HashMap, HashSet};

use glassbox_domain::activity::Activity;
use glassbox_domain::{DomainError, FieldError, Scope};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::Store;
use crate::activities::{activity, refresh_last_activity, row};
use crate::changes::{ChangeOp, SyncedKind};
use crate::entities::activities as acts;
use crate::error::db_err;
use crate::refs::{Ref, live_set_in};
use crate::visibility::Reach;

/// Most items in one batch.
pub const MAX_BATCH: usize = 500;

/// One item as the client sent it, already parsed.
#[derive(Debug)]
pub enum BatchItem {
    /// A well-formed activity, with the version the client last saw.
    Valid {
        /// The activity as the client holds it (`org_id`, `version` and
        /// timestamps are set here).
        activity: Box<Activity>,
        /// Version the client expects the stored record to have.
        version: Option<i64>,
        /// Whether the item named its owner; an update without one keeps
        /// the stored owner.
        owner_given: bool,
    },
    /// An item that did not parse or validate.
    Invalid {
        /// Its id, when it had a readable one.
        id: Option<Uuid>,
        /// Why.
        error: DomainError,
    },
}

/// What happened to one item.
#[derive(Debug)]
pub enum BatchOutcome {
    /// Inserted.
    Created(Activity),
    /// Changed.
    Updated(Activity),
    /// Already stored as sent; nothing written.
    Unchanged(Activity),
    /// The stored record has another version (or is deleted: `None`).
    Conflict {
        /// The item's id.
        id: Uuid,
        /// The record as stored.
        current: Option<Activity>,
    },
    /// Refused.
    Invalid {
        /// The item's id, if readable.
        id: Option<Uuid>,
        /// Why.
        error: DomainError,
    },
}

/// Whether two activities hold the same client-visible values.
fn same(a: &Activity, b: &Activity) -> bool {
    (
        a.activity_type,
        &a.subject,
        &a.notes,
        a.occurred_at,
        a.due_at,
        a.duration_minutes,
        &a.outcome,
        a.done,
        a.owner_id,
    ) == (
        b.activity_type,
        &b.subject,
        &b.notes,
        b.occurred_at,
        b.due_at,
        b.duration_minutes,
        &b.outcome,
        b.done,
        b.owner_id,
    ) && (a.opportunity_id, a.account_id, a.contact_id) == (b.opportunity_id, b.account_id, b.contact_id)
}

fn unknown(field: &str) -> DomainError {
    DomainError::Validation(vec![FieldError::new(
        field,
        "unknown_reference",
        format!("{field} must name a live record of this org"),
    )])
}

impl Store {
    /// Upserts a batch of activities (see the module documentation) and
    /// answers each item, in order.
    ///
    /// # Errors
    /// [`DomainError::Forbidden`] for roles that cannot write;
    /// [`DomainError::Internal`] on storage failure (nothing is written).
    pub async fn upsert_activities(&self, scope: &Scope, items: Vec<BatchItem>) -> Result<Vec<BatchOutcome>, DomainError> {
        scope.require_sales_writer()?;
        let org = scope.org_id;
        let now = self.now();
        let txn = self.begin_write().await?;
        let ids: Vec<Uuid> = items
            .iter()
            .filter_map(|i| match i {
                BatchItem::Valid { activity, .. } => Some(activity.id),
                BatchItem::Invalid { .. } => None,
            })
            .collect();
        let stored: HashMap<Uuid, acts::Model> = acts::Entity::find()
            .filter(acts::Column::Id.is_in(ids.clone()))
            .all(&txn)
            .await
            .map_err(db_err)?
            .into_iter()
            .map(|m| (m.id, m))
            .collect();
        let refs = |pick: fn(&Activity) -> Option<Uuid>| -> Vec<Uuid> {
            items
                .iter()
                .filter_map(|i| match i {
                    BatchItem::Valid { activity, .. } => pick(activity),
                    BatchItem::Invalid { .. } => None,
                })
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect()
        };
        // References and existing rows count only within the caller's reach.
        let reach = Reach::of(&txn, scope).await?;
        let opportunities = live_set_in(&txn, org, Ref::Opportunity, refs(|a| a.opportunity_id), &reach).await?;
        let accounts = live_set_in(&txn, org, Ref::Account, refs(|a| a.account_id), &reach).await?;
        let contacts = live_set_in(&txn, org, Ref::Contact, refs(|a| a.contact_id), &reach).await?;
        let owners = live_set_in(&txn, org, Ref::Owner, refs(|a| Some(a.owner_id)), &reach).await?;
        let visible: HashSet<Uuid> = acts::Entity::find()
            .select_only()
            .column(acts::Column::Id)
            .filter(acts::Column::OrgId.eq(org))
            .filter(acts::Column::Id.is_in(ids.clone()))
            .filter(reach.activities())
            .into_tuple::<Uuid>()
            .all(&txn)
            .await
            .map_err(db_err)?
            .into_iter()
            .collect();
        let known = |id: Option<Uuid>, set: &HashSet<Uuid>| id.is_none_or(|id| set.contains(&id));

        let mut seen = HashSet::new();
        let mut inserts = Vec::new();
        let mut touched: BTreeSet<Uuid> = BTreeSet::new();
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            let (mut a, version, owner_given) = match item {
                BatchItem::Invalid { id, error } => {
                    out.push(BatchOutcome::Invalid { id, error });
                    continue;
                }
                BatchItem::Valid {
                    activity,
                    version,
                    owner_given,
                } => (*activity, version, owner_given),
            };
            let invalid = |error: DomainError| BatchOutcome::Invalid { id: Some(a.id), error };
            if !seen.insert(a.id) {
                out.push(invalid(DomainError::invalid(
                    "id",
                    "duplicate_id",
                    "the id appears earlier in this batch",
                )));
                continue;
            }
            let bad_ref = [
                ("opportunity_id", known(a.opportunity_id, &opportunities)),
                ("account_id", known(a.account_id, &accounts)),
                ("contact_id", known(a.contact_id, &contacts)),
                ("owner_id", owners.contains(&a.owner_id)),
            ]
            .into_iter()
            .find(|(_, ok)| !ok);
            if let Some((field, _)) = bad_ref {
                out.push(invalid(unknown(field)));
                continue;
            }
            a.org_id = org;
            a.updated_at = now;
            match stored.get(&a.id) {
                // Another org's, or out of the caller's reach: as taken.
                Some(m) if m.org_id != org || !visible.contains(&m.id) => {
                    out.push(invalid(DomainError::invalid("id", "taken", "the id is taken")))
                }
                Some(m) if m.deleted_at.is_some() => out.push(BatchOutcome::Conflict { id: a.id, current: None }),
                Some(m) if version.is_some_and(|v| v != m.version) => out.push(BatchOutcome::Conflict {
                    id: a.id,
                    current: Some(activity(m.clone())?),
                }),
                Some(m) => {
                    let current = activity(m.clone())?;
                    if !owner_given {
                        a.owner_id = current.owner_id;
                    }
                    if same(&current, &a) {
                        out.push(BatchOutcome::Unchanged(current));
                        continue;
                    }
                    a.version = current.version + 1;
                    a.created_at = current.created_at;
                    row(&a, m.recorded_at).update(&txn).await.map_err(db_err)?;
                    touched.extend(current.opportunity_id);
                    touched.extend(a.opportunity_id);
                    out.push(BatchOutcome::Updated(a));
                }
                None => {
                    a.version = 1;
                    a.created_at = now;
                    inserts.push(row(&a, now));
                    touched.extend(a.opportunity_id);
                    out.push(BatchOutcome::Created(a));
                }
            }
        }
        if !inserts.is_empty() {
            acts::Entity::insert_many(inserts)
                .exec_without_returning(&txn)
                .await
                .map_err(db_err)?;
        }
        refresh_last_activity(&txn, org, touched, now).await?;
        let written: Vec<(Uuid, ChangeOp, i64)> = out
            .iter()
            .filter_map(|o| match o {
                BatchOutcome::Created(a) | BatchOutcome::Updated(a) => Some((a.id, ChangeOp::Upsert, a.version)),
                _ => None,
            })
            .collect();
        self.log_changes(&txn, org, SyncedKind::Activity, &written, now).await?;
        txn.commit().await.map_err(db_err)?;
        Ok(out)
    }
}
