//! Pipelines and their ordered stages.

use uuid::Uuid;

use crate::error::DomainError;

/// Whether a stage is still in play, or closes the deal as won or lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StageKind {
    /// The deal is being worked.
    Open,
    /// Closed won.
    Won,
    /// Closed lost.
    Lost,
}

impl StageKind {
    /// Every kind.
    pub const ALL: [StageKind; 3] = [StageKind::Open, StageKind::Won, StageKind::Lost];

    /// Storage and wire name.
    pub fn as_str(&self) -> &'static str {
        match self {
            StageKind::Open => "open",
            StageKind::Won => "won",
            StageKind::Lost => "lost",
        }
    }

    /// Parses the storage name.
    ///
    /// # Errors
    /// [`DomainError::Validation`] on `field` with code `unknown_stage_kind`.
    pub fn parse(field: &str, raw: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == raw)
            .ok_or_else(|| DomainError::invalid(field, "unknown_stage_kind", format!("`{raw}` is not open, won or lost")))
    }

    /// True for won and lost.
    pub fn is_closed(&self) -> bool {
        !matches!(self, StageKind::Open)
    }
}

/// Forecast category (Salesforce's standard set): how a deal counts in a
/// forecast. Roll-ups are cumulative: commit includes closed, best case
/// includes commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ForecastCategory {
    /// Open, not yet likely.
    Pipeline,
    /// Could close this period.
    BestCase,
    /// The rep commits to closing it.
    Commit,
    /// Closed won.
    Closed,
    /// Excluded from the forecast (e.g. closed lost).
    Omitted,
}

impl ForecastCategory {
    /// Every category.
    pub const ALL: [ForecastCategory; 5] = [
        ForecastCategory::Pipeline,
        ForecastCategory::BestCase,
        ForecastCategory::Commit,
        ForecastCategory::Closed,
        ForecastCategory::Omitted,
    ];

    /// Storage and wire name.
    pub fn as_str(&self) -> &'static str {
        match self {
            ForecastCategory::Pipeline => "pipeline",
            ForecastCategory::BestCase => "best_case",
            ForecastCategory::Commit => "commit",
            ForecastCategory::Closed => "closed",
            ForecastCategory::Omitted => "omitted",
        }
    }

    /// Parses the storage name.
    ///
    /// # Errors
    /// [`DomainError::Validation`] on `field` with code `unknown_forecast_category`.
    pub fn parse(field: &str, raw: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == raw)
            .ok_or_else(|| DomainError::invalid(field, "unknown_forecast_category", format!("`{raw}` is not a forecast category")))
    }
}

/// Opportunity fields a stage can require before a deal may enter it
/// (stage gates).
pub const GATEABLE_FIELDS: [&str; 7] = [
    "amount",
    "close_date",
    "account_id",
    "next_step",
    "product_id",
    "lead_source",
    "campaign_id",
];

/// Win probability in whole percent, 0–100.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Probability(u8);

impl Probability {
    /// Parses a percentage.
    ///
    /// # Errors
    /// [`DomainError::Validation`] on `field` (`out_of_range`) unless 0–100.
    pub fn parse(field: &str, raw: i64) -> Result<Self, DomainError> {
        match u8::try_from(raw) {
            Ok(p @ 0..=100) => Ok(Self(p)),
            _ => Err(DomainError::invalid(field, "out_of_range", "must be 0–100")),
        }
    }

    /// The percentage.
    pub fn get(&self) -> u8 {
        self.0
    }
}

/// A stage as the opportunity rules need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// Stage id.
    pub id: Uuid,
    /// Pipeline it belongs to.
    pub pipeline_id: Uuid,
    /// Display name.
    pub name: String,
    /// Order within the pipeline, 1-based.
    pub position: i32,
    /// Win probability, 0–100.
    pub probability: i32,
    /// Open, won or lost.
    pub kind: StageKind,
    /// Category a deal takes on entering the stage.
    pub forecast_category: ForecastCategory,
    /// Days in stage after which an open deal counts as stalled.
    pub rotting_days: Option<i32>,
    /// Fields that must be set to enter the stage (from [`GATEABLE_FIELDS`]).
    pub required_fields: Vec<String>,
    /// Version, +1 per write.
    pub version: i64,
}

