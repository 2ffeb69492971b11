//! Wire form of an account's timeline.

use chrono::{DateTime, Utc};
use glassbox_persistence::timeline::{TimelineEntry, TimelineEvent, TimelineKey};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::activity::ActivityDto;
use super::handoff::HandoffTaskDto;
use super::opportunity::{OpportunityDto, StageHistoryDto};

const CURSOR_PREFIX: &str = "t1|";

/// What a timeline entry is.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimelineKindDto {
    /// An opportunity was created (`opportunity` is set).
    Opportunity,
    /// An opportunity moved stage (`stage_change` is set).
    StageChange,
    /// An activity (`activity` is set).
    Activity,
    /// A handoff task (`handoff_task` is set).
    HandoffTask,
}

/// One entry; exactly the field named by `kind` holds the record.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineEntryDto {
    /// When: an opportunity's creation, a stage entry, an activity's
    /// occurrence (else due time, else logging time), a task's creation.
    pub at: DateTime<Utc>,
    /// What it is.
    pub kind: TimelineKindDto,
    /// Id of the record.
    pub id: Uuid,
    /// The opportunity it concerns, if any.
    pub opportunity_id: Option<Uuid>,
    /// For `opportunity`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opportunity: Option<OpportunityDto>,
    /// For `stage_change`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage_change: Option<StageHistoryDto>,
    /// For `activity`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activity: Option<ActivityDto>,
    /// For `handoff_task` (`sla_breached` judged now).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handoff_task: Option<HandoffTaskDto>,
}

impl TimelineEntryDto {
    /// The wire form, judging tasks at `now`.
    pub fn new(e: TimelineEntry, now: DateTime<Utc>) -> Self {
        let mut dto = Self {
            at: e.at,
            kind: TimelineKindDto::Opportunity,
            id: e.id,
            opportunity_id: None,
            opportunity: None,
            stage_change: None,
            activity: None,
            handoff_task: None,
        };
        match e.event {
            TimelineEvent::Opportunity(o) => {
                dto.opportunity_id = Some(o.id);
                dto.opportunity = Some(o.into());
            }
            TimelineEvent::StageChange { opportunity_id, change } => {
                dto.kind = TimelineKindDto::StageChange;
                dto.opportunity_id = Some(opportunity_id);
                dto.stage_change = Some(change.into());
            }
            TimelineEvent::Activity(a) => {
                dto.kind = TimelineKindDto::Activity;
                dto.opportunity_id = a.opportunity_id;
                dto.activity = Some(a.into());
            }
            TimelineEvent::HandoffTask(t) => {
                dto.kind = TimelineKindDto::HandoffTask;
                dto.opportunity_id = Some(t.opportunity_id);
                dto.handoff_task = Some(HandoffTaskDto::new(t, now));
            }
        }
        dto
    }
}

/// One page of a timeline.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimelinePage {
    /// Entries, newest first.
    pub data: Vec<TimelineEntryDto>,
    /// Pass as `cursor` for older entries; null on the last page.
    pub next_cursor: Option<String>,
}

/// Paging parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TimelineQuery {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page.
    pub cursor: Option<String>,
}

impl TimelineQuery {
    /// The page request.
    ///
    /// # Errors
    /// [`glassbox_domain::DomainError::Validation`] on `limit` or `cursor`.
    pub fn page(&self) -> Result<glassbox_domain::page::PageRequest<TimelineKey>, glassbox_domain::DomainError> {
        super::time_page_request(self.limit, self.cursor.as_deref(), CURSOR_PREFIX)
    }
}

/// Encodes a timeline position as an opaque cursor.
pub fn encode_cursor(key: TimelineKey) -> String {
    super::encode_time_cursor(key, CURSOR_PREFIX)
}
