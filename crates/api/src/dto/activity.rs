//! Activity wire types.

use chrono::{DateTime, Utc};
use glassbox_domain::DomainError;
use glassbox_domain::activity::{Activity, ActivityType};
use glassbox_domain::error::Errors;
use glassbox_domain::org::{Name, optional_text};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

/// Kind of activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActivityTypeDto {
    /// Phone call.
    Call,
    /// Meeting.
    Meeting,
    /// On-site visit.
    Visit,
    /// Product demo.
    Demo,
    /// Email.
    Email,
    /// Note.
    Note,
}

impl From<ActivityTypeDto> for ActivityType {
    fn from(t: ActivityTypeDto) -> Self {
        match t {
            ActivityTypeDto::Call => ActivityType::Call,
            ActivityTypeDto::Meeting => ActivityType::Meeting,
            ActivityTypeDto::Visit => ActivityType::Visit,
            ActivityTypeDto::Demo => ActivityType::Demo,
            ActivityTypeDto::Email => ActivityType::Email,
            ActivityTypeDto::Note => ActivityType::Note,
        }
    }
}

impl From<ActivityType> for ActivityTypeDto {
    fn from(t: ActivityType) -> Self {
        match t {
            ActivityType::Call => ActivityTypeDto::Call,
            ActivityType::Meeting => ActivityTypeDto::Meeting,
            ActivityType::Visit => ActivityTypeDto::Visit,
            ActivityType::Demo => ActivityTypeDto::Demo,
            ActivityType::Email => ActivityTypeDto::Email,
            ActivityType::Note => ActivityTypeDto::Note,
        }
    }
}

