//! Wire forms of `POST /api/v1/activities/batch`.

use chrono::{DateTime, Utc};
use glassbox_domain::activity::{Activity, ActivityType};
use glassbox_domain::{DomainError, Scope};
use glassbox_persistence::activities_batch::{BatchItem, BatchOutcome};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::activity::{ActivityDto, ActivityInput};
use crate::error::{ApiError, Problem};

/// Up to 500 activities, each the whole record as the client holds it, with
/// a client-generated `id` and optionally the `version` it last saw.
#[derive(Debug, ToSchema)]
pub struct ActivityBatchInput {
    /// The activities: an activity body (as for POST /activities) with a
    /// required `id` and an optional `version`.
    #[schema(value_type = Vec<ActivityInput>)]
    pub items: Vec<serde_json::Value>,
}

impl ActivityBatchInput {
    /// The items of a batch body `{"items": [...]}`; the items themselves
    /// are checked one by one later.
    ///
    /// # Errors
    /// [`DomainError::Validation`] naming `body`, `items` or an unknown
    /// top-level field.
    pub fn parse(body: serde_json::Value) -> Result<Self, DomainError> {
        let serde_json::Value::Object(mut map) = body else {
            return Err(DomainError::invalid(
                "body",
                "invalid_type",
                "the body is an object {\"items\": [...]}",
            ));
        };
        if let Some(extra) = map.keys().find(|k| k.as_str() != "items") {
            return Err(DomainError::invalid(
                &crate::dto::clip(extra, 100),
                "unknown_field",
                "a batch body holds only `items`",
            ));
        }
        match map.remove("items") {
            Some(serde_json::Value::Array(items)) => Ok(Self { items }),
            None => Err(DomainError::invalid("items", "required", "give the activities as `items`")),
            Some(_) => Err(DomainError::invalid("items", "invalid_type", "`items` is an array")),
        }
    }
}

/// Parses one item into an activity owned by the caller unless it says
/// otherwise; a bad item becomes [`BatchItem::Invalid`].
pub fn parse_item(raw: serde_json::Value, scope: &Scope, now: DateTime<Utc>) -> BatchItem {
    let serde_json::Value::Object(mut map) = raw else {
        return BatchItem::Invalid {
            id: None,
            error: DomainError::invalid("item", "invalid_type", "each item is an activity object"),
        };
    };
    let raw_id = map.get("id").cloned();
    let id = raw_id.as_ref().and_then(|v| v.as_str()).and_then(|s| s.parse::<Uuid>().ok());
    let version = map.remove("version");
    let owner_given = map.get("owner_id").is_some_and(|v| !v.is_null());
    let parsed = (|| {
        let id = match (&raw_id, id) {
            (_, Some(id)) => id,
            (None | Some(serde_json::Value::Null), None) => {
                return Err(DomainError::invalid("id", "required", "each item needs its client-generated UUID"));
            }
            (Some(_), None) => return Err(DomainError::invalid("id", "invalid_type", "a UUID string")),
        };
        let object = serde_json::Value::Object(map);
        let bad_chars = crate::extract::nul_characters(&object);
        if !bad_chars.is_empty() {
            return Err(DomainError::Validation(bad_chars));
        }
        let version = match version {
            None | Some(serde_json::Value::Null) => None,
            Some(v) => Some(
                v.as_i64()
                    .filter(|v| *v >= 1)
                    .ok_or_else(|| DomainError::invalid("version", "invalid_type", "a positive integer"))?,
            ),
        };
        let input: ActivityInput = serde_path_to_error::deserialize(object).map_err(|e| {
            DomainError::Validation(vec![crate::extract::serde_field_error(
                &e.path().to_string(),
                &e.inner().to_string(),
            )])
        })?;
        let mut a = Activity {
            id: glassbox_domain::id::new_record_id("id", Some(id))?,
            org_id: scope.org_id,
            activity_type: ActivityType::Note,
            subject: String::new(),
            notes: None,
            occurred_at: None,
            due_at: None,
            duration_minutes: None,
            outcome: None,
            done: false,
            owner_id: scope.user_id,
            opportunity_id: None,
            account_id: None,
            contact_id: None,
            version: 0,
            created_at: now,
            updated_at: now,
        };
        input.apply(&mut a, true)?;
        Ok::<_, DomainError>(BatchItem::Valid {
            activity: Box::new(a),
            version,
            owner_given,
        })
    })();
    parsed.unwrap_or_else(|error| BatchItem::Invalid { id, error })
}

/// What happened to one item.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchResultDto {
    /// The item's id (null when it had no readable id).
    pub id: Option<Uuid>,
    /// `created`, `updated`, `unchanged`, `conflict` or `invalid`.
    #[schema(example = "created")]
    pub status: String,
    /// Stored version after the batch (for `conflict`: the server's).
    pub version: Option<i64>,
    /// The record as stored (for `conflict`: the server's current record,
    /// null when it was deleted).
    pub activity: Option<ActivityDto>,
    /// Why an `invalid` item was refused.
    pub problem: Option<Problem>,
}

impl From<BatchOutcome> for BatchResultDto {
    fn from(o: BatchOutcome) -> Self {
        let stored = |status: &str, a: Activity| Self {
            id: Some(a.id),
            status: status.to_owned(),
            version: Some(a.version),
            activity: Some(a.into()),
            problem: None,
        };
        match o {
            BatchOutcome::Created(a) => stored("created", a),
            BatchOutcome::Updated(a) => stored("updated", a),
            BatchOutcome::Unchanged(a) => stored("unchanged", a),
            BatchOutcome::Conflict { id, current } => Self {
                id: Some(id),
                status: "conflict".into(),
                version: current.as_ref().map(|a| a.version),
                activity: current.map(Into::into),
                problem: None,
            },
            BatchOutcome::Invalid { id, error } => Self {
                id,
                status: "invalid".into(),
                version: None,
                activity: None,
                problem: Some(ApiError::from(error).problem()),
            },
        }
    }
}

/// The answers, in request order.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchResults {
    /// One per item.
    pub results: Vec<BatchResultDto>,
}
