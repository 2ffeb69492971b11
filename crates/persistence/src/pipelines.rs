//! Pipelines and stages.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use glassbox_domain::pipeline::{DEFAULT_PIPELINE, ForecastCategory, NewStage, Pipeline, Stage, StageChanges, StageKind};
use glassbox_domain::{DomainError, Scope};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::Store;
use crate::entities::{pipelines, stages};
use crate::error::{check_version, db_err};

pub(crate) fn stage_to_domain(m: stages::Model) -> Result<Stage, DomainError> {
    let corrupt = |what: &str| DomainError::Internal(format!("stored stage {} has a bad {what}", m.id));
    Ok(Stage {
        kind: StageKind::parse("kind", &m.kind).map_err(|_| corrupt("kind"))?,
        forecast_category: ForecastCategory::parse("forecast_category", &m.forecast_category).map_err(|_| corrupt("category"))?,
        required_fields: serde_json::from_str(&m.required_fields).map_err(|_| corrupt("required_fields"))?,
        id: m.id,
        pipeline_id: m.pipeline_id,
        name: m.name,
        position: m.position,
        probability: m.probability,
        rotting_days: m.rotting_days,
        version: m.version,
    })
}

/// Stages of one org by id (for the opportunity rules).
pub(crate) async fn stage_in(conn: &impl ConnectionTrait, org_id: Uuid, id: Uuid) -> Result<Option<Stage>, DomainError> {
    stages::Entity::find_by_id(id)
        .filter(stages::Column::OrgId.eq(org_id))
        .one(conn)
        .await
        .map_err(db_err)?
        .map(stage_to_domain)
        .transpose()
}

