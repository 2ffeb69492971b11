//! Pipeline and stage wire types.

use chrono::{DateTime, Utc};
use glassbox_domain::DomainError;
use glassbox_domain::error::Errors;
use glassbox_domain::org::Name;
use glassbox_domain::pipeline::{
    ForecastCategory, NewStage, Pipeline, Probability, Stage, StageChanges, StageKind, check_required_fields, check_rotting_days,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

/// Open, won or lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StageKindDto {
    /// In play.
    Open,
    /// Closed won.
    Won,
    /// Closed lost.
    Lost,
}

impl From<StageKindDto> for StageKind {
    fn from(k: StageKindDto) -> Self {
        match k {
            StageKindDto::Open => StageKind::Open,
            StageKindDto::Won => StageKind::Won,
            StageKindDto::Lost => StageKind::Lost,
        }
    }
}

impl From<StageKind> for StageKindDto {
    fn from(k: StageKind) -> Self {
        match k {
            StageKind::Open => StageKindDto::Open,
            StageKind::Won => StageKindDto::Won,
            StageKind::Lost => StageKindDto::Lost,
        }
    }
}

/// Forecast category (Salesforce's standard set).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ForecastCategoryDto {
    /// Open, not yet likely.
    Pipeline,
    /// Could close this period.
    BestCase,
    /// Committed.
    Commit,
    /// Closed won.
    Closed,
    /// Left out of the forecast.
    Omitted,
}

impl From<ForecastCategoryDto> for ForecastCategory {
    fn from(k: ForecastCategoryDto) -> Self {
        match k {
            ForecastCategoryDto::Pipeline => ForecastCategory::Pipeline,
            ForecastCategoryDto::BestCase => ForecastCategory::BestCase,
            ForecastCategoryDto::Commit => ForecastCategory::Commit,
            ForecastCategoryDto::Closed => ForecastCategory::Closed,
            ForecastCategoryDto::Omitted => ForecastCategory::Omitted,
        }
    }
}

impl From<ForecastCategory> for ForecastCategoryDto {
    fn from(k: ForecastCategory) -> Self {
        match k {
            ForecastCategory::Pipeline => ForecastCategoryDto::Pipeline,
            ForecastCategory::BestCase => ForecastCategoryDto::BestCase,
            ForecastCategory::Commit => ForecastCategoryDto::Commit,
            ForecastCategory::Closed => ForecastCategoryDto::Closed,
            ForecastCategory::Omitted => ForecastCategoryDto::Omitted,
        }
    }
}

/// A stage of a pipeline.
#[derive(Debug, Serialize, ToSchema)]
pub struct StageDto {
    /// Stage id.
    pub id: Uuid,
    /// Pipeline.
    pub pipeline_id: Uuid,
    /// Name.
    pub name: String,
    /// Order in the pipeline, from 1.
    pub position: i32,
    /// Win probability, percent (0–100).
    pub probability: i32,
    /// Open, won or lost.
    pub kind: StageKindDto,
    /// Category a deal takes on entering this stage.
    pub forecast_category: ForecastCategoryDto,
    /// Days in stage after which an open deal is stalled.
    pub rotting_days: Option<i32>,
    /// Fields that must be set to enter the stage.
    pub required_fields: Vec<String>,
    /// Version; also the ETag.
    pub version: i64,
}

impl From<Stage> for StageDto {
    fn from(s: Stage) -> Self {
        Self {
            id: s.id,
            pipeline_id: s.pipeline_id,
            name: s.name,
            position: s.position,
            probability: s.probability,
            kind: s.kind.into(),
            forecast_category: s.forecast_category.into(),
            rotting_days: s.rotting_days,
            required_fields: s.required_fields,
            version: s.version,
        }
    }
}