/// An activity.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityDto {
    /// Id.
    pub id: Uuid,
    /// Kind.
    #[serde(rename = "type")]
    pub activity_type: ActivityTypeDto,
    /// Subject.
    pub subject: String,
    /// Notes.
    pub notes: Option<String>,
    /// When it happened.
    pub occurred_at: Option<DateTime<Utc>>,
    /// When it is due.
    pub due_at: Option<DateTime<Utc>>,
    /// Length, minutes.
    pub duration_minutes: Option<i32>,
    /// Outcome.
    pub outcome: Option<String>,
    /// Completed.
    pub done: bool,
    /// Who.
    pub owner_id: Uuid,
    /// Linked opportunity.
    pub opportunity_id: Option<Uuid>,
    /// Linked account.
    pub account_id: Option<Uuid>,
    /// Linked contact.
    pub contact_id: Option<Uuid>,
    /// Version; also the ETag.
    pub version: i64,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl From<Activity> for ActivityDto {
    fn from(a: Activity) -> Self {
        Self {
            id: a.id,
            activity_type: a.activity_type.into(),
            subject: a.subject,
            notes: a.notes,
            occurred_at: a.occurred_at,
            due_at: a.due_at,
            duration_minutes: a.duration_minutes,
            outcome: a.outcome,
            done: a.done,
            owner_id: a.owner_id,
            opportunity_id: a.opportunity_id,
            account_id: a.account_id,
            contact_id: a.contact_id,
            version: a.version,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

/// An activity to log (type, subject, a time and a link required; owner
/// defaults to the caller) or the changes to one.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityInput {
    /// Client-generated id (offline capture).
    pub id: Option<Uuid>,
    /// Kind.
    #[serde(default, rename = "type", deserialize_with = "super::non_null")]
    #[schema(nullable = false)]
    pub activity_type: Option<ActivityTypeDto>,
    /// Subject, 1–255 characters.
    #[serde(default, deserialize_with = "super::non_null")]
    #[schema(nullable = false, min_length = 1, max_length = 255)]
    pub subject: Option<String>,
    /// Notes, up to 10,000 characters.
    #[serde(default, deserialize_with = "super::nullable")]
    #[schema(value_type = Option<String>, max_length = 10000)]
    pub notes: Option<Option<String>>,
    /// When it happened.
    #[serde(default, deserialize_with = "super::nullable")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub occurred_at: Option<Option<DateTime<Utc>>>,
    /// When it is due.
    #[serde(default, deserialize_with = "super::nullable")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub due_at: Option<Option<DateTime<Utc>>>,
    /// Length in minutes, 0–10080.
    #[serde(default, deserialize_with = "super::nullable")]
    #[schema(value_type = Option<i32>, minimum = 0, maximum = 10080)]
    pub duration_minutes: Option<Option<i32>>,
    /// Outcome.
    #[serde(default, deserialize_with = "super::nullable")]
    #[schema(value_type = Option<String>, max_length = 255)]
    pub outcome: Option<Option<String>>,
    /// Completed.
    #[serde(default, deserialize_with = "super::non_null")]
    #[schema(nullable = false)]
    pub done: Option<bool>,
    /// Who (default: the caller).
    #[serde(default, deserialize_with = "super::non_null")]
    #[schema(nullable = false)]
    pub owner_id: Option<Uuid>,
    /// Linked opportunity.
    #[serde(default, deserialize_with = "super::nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub opportunity_id: Option<Option<Uuid>>,
    /// Linked account.
    #[serde(default, deserialize_with = "super::nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub account_id: Option<Option<Uuid>>,
    /// Linked contact.
    #[serde(default, deserialize_with = "super::nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub contact_id: Option<Option<Uuid>>,
}

impl ActivityInput {
    /// Applies the input to `a` (a blank record on create) and checks the
    /// cross-field rules.
    ///
    /// # Errors
    /// [`DomainError::Validation`] naming every bad field.
    pub fn apply(&self, a: &mut Activity, creating: bool) -> Result<(), DomainError> {
        let mut errors = Errors::new();
        let required = |field: &str| glassbox_domain::FieldError::new(field, "required", format!("an activity needs {field}"));
        if self.id.is_some() && !creating {
            errors.push(glassbox_domain::FieldError::new("id", "read_only", "the id cannot change"));
        }
        match (self.activity_type, creating) {
            (Some(t), _) => a.activity_type = t.into(),
            (None, true) => errors.push(required("type")),
            (None, false) => {}
        }
        match (&self.subject, creating) {
            (Some(s), _) => {
                if let Some(n) = errors.take(Name::parse_max("subject", s, 255)) {
                    a.subject = n.into_string();
                }
            }
            (None, true) => errors.push(required("subject")),
            (None, false) => {}
        }
        if let Some(v) = &self.notes {
            a.notes = errors.take(optional_text("notes", v.as_deref(), 10_000, true)).flatten();
        }
        if let Some(v) = &self.outcome {
            a.outcome = errors.take(optional_text("outcome", v.as_deref(), 255, false)).flatten();
        }
        if let Some(v) = self.occurred_at {
            a.occurred_at = v;
        }
        if let Some(v) = self.due_at {
            a.due_at = v;
        }
        if let Some(v) = self.duration_minutes {
            a.duration_minutes = v;
        }
        if let Some(v) = self.done {
            a.done = v;
        }
        if let Some(v) = self.owner_id {
            a.owner_id = v;
        }
        if let Some(v) = self.opportunity_id {
            a.opportunity_id = v;
        }
        if let Some(v) = self.account_id {
            a.account_id = v;
        }
        if let Some(v) = self.contact_id {
            a.contact_id = v;
        }
        errors.finish()?;
        glassbox_domain::activity::check(a)
    }
}

/// Activity list filters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ActivityQuery {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Opaque cursor.
    pub cursor: Option<String>,
    /// On this opportunity.
    pub opportunity_id: Option<Uuid>,
    /// On this account.
    pub account_id: Option<Uuid>,
    /// With this contact.
    pub contact_id: Option<Uuid>,
    /// Done by this user.
    pub owner_id: Option<Uuid>,
    /// Of this type.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub activity_type: Option<ActivityTypeDto>,
}

impl ActivityQuery {
    /// The filter.
    pub fn filter(&self) -> glassbox_persistence::activities::ActivityFilter {
        glassbox_persistence::activities::ActivityFilter {
            opportunity_id: self.opportunity_id,
            account_id: self.account_id,
            contact_id: self.contact_id,
            owner_id: self.owner_id,
            activity_type: self.activity_type.map(Into::into),
        }
    }
}
