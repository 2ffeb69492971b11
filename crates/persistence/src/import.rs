//! Writes an [`ImportPlan`] into one org: everything in one transaction,
//! records that already exist (by their key) left untouched, the rest
//! inserted in batches.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use glassbox_domain::DomainError;
use glassbox_domain::import::{ImportPlan, PlannedOpportunity};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::Store;
use crate::entities::{
    accounts, opportunities as opps, opportunity_stage_history as sh, pipelines, products, stages, team_members, teams, users,
};
use crate::error::db_err;

/// Rows per multi-row `INSERT`: under SQLite's 32,766 and PostgreSQL's
/// 65,535 bind parameters for the widest table (25 columns).
const BATCH: usize = 1000;

/// How many records of one type an import created and how many it found
/// already stored (and left as they were).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Count {
    /// Newly inserted.
    pub created: u64,
    /// Already present by key, unchanged.
    pub existing: u64,
}

/// What [`Store::import`] did, per record type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportCounts {
    /// Teams (by name).
    pub teams: Count,
    /// Users (by email).
    pub users: Count,
    /// Products (by name).
    pub products: Count,
    /// Accounts (by external id).
    pub accounts: Count,
    /// Pipelines (by name).
    pub pipelines: Count,
    /// Opportunities (by external id).
    pub opportunities: Count,
    /// Stage-history rows written for the new opportunities.
    pub stage_history_rows: u64,
}

/// Key → id of the org's stored rows of one table (soft-deleted ones
/// included: an import never resurrects or duplicates what was deleted).
async fn stored<E: EntityTrait>(
    conn: &impl ConnectionTrait,
    org: E::Column,
    key: E::Column,
    id: E::Column,
    org_id: Uuid,
) -> Result<HashMap<String, Uuid>, DomainError> {
    let rows: Vec<(Option<String>, Uuid)> = E::find()
        .select_only()
        .column(key)
        .column(id)
        .filter(org.eq(org_id))
        .into_tuple()
        .all(conn)
        .await
        .map_err(db_err)?;
    Ok(rows.into_iter().filter_map(|(k, id)| Some((k?, id))).collect())
}

/// Inserts `rows` in batches of [`BATCH`].
async fn insert_batches<A>(conn: &impl ConnectionTrait, rows: Vec<A>) -> Result<(), DomainError>
where
    A: sea_orm::ActiveModelTrait + Send,
{
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let batch: Vec<A> = rows.by_ref().take(BATCH).collect();
        <A::Entity as EntityTrait>::insert_many(batch).exec(conn).await.map_err(db_err)?;
    }
    Ok(())
}

fn missing(what: &str, key: &str) -> DomainError {
    DomainError::Internal(format!(
        "import plan refers to {what} `{key}`, which is neither planned earlier nor stored"
    ))
}

fn lookup(map: &HashMap<String, Uuid>, what: &str, key: &str) -> Result<Uuid, DomainError> {
    map.get(key).copied().ok_or_else(|| missing(what, key))
}

