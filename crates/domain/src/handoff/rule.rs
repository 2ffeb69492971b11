//! Handoff rules: which stage entry asks which team for what.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::error::DomainError;
use crate::opportunity::Opportunity;

/// When an opportunity of `pipeline_id` enters `stage_id` (and is worth at
/// least `min_amount_minor` of the org's base currency), create a task of
/// `task_type` for `assignee_team_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandoffRule {
    /// Id.
    pub id: Uuid,
    /// Tenant.
    pub org_id: Uuid,
    /// Pipeline.
    pub pipeline_id: Uuid,
    /// Trigger stage (of the pipeline).
    pub stage_id: Uuid,
    /// Smallest amount, in minor units of the base currency.
    pub min_amount_minor: Option<i64>,
    /// Kind of work.
    pub task_type: String,
    /// Title with `{opportunity}` and `{account}` placeholders.
    pub title_template: String,
    /// Team asked.
    pub assignee_team_id: Uuid,
    /// Business minutes to the first answer.
    pub response_sla_minutes: i32,
    /// Business minutes to completion.
    pub completion_sla_minutes: i32,
    /// Inactive rules create nothing.
    pub active: bool,
    /// Version.
    pub version: i64,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Last write.
    pub updated_at: DateTime<Utc>,
}

impl HandoffRule {
    /// Whether entering the rule's stage with `opp` creates a task. A
    /// minimum amount compares only amounts in `base_currency` (an
    /// opportunity in another currency, or without an amount, does not
    /// match a rule that has one; exchange rates are not applied here).
    pub fn matches(&self, opp: &Opportunity, base_currency: &str) -> bool {
        self.active
            && self.pipeline_id == opp.pipeline_id
            && self.stage_id == opp.stage_id
            && self
                .min_amount_minor
                .is_none_or(|min| opp.currency == base_currency && opp.amount_minor.is_some_and(|a| a >= min))
    }
}

const PLACEHOLDERS: [&str; 2] = ["{opportunity}", "{account}"];

/// Checks a title template: 1–255 characters, braces only in the
/// placeholders `{opportunity}` and `{account}`.
///
/// # Errors
/// [`DomainError::Validation`] on `title_template`.
pub fn check_title_template(raw: &str) -> Result<String, DomainError> {
    let name = crate::org::Name::parse_max("title_template", raw, 255)?;
    let mut rest = name.as_str().to_owned();
    for p in PLACEHOLDERS {
        rest = rest.replace(p, "");
    }
    if rest.contains(['{', '}']) {
        return Err(DomainError::invalid(
            "title_template",
            "unknown_placeholder",
            "placeholders are {opportunity} and {account}",
        ));
    }
    Ok(name.into_string())
}

/// The title of a task: the template with the opportunity's and account's
/// names (empty without an account), cut to 255 characters.
pub fn render_title(template: &str, opportunity: &str, account: Option<&str>) -> String {
    // One pass, so a name that contains a placeholder is kept as written.
    let mut title = String::new();
    let mut rest = template;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("{opportunity}") {
            title.push_str(opportunity);
            rest = after;
        } else if let Some(after) = rest.strip_prefix("{account}") {
            title.push_str(account.unwrap_or(""));
            rest = after;
        } else {
            let c = rest.chars().next().unwrap_or_default();
            title.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    title.trim().chars().take(255).collect()
}
