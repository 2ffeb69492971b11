//! Activities: calls, meetings, visits, demos, emails and notes logged
//! against opportunities, accounts and contacts.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::error::{DomainError, FieldError};

/// What kind of touch an activity is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActivityType {
    /// Phone call.
    Call,
    /// Meeting (remote or in person).
    Meeting,
    /// Visit at the customer's site.
    Visit,
    /// Product demo.
    Demo,
    /// Email.
    Email,
    /// Note.
    Note,
}

impl ActivityType {
    /// Every type.
    pub const ALL: [ActivityType; 6] = [
        ActivityType::Call,
        ActivityType::Meeting,
        ActivityType::Visit,
        ActivityType::Demo,
        ActivityType::Email,
        ActivityType::Note,
    ];

    /// Storage and wire name.
    pub fn as_str(&self) -> &'static str {
        match self {
            ActivityType::Call => "call",
            ActivityType::Meeting => "meeting",
            ActivityType::Visit => "visit",
            ActivityType::Demo => "demo",
            ActivityType::Email => "email",
            ActivityType::Note => "note",
        }
    }

    /// Parses the storage name.
    ///
    /// # Errors
    /// [`DomainError::Validation`] on `field` (`unknown_activity_type`).
    pub fn parse(field: &str, raw: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == raw)
            .ok_or_else(|| DomainError::invalid(field, "unknown_activity_type", format!("`{raw}` is not an activity type")))
    }
}

/// An activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activity {
    /// Id (client-generated for offline capture).
    pub id: Uuid,
    /// Tenant.
    pub org_id: Uuid,
    /// Kind.
    pub activity_type: ActivityType,
    /// Subject line.
    pub subject: String,
    /// Free notes.
    pub notes: Option<String>,
    /// When it happened.
    pub occurred_at: Option<DateTime<Utc>>,
    /// When it is due (planned activities).
    pub due_at: Option<DateTime<Utc>>,
    /// Length in minutes.
    pub duration_minutes: Option<i32>,
    /// Outcome.
    pub outcome: Option<String>,
    /// Completed.
    pub done: bool,
    /// Who did or will do it.
    pub owner_id: Uuid,
    /// Linked opportunity.
    pub opportunity_id: Option<Uuid>,
    /// Linked account.
    pub account_id: Option<Uuid>,
    /// Linked contact.
    pub contact_id: Option<Uuid>,
    /// Version.
    pub version: i64,
    /// Creation instant.
    pub created_at: DateTime<Utc>,
    /// Last write.
    pub updated_at: DateTime<Utc>,
}

/// Longest activity, in minutes (one week).
pub const MAX_DURATION_MINUTES: i64 = 7 * 24 * 60;

/// Checks the rules that span fields: at least one link (opportunity,
/// account or contact), a time (`occurred_at` or `due_at`), and a duration
/// of 0 to one week.
///
/// # Errors
/// [`DomainError::Validation`] naming each broken rule's field.
pub fn check(a: &Activity) -> Result<(), DomainError> {
    let mut errors = Vec::new();
    if a.opportunity_id.is_none() && a.account_id.is_none() && a.contact_id.is_none() {
        errors.push(FieldError::new(
            "opportunity_id",
            "link_required",
            "link the activity to an opportunity, account or contact",
        ));
    }
    if a.occurred_at.is_none() && a.due_at.is_none() {
        errors.push(FieldError::new(
            "occurred_at",
            "required",
            "give occurred_at (it happened) or due_at (it is planned)",
        ));
    }
    for (field, at) in [("occurred_at", a.occurred_at), ("due_at", a.due_at)] {
        if at.is_some_and(|t| !(1900..=2999).contains(&chrono::Datelike::year(&t))) {
            errors.push(FieldError::new(field, "out_of_range", "must be in the years 1900 to 2999"));
        }
    }
    if a.duration_minutes
        .is_some_and(|d| !(0..=MAX_DURATION_MINUTES).contains(&i64::from(d)))
    {
        errors.push(FieldError::new("duration_minutes", "out_of_range", "must be 0–10080 minutes"));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Validation(errors))
    }
}