impl Store {
    /// Stores `plan` in org `org_id` in one transaction: records whose key
    /// is already stored are counted as existing and left unchanged, so
    /// running the same import twice changes nothing. New users get
    /// `password_hash` (pass a string that is no PHC hash, such as `!`, for
    /// accounts that cannot log in until a password is set). Stage-history
    /// rows of new opportunities are contiguous: each entry is exited when
    /// the next one is entered; the actor is empty (an import, not a user).
    ///
    /// # Errors
    /// [`DomainError::NotFound`] for an unknown org; [`DomainError::Internal`]
    /// on storage failure or a plan that refers to a key it does not define.
    pub async fn import(&self, org_id: Uuid, plan: &ImportPlan, password_hash: &str) -> Result<ImportCounts, DomainError> {
        let txn = self.begin_write().await?;
        let now = self.now();
        crate::entities::orgs::Entity::find_by_id(org_id)
            .one(&txn)
            .await
            .map_err(db_err)?
            .ok_or(DomainError::NotFound("org"))?;
        let mut counts = ImportCounts::default();

        let mut user_ids = stored::<users::Entity>(&txn, users::Column::OrgId, users::Column::Email, users::Column::Id, org_id).await?;
        let new_users: Vec<_> = plan.users.iter().filter(|u| !user_ids.contains_key(u.email.as_str())).collect();
        counts.users = Count {
            created: new_users.len() as u64,
            existing: (plan.users.len() - new_users.len()) as u64,
        };
        let rows = new_users
            .iter()
            .map(|u| {
                let id = Uuid::now_v7();
                user_ids.insert(u.email.as_str().to_owned(), id);
                users::ActiveModel {
                    id: Set(id),
                    org_id: Set(org_id),
                    name: Set(u.name.clone()),
                    email: Set(u.email.as_str().to_owned()),
                    password_hash: Set(password_hash.to_owned()),
                    role: Set(u.role.as_str().to_owned()),
                    active: Set(true),
                    version: Set(1),
                    created_at: Set(now),
                    updated_at: Set(now),
                }
            })
            .collect();
        insert_batches(&txn, rows).await?;

        let mut team_ids = stored::<teams::Entity>(&txn, teams::Column::OrgId, teams::Column::Name, teams::Column::Id, org_id).await?;
        let mut rows = Vec::new();
        for t in &plan.teams {
            if team_ids.contains_key(&t.name) {
                counts.teams.existing += 1;
                continue;
            }
            counts.teams.created += 1;
            let id = Uuid::now_v7();
            rows.push(teams::ActiveModel {
                id: Set(id),
                org_id: Set(org_id),
                name: Set(t.name.clone()),
                kind: Set(t.kind.as_str().to_owned()),
                parent_team_id: Set(t.parent.as_deref().map(|p| lookup(&team_ids, "team", p)).transpose()?),
                manager_user_id: Set(t.manager.as_ref().map(|m| lookup(&user_ids, "user", m.as_str())).transpose()?),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
            });
            team_ids.insert(t.name.clone(), id);
        }
        insert_batches(&txn, rows).await?;
        let memberships = new_users
            .iter()
            .filter_map(|u| Some((u, u.team.as_deref()?)))
            .map(|(u, team)| {
                Ok(team_members::ActiveModel {
                    org_id: Set(org_id),
                    team_id: Set(lookup(&team_ids, "team", team)?),
                    user_id: Set(lookup(&user_ids, "user", u.email.as_str())?),
                })
            })
            .collect::<Result<Vec<_>, DomainError>>()?;
        insert_batches(&txn, memberships).await?;

        let mut product_ids =
            stored::<products::Entity>(&txn, products::Column::OrgId, products::Column::Name, products::Column::Id, org_id).await?;
        let mut rows = Vec::new();
        for p in &plan.products {
            if product_ids.contains_key(&p.name) {
                counts.products.existing += 1;
                continue;
            }
            counts.products.created += 1;
            let id = Uuid::now_v7();
            product_ids.insert(p.name.clone(), id);
            rows.push(products::ActiveModel {
                id: Set(id),
                org_id: Set(org_id),
                name: Set(p.name.clone()),
                code: Set(None),
                list_price_minor: Set(p.list_price_minor),
                currency: Set(p.currency.to_owned()),
                active: Set(true),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
            });
        }
        insert_batches(&txn, rows).await?;

        let mut account_ids = stored::<accounts::Entity>(
            &txn,
            accounts::Column::OrgId,
            accounts::Column::ExternalId,
            accounts::Column::Id,
            org_id,
        )
        .await?;
        let mut rows = Vec::new();
        for a in &plan.accounts {
            if account_ids.contains_key(&a.external_id) {
                counts.accounts.existing += 1;
                continue;
            }
            counts.accounts.created += 1;
            let id = Uuid::now_v7();
            rows.push(accounts::ActiveModel {
                id: Set(id),
                org_id: Set(org_id),
                name: Set(a.name.clone()),
                parent_account_id: Set(a.parent.as_deref().map(|p| lookup(&account_ids, "account", p)).transpose()?),
                industry: Set(a.industry.clone()),
                website: Set(None),
                employees: Set(a.employees),
                annual_revenue_minor: Set(a.annual_revenue_minor),
                currency: Set(a.currency.to_owned()),
                owner_id: Set(lookup(&user_ids, "user", a.owner.as_str())?),
                external_id: Set(Some(a.external_id.clone())),
                deleted_at: Set(None),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
            });
            account_ids.insert(a.external_id.clone(), id);
        }
        insert_batches(&txn, rows).await?;

        let (pipeline_id, stage_ids) = self.import_pipeline(&txn, org_id, plan, now, &mut counts).await?;
        let refs = Refs {
            users: &user_ids,
            products: &product_ids,
            accounts: &account_ids,
            stages: &stage_ids,
            pipeline_id,
            org_id,
        };
        let known: HashSet<String> = stored::<opps::Entity>(&txn, opps::Column::OrgId, opps::Column::ExternalId, opps::Column::Id, org_id)
            .await?
            .into_keys()
            .collect();
        let mut opp_rows = Vec::new();
        let mut history_rows = Vec::new();
        let mut created = Vec::new();
        for o in &plan.opportunities {
            if known.contains(&o.external_id) {
                counts.opportunities.existing += 1;
                continue;
            }
            counts.opportunities.created += 1;
            let (row, history) = refs.opportunity(o)?;
            if let sea_orm::ActiveValue::Set(id) = &row.id {
                created.push((*id, crate::changes::ChangeOp::Upsert, 1));
            }
            opp_rows.push(row);
            history_rows.extend(history);
        }
        counts.stage_history_rows = history_rows.len() as u64;
        insert_batches(&txn, opp_rows).await?;
        insert_batches(&txn, history_rows).await?;
        let ids: Vec<Uuid> = created.iter().map(|(id, _, _)| *id).collect();
        crate::rollups::created(org_id, &ids).apply(&txn).await?;
        // Imported history is past history: fitted models move on.
        crate::forecast::generation::invalidate(&txn, org_id).await?;
        let now = self.now();
        self.log_changes(&txn, org_id, crate::changes::SyncedKind::Opportunity, &created, now)
            .await?;
        txn.commit().await.map_err(db_err)?;
        self.scopes.invalidate();
        Ok(counts)
    }