/// Inserts a pipeline and its stages (positions 1..n in the given order).
pub(crate) async fn insert_pipeline(
    conn: &impl ConnectionTrait,
    org_id: Uuid,
    id: Uuid,
    name: &str,
    stages: &[NewStage],
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    pipelines::ActiveModel {
        id: Set(id),
        org_id: Set(org_id),
        name: Set(name.to_owned()),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(conn)
    .await
    .map_err(db_err)?;
    insert_stages(conn, org_id, id, stages, now).await
}

/// Inserts `stages` into pipeline `pipeline_id` at positions 1..n.
pub(crate) async fn insert_stages(
    conn: &impl ConnectionTrait,
    org_id: Uuid,
    pipeline_id: Uuid,
    stages: &[NewStage],
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    let rows = stages.iter().enumerate().map(|(i, s)| stages::ActiveModel {
        id: Set(Uuid::now_v7()),
        org_id: Set(org_id),
        pipeline_id: Set(pipeline_id),
        name: Set(s.name.as_str().to_owned()),
        position: Set(i as i32 + 1),
        probability: Set(i32::from(s.probability.get())),
        kind: Set(s.kind.as_str().to_owned()),
        forecast_category: Set(s.forecast_category.as_str().to_owned()),
        rotting_days: Set(s.rotting_days),
        required_fields: Set(serde_json::to_string(&s.required_fields).unwrap_or_else(|_| "[]".into())),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    });
    stages::Entity::insert_many(rows).exec(conn).await.map_err(db_err)?;
    Ok(())
}

/// The default pipeline every new org gets.
pub(crate) async fn insert_default_pipeline(conn: &impl ConnectionTrait, org_id: Uuid, now: DateTime<Utc>) -> Result<(), DomainError> {
    let stages = DEFAULT_PIPELINE
        .iter()
        .map(|(name, probability, kind, category)| {
            Ok(NewStage {
                name: glassbox_domain::org::Name::parse("name", name)?,
                probability: glassbox_domain::pipeline::Probability::parse("probability", i64::from(*probability))?,
                kind: *kind,
                forecast_category: *category,
                rotting_days: None,
                required_fields: Vec::new(),
            })
        })
        .collect::<Result<Vec<_>, DomainError>>()?;
    insert_pipeline(conn, org_id, Uuid::now_v7(), "Sales", &stages, now).await
}

/// Moves a stage to `position` (clamped to the pipeline's length) and
/// renumbers the others 1..n. Positions only order the display and the
/// funnel; history refers to stage ids, so nothing recorded changes.
async fn reorder(conn: &impl ConnectionTrait, org_id: Uuid, pipeline_id: Uuid, stage_id: Uuid, position: i32) -> Result<i32, DomainError> {
    let mut ids: Vec<Uuid> = stages::Entity::find()
        .select_only()
        .column(stages::Column::Id)
        .filter(stages::Column::OrgId.eq(org_id))
        .filter(stages::Column::PipelineId.eq(pipeline_id))
        .order_by_asc(stages::Column::Position)
        .into_tuple()
        .all(conn)
        .await
        .map_err(db_err)?;
    ids.retain(|id| *id != stage_id);
    let index = (position.max(1) as usize - 1).min(ids.len());
    ids.insert(index, stage_id);
    for (i, id) in ids.iter().enumerate() {
        stages::Entity::update_many()
            .col_expr(stages::Column::Position, sea_orm::sea_query::Expr::value(i as i32 + 1))
            .filter(stages::Column::Id.eq(*id))
            .exec(conn)
            .await
            .map_err(db_err)?;
    }
    Ok(index as i32 + 1)
}

async fn load(conn: &impl ConnectionTrait, org_id: Uuid, ids: Option<Vec<Uuid>>) -> Result<Vec<Pipeline>, DomainError> {
    let mut q = pipelines::Entity::find().filter(pipelines::Column::OrgId.eq(org_id));
    if let Some(ids) = ids {
        q = q.filter(pipelines::Column::Id.is_in(ids));
    }
    let rows = q
        .order_by_asc(pipelines::Column::CreatedAt)
        .order_by_asc(pipelines::Column::Id)
        .all(conn)
        .await
        .map_err(db_err)?;
    let stage_rows = stages::Entity::find()
        .filter(stages::Column::OrgId.eq(org_id))
        .filter(stages::Column::PipelineId.is_in(rows.iter().map(|p| p.id).collect::<Vec<_>>()))
        .order_by_asc(stages::Column::Position)
        .all(conn)
        .await
        .map_err(db_err)?;
    let mut by_pipeline: HashMap<Uuid, Vec<Stage>> = HashMap::new();
    for s in stage_rows {
        by_pipeline.entry(s.pipeline_id).or_default().push(stage_to_domain(s)?);
    }
    Ok(rows
        .into_iter()
        .map(|p| Pipeline {
            stages: by_pipeline.remove(&p.id).unwrap_or_default(),
            id: p.id,
            name: p.name,
            version: p.version,
            created_at: p.created_at,
            updated_at: p.updated_at,
        })
        .collect())
}

impl Store {
    /// Every pipeline of the org with its stages (orgs have a handful).
    ///
    /// # Errors
    /// [`DomainError::Internal`] on storage failure.
    pub async fn list_pipelines(&self, scope: &Scope) -> Result<Vec<Pipeline>, DomainError> {
        load(self.conn(), scope.org_id, None).await
    }

    /// One pipeline with its stages.
    ///
    /// # Errors
    /// [`DomainError::NotFound`].
    pub async fn get_pipeline(&self, scope: &Scope, id: Uuid) -> Result<Pipeline, DomainError> {
        load(self.conn(), scope.org_id, Some(vec![id]))
            .await?
            .pop()
            .ok_or(DomainError::NotFound("pipeline"))
    }

    /// Creates a pipeline with stages in the given order (admin only).
    ///
    /// # Errors
    /// [`DomainError::Forbidden`]; [`DomainError::Conflict`] on a taken name.
    pub async fn create_pipeline(&self, scope: &Scope, id: Uuid, name: &str, stages: &[NewStage]) -> Result<Pipeline, DomainError> {
        if !scope.is_admin() {
            return Err(DomainError::Forbidden("only an admin may change pipelines".into()));
        }
        let txn = self.begin_write().await?;
        insert_pipeline(&txn, scope.org_id, id, name, stages, self.now()).await?;
        txn.commit().await.map_err(db_err)?;
        self.get_pipeline(scope, id).await
    }

    /// Changes a stage (admin only). Stage history keeps stage ids, so no
    /// history is rewritten.
    ///
    /// # Errors
    /// [`DomainError::NotFound`]; [`DomainError::Forbidden`]; [`DomainError::StaleVersion`].
    pub async fn update_stage(
        &self,
        scope: &Scope,
        pipeline_id: Uuid,
        stage_id: Uuid,
        changes: StageChanges,
        if_match: Option<i64>,
    ) -> Result<Stage, DomainError> {
        if !scope.is_admin() {
            return Err(DomainError::Forbidden("only an admin may change pipelines".into()));
        }
        let txn = self.begin_write().await?;
        // One writer per pipeline at a time: reordering renumbers sibling
        // rows, and concurrent renumbering would deadlock on PostgreSQL.
        pipelines::Entity::find_by_id(pipeline_id)
            .filter(pipelines::Column::OrgId.eq(scope.org_id))
            .lock_exclusive()
            .one(&txn)
            .await
            .map_err(db_err)?
            .ok_or(DomainError::NotFound("pipeline"))?;
        let current = stages::Entity::find_by_id(stage_id)
            .filter(stages::Column::OrgId.eq(scope.org_id))
            .filter(stages::Column::PipelineId.eq(pipeline_id))
            .lock_exclusive()
            .one(&txn)
            .await
            .map_err(db_err)?
            .ok_or(DomainError::NotFound("stage"))?;
        check_version(if_match, current.version)?;
        if let Some(name) = &changes.name {
            let taken = stages::Entity::find()
                .filter(stages::Column::OrgId.eq(scope.org_id))
                .filter(stages::Column::PipelineId.eq(pipeline_id))
                .filter(stages::Column::Id.ne(stage_id))
                .all(&txn)
                .await
                .map_err(db_err)?
                .iter()
                .any(|s| s.name.to_lowercase() == name.as_str().to_lowercase());
            if taken {
                return Err(DomainError::invalid(
                    "name",
                    "duplicate_name",
                    "another stage of this pipeline has this name",
                ));
            }
        }
        let version = current.version;
        let mut model = current.into_active_model();
        if let Some(v) = changes.name {
            model.name = Set(v.into_string());
        }
        if let Some(v) = changes.probability {
            model.probability = Set(i32::from(v.get()));
        }
        if let Some(v) = changes.forecast_category {
            model.forecast_category = Set(v.as_str().to_owned());
        }
        if let Some(v) = changes.rotting_days {
            model.rotting_days = Set(v);
        }
        if let Some(v) = changes.required_fields {
            model.required_fields = Set(serde_json::to_string(&v).unwrap_or_else(|_| "[]".into()));
        }
        model.version = Set(version + 1);
        model.updated_at = Set(self.now());
        let mut saved = model.update(&txn).await.map_err(db_err)?;
        if let Some(position) = changes.position {
            saved.position = reorder(&txn, scope.org_id, pipeline_id, stage_id, position).await?;
            // Funnel rollups count by stage position.
            crate::rollups::mark_stale(&txn, scope.org_id).await?;
        }
        txn.commit().await.map_err(db_err)?;
        if changes.position.is_some() {
            self.rebuild_in_background(scope.org_id);
        }
        stage_to_domain(saved)
    }
}