/// Checks stage-gate field names.
///
/// # Errors
/// [`DomainError::Validation`] on `required_fields` naming unknown fields.
pub fn check_required_fields(fields: &[String]) -> Result<(), DomainError> {
    match fields.iter().find(|f| !GATEABLE_FIELDS.contains(&f.as_str())) {
        Some(bad) => Err(DomainError::invalid(
            "required_fields",
            "unknown_field",
            format!("`{bad}` cannot gate a stage; use {}", GATEABLE_FIELDS.join(", ")),
        )),
        None => Ok(()),
    }
}

/// One stage of the default pipeline: name, probability, kind, forecast category.
pub type StageTemplate = (&'static str, i32, StageKind, ForecastCategory);

/// The pipeline every new org starts with. Probabilities follow the common
/// B2B ladder; open stages roll up as pipeline, Proposal as best case and
/// Negotiation as commit; won is closed and lost omitted (as Salesforce's
/// Closed Won / Closed Lost defaults).
pub const DEFAULT_PIPELINE: [StageTemplate; 7] = [
    ("Prospecting", 10, StageKind::Open, ForecastCategory::Pipeline),
    ("Qualification", 20, StageKind::Open, ForecastCategory::Pipeline),
    ("Demo", 40, StageKind::Open, ForecastCategory::Pipeline),
    ("Proposal", 60, StageKind::Open, ForecastCategory::BestCase),
    ("Negotiation", 80, StageKind::Open, ForecastCategory::Commit),
    ("Closed Won", 100, StageKind::Won, ForecastCategory::Closed),
    ("Closed Lost", 0, StageKind::Lost, ForecastCategory::Omitted),
];

/// A pipeline with its stages in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pipeline {
    /// Id.
    pub id: Uuid,
    /// Display name, unique per org.
    pub name: String,
    /// Stages by position.
    pub stages: Vec<Stage>,
    /// Version.
    pub version: i64,
    /// Creation instant.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Last write.
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// A validated stage definition for a new pipeline.
#[derive(Debug, Clone)]
pub struct NewStage {
    /// Name.
    pub name: crate::org::Name,
    /// Probability.
    pub probability: Probability,
    /// Kind.
    pub kind: StageKind,
    /// Default forecast category.
    pub forecast_category: ForecastCategory,
    /// Stalled threshold in days.
    pub rotting_days: Option<i32>,
    /// Stage gates.
    pub required_fields: Vec<String>,
}

/// Validated changes to a stage. History is never rewritten: stage history
/// rows keep the stage id, so renaming or re-weighting a stage changes only
/// what later reads show as its current name and probability.
#[derive(Debug, Clone, Default)]
pub struct StageChanges {
    /// New name.
    pub name: Option<crate::org::Name>,
    /// New probability.
    pub probability: Option<Probability>,
    /// New forecast category.
    pub forecast_category: Option<ForecastCategory>,
    /// New rotting threshold (or none).
    pub rotting_days: Option<Option<i32>>,
    /// New stage gates.
    pub required_fields: Option<Vec<String>>,
    /// New 1-based position; the other stages shift to make room.
    pub position: Option<i32>,
}

/// Checks a rotting threshold: 1–3650 days.
///
/// # Errors
/// [`DomainError::Validation`] on `rotting_days` (`out_of_range`).
pub fn check_rotting_days(days: Option<i64>) -> Result<Option<i32>, DomainError> {
    match days {
        None => Ok(None),
        Some(d @ 1..=3650) => Ok(Some(d as i32)),
        Some(_) => Err(DomainError::invalid("rotting_days", "out_of_range", "must be 1–3650 days")),
    }
}

/// Checks that a pipeline's stages make sense: at least one open, one won
/// and one lost stage, and unique names.
///
/// # Errors
/// [`DomainError::Validation`] on `stages`.
pub fn check_stage_set(stages: &[NewStage]) -> Result<(), DomainError> {
    for kind in StageKind::ALL {
        if !stages.iter().any(|s| s.kind == kind) {
            return Err(DomainError::invalid(
                "stages",
                "incomplete_pipeline",
                format!("a pipeline needs at least one {} stage", kind.as_str()),
            ));
        }
    }
    let mut names = std::collections::HashSet::new();
    if let Some(dup) = stages.iter().find(|s| !names.insert(s.name.as_str().to_lowercase())) {
        return Err(DomainError::invalid(
            "stages",
            "duplicate_name",
            format!("stage name `{}` is used twice", dup.name.as_str()),
        ));
    }
    Ok(())
}