    /// The plan's pipeline and its stages by name. A stored pipeline of that
    /// name is used when it has every planned stage; when it lacks one and
    /// holds no opportunity at all (such as the untouched default pipeline
    /// of a new org), its stages are replaced by the planned ones.
    ///
    /// # Errors
    /// [`DomainError::Conflict`] when a pipeline of that name is in use and
    /// lacks a planned stage.
    async fn import_pipeline(
        &self,
        conn: &impl ConnectionTrait,
        org_id: Uuid,
        plan: &ImportPlan,
        now: DateTime<Utc>,
        counts: &mut ImportCounts,
    ) -> Result<(Uuid, HashMap<String, StageInfo>), DomainError> {
        let planned = &plan.pipeline;
        let found = pipelines::Entity::find()
            .filter(pipelines::Column::OrgId.eq(org_id))
            .filter(pipelines::Column::Name.eq(planned.name.as_str()))
            .one(conn)
            .await
            .map_err(db_err)?;
        let pipeline_id = match found {
            Some(p) => {
                counts.pipelines.existing += 1;
                p.id
            }
            None => {
                counts.pipelines.created += 1;
                let id = Uuid::now_v7();
                crate::pipelines::insert_pipeline(conn, org_id, id, &planned.name, &planned.stages, now).await?;
                id
            }
        };
        let mut stages = stages_by_name(conn, org_id, pipeline_id).await?;
        let lacking: Vec<&str> = planned
            .stages
            .iter()
            .map(|s| s.name.as_str())
            .filter(|n| !stages.contains_key(*n))
            .collect();
        if !lacking.is_empty() {
            let used = opps::Entity::find()
                .filter(opps::Column::OrgId.eq(org_id))
                .filter(opps::Column::PipelineId.eq(pipeline_id))
                .one(conn)
                .await
                .map_err(db_err)?
                .is_some();
            if used {
                return Err(DomainError::Conflict(format!(
                    "pipeline `{}` holds opportunities and has no stage {}; rename it or add the stages",
                    planned.name,
                    lacking.join(", ")
                )));
            }
            stages::Entity::delete_many()
                .filter(stages::Column::OrgId.eq(org_id))
                .filter(stages::Column::PipelineId.eq(pipeline_id))
                .exec(conn)
                .await
                .map_err(db_err)?;
            crate::pipelines::insert_stages(conn, org_id, pipeline_id, &planned.stages, now).await?;
            stages = stages_by_name(conn, org_id, pipeline_id).await?;
        }
        Ok((pipeline_id, stages))
    }
}