/// A pipeline with its stages in order.
#[derive(Debug, Serialize, ToSchema)]
pub struct PipelineDto {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Stages by position.
    pub stages: Vec<StageDto>,
    /// Version.
    pub version: i64,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl From<Pipeline> for PipelineDto {
    fn from(p: Pipeline) -> Self {
        Self {
            id: p.id,
            name: p.name,
            stages: p.stages.into_iter().map(Into::into).collect(),
            version: p.version,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// Every pipeline of the org.
#[derive(Debug, Serialize, ToSchema)]
pub struct PipelineList {
    /// Pipelines, oldest first.
    pub data: Vec<PipelineDto>,
}

/// A stage of a new pipeline.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateStage {
    /// Name.
    #[schema(min_length = 1, max_length = 255)]
    pub name: String,
    /// Probability, 0–100.
    #[schema(minimum = 0, maximum = 100)]
    pub probability: i64,
    /// Open, won or lost.
    pub kind: StageKindDto,
    /// Default forecast category.
    pub forecast_category: ForecastCategoryDto,
    /// Stalled threshold, days (1–3650).
    #[schema(minimum = 1, maximum = 3650)]
    pub rotting_days: Option<i64>,
    /// Stage gates.
    #[serde(default)]
    pub required_fields: Vec<String>,
}

/// A new pipeline with its stages in order (admin only).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePipeline {
    /// Optional client id.
    pub id: Option<Uuid>,
    /// Name, unique per org.
    #[schema(min_length = 1, max_length = 255)]
    pub name: String,
    /// Stages in order: at least one open, one won and one lost.
    #[schema(min_items = 3, max_items = 50)]
    pub stages: Vec<CreateStage>,
}

impl CreatePipeline {
    /// Validated id, name and stages.
    ///
    /// # Errors
    /// [`DomainError::Validation`] naming every bad field (`stages[i].field`).
    pub fn parse(&self) -> Result<(Uuid, Name, Vec<NewStage>), DomainError> {
        if !(3..=50).contains(&self.stages.len()) {
            return Err(DomainError::invalid("stages", "length", "a pipeline has 3 to 50 stages"));
        }
        let mut errors = Errors::new();
        let id = errors.take(glassbox_domain::id::new_record_id("id", self.id));
        let name = errors.take(Name::parse_max("name", &self.name, 255));
        let mut stages = Vec::new();
        for (i, s) in self.stages.iter().enumerate() {
            let at = |e: DomainError| match e {
                DomainError::Validation(errs) => DomainError::Validation(
                    errs.into_iter()
                        .map(|mut fe| {
                            fe.field = format!("stages[{i}].{}", fe.field);
                            fe
                        })
                        .collect(),
                ),
                other => other,
            };
            let name = errors.take(Name::parse_max("name", &s.name, 255).map_err(at));
            let probability = errors.take(Probability::parse("probability", s.probability).map_err(at));
            let rotting = errors.take(check_rotting_days(s.rotting_days).map_err(at));
            let required = errors.take(check_required_fields(&s.required_fields).map_err(at));
            if let (Some(name), Some(probability), Some(rotting_days), Some(())) = (name, probability, rotting, required) {
                stages.push(NewStage {
                    name,
                    probability,
                    kind: s.kind.into(),
                    forecast_category: s.forecast_category.into(),
                    rotting_days,
                    required_fields: s.required_fields.clone(),
                });
            }
        }
        errors.finish()?;
        glassbox_domain::pipeline::check_stage_set(&stages)?;
        match (id, name) {
            (Some(id), Some(name)) => Ok((id, name, stages)),
            _ => Err(DomainError::Internal("validation collector lost an error".into())),
        }
    }
}

/// Changes to a stage; history is never rewritten.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchStage {
    /// New name.
    #[serde(default, deserialize_with = "super::non_null")]
    #[schema(nullable = false, min_length = 1, max_length = 255)]
    pub name: Option<String>,
    /// New probability.
    #[serde(default, deserialize_with = "super::non_null")]
    #[schema(nullable = false, minimum = 0, maximum = 100)]
    pub probability: Option<i64>,
    /// New default forecast category.
    #[serde(default, deserialize_with = "super::non_null")]
    #[schema(nullable = false)]
    pub forecast_category: Option<ForecastCategoryDto>,
    /// New stalled threshold, or null for none.
    #[serde(default, deserialize_with = "super::nullable")]
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 3650)]
    pub rotting_days: Option<Option<i64>>,
    /// New stage gates.
    #[serde(default, deserialize_with = "super::non_null")]
    #[schema(nullable = false)]
    pub required_fields: Option<Vec<String>>,
    /// New 1-based position; the other stages shift.
    #[serde(default, deserialize_with = "super::non_null")]
    #[schema(nullable = false, minimum = 1)]
    pub position: Option<i64>,
}

impl PatchStage {
    /// Validated changes.
    ///
    /// # Errors
    /// [`DomainError::Validation`] naming every bad field.
    pub fn parse(&self) -> Result<StageChanges, DomainError> {
        let mut errors = Errors::new();
        let changes = StageChanges {
            name: self.name.as_deref().and_then(|n| errors.take(Name::parse_max("name", n, 255))),
            probability: self.probability.and_then(|p| errors.take(Probability::parse("probability", p))),
            forecast_category: self.forecast_category.map(Into::into),
            rotting_days: self.rotting_days.and_then(|d| errors.take(check_rotting_days(d))),
            required_fields: self
                .required_fields
                .clone()
                .and_then(|f| errors.take(check_required_fields(&f)).map(|()| f)),
            position: self.position.and_then(|p| match i32::try_from(p) {
                Ok(p) if p >= 1 => Some(p),
                _ => {
                    errors.push(glassbox_domain::FieldError::new("position", "out_of_range", "must be 1 or more"));
                    None
                }
            }),
        };
        errors.finish()?;
        Ok(changes)
    }
}