async fn stages_by_name(conn: &impl ConnectionTrait, org_id: Uuid, pipeline_id: Uuid) -> Result<HashMap<String, StageInfo>, DomainError> {
    Ok(stages::Entity::find()
        .filter(stages::Column::OrgId.eq(org_id))
        .filter(stages::Column::PipelineId.eq(pipeline_id))
        .all(conn)
        .await
        .map_err(db_err)?
        .into_iter()
        .map(|s| {
            let info = StageInfo {
                id: s.id,
                kind: s.kind,
                forecast_category: s.forecast_category,
            };
            (s.name, info)
        })
        .collect())
}

/// What an opportunity row needs of its stage.
struct StageInfo {
    id: Uuid,
    kind: String,
    forecast_category: String,
}

/// Resolved keys for building opportunity rows.
struct Refs<'a> {
    users: &'a HashMap<String, Uuid>,
    products: &'a HashMap<String, Uuid>,
    accounts: &'a HashMap<String, Uuid>,
    stages: &'a HashMap<String, StageInfo>,
    pipeline_id: Uuid,
    org_id: Uuid,
}

impl Refs<'_> {
    fn opportunity(&self, o: &PlannedOpportunity) -> Result<(opps::ActiveModel, Vec<sh::ActiveModel>), DomainError> {
        let id = Uuid::now_v7();
        let entries = o
            .history
            .iter()
            .map(|h| {
                self.stages
                    .get(&h.stage)
                    .map(|s| (s, h.entered_at))
                    .ok_or_else(|| missing("stage", &h.stage))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let &(current, entered) = entries.last().ok_or_else(|| missing("stage history of", &o.external_id))?;
        let history = entries
            .iter()
            .enumerate()
            .map(|(i, &(stage, at))| sh::ActiveModel {
                id: Set(Uuid::now_v7()),
                org_id: Set(self.org_id),
                opportunity_id: Set(id),
                from_stage_id: Set(i.checked_sub(1).and_then(|p| entries.get(p)).map(|(s, _)| s.id)),
                to_stage_id: Set(stage.id),
                entered_at: Set(at),
                exited_at: Set(entries.get(i + 1).map(|&(_, next)| next)),
                actor_id: Set(None),
            })
            .collect();
        let row = opps::ActiveModel {
            id: Set(id),
            org_id: Set(self.org_id),
            name: Set(o.name.clone()),
            account_id: Set(o.account.as_deref().map(|a| lookup(self.accounts, "account", a)).transpose()?),
            owner_id: Set(lookup(self.users, "user", o.owner.as_str())?),
            pipeline_id: Set(self.pipeline_id),
            stage_id: Set(current.id),
            status: Set(current.kind.clone()),
            amount_minor: Set(Some(o.amount_minor)),
            currency: Set(o.currency.to_owned()),
            close_date: Set(o.close_date),
            forecast_category: Set(current.forecast_category.clone()),
            next_step: Set(None),
            lead_source: Set(None),
            campaign_id: Set(None),
            product_id: Set(Some(lookup(self.products, "product", &o.product)?)),
            loss_reason: Set(None),
            closed_at: Set(o.closed_at),
            stage_entered_at: Set(entered),
            last_activity_at: Set(None),
            external_id: Set(Some(o.external_id.clone())),
            deleted_at: Set(None),
            version: Set(1),
            created_at: Set(o.created_at),
            updated_at: Set(entered),
        };
        Ok((row, history))
    }
}
