//! Org wire types.

use chrono::{DateTime, NaiveDate, Utc};
use glassbox_domain::calendar::{BusinessCalendar, CalendarInput};
use glassbox_domain::org::{Org, OrgPatchInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

/// An organization (tenant) and its settings.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgDto {
    /// Org id.
    pub id: Uuid,
    /// Display name.
    pub name: String,
    /// ISO 4217 currency rollups are reported in.
    #[schema(example = "USD")]
    pub base_currency: String,
    /// Month (1–12) on which fiscal year N starts, in calendar year N.
    #[schema(minimum = 1, maximum = 12)]
    pub fiscal_year_start_month: i32,
    /// IANA time zone; "today" and fiscal period boundaries follow it.
    #[schema(example = "Asia/Shanghai")]
    pub time_zone: String,
    /// Business calendar: working weekdays, ISO numbers (1 = Monday … 7 =
    /// Sunday). SLAs count business minutes on this calendar.
    #[schema(example = json!([1, 2, 3, 4, 5]))]
    pub working_days: Vec<u8>,
    /// Start of the working day, local `HH:MM`.
    #[schema(example = "09:00")]
    pub work_start: String,
    /// End of the working day, local `HH:MM` (after `work_start`).
    #[schema(example = "17:00")]
    pub work_end: String,
    /// Non-working local dates.
    pub holidays: Vec<NaiveDate>,
    /// Version, +1 per write; also the `ETag`.
    pub version: i64,
    /// Creation time (UTC).
    pub created_at: DateTime<Utc>,
    /// Last change (UTC).
    pub updated_at: DateTime<Utc>,
}

impl From<(Org, BusinessCalendar)> for OrgDto {
    fn from((o, c): (Org, BusinessCalendar)) -> Self {
        Self {
            working_days: c.working_days.iter().map(|d| d.get()).collect(),
            work_start: c.start.format("%H:%M").to_string(),
            work_end: c.end.format("%H:%M").to_string(),
            holidays: c.holidays.into_iter().collect(),
            id: o.id,
            name: o.name,
            base_currency: o.base_currency,
            fiscal_year_start_month: o.fiscal_year_start_month,
            time_zone: o.time_zone,
            version: o.version,
            created_at: o.created_at,
            updated_at: o.updated_at,
        }
    }
}

/// Changes to the org; absent fields stay as they are.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchOrg {
    /// New name (1–200 characters).
    #[schema(min_length = 1, max_length = 200)]
    #[serde(default, deserialize_with = "super::non_null")]
    #[schema(nullable = false)]
    pub name: Option<String>,
    /// New ISO 4217 base currency.
    #[schema(pattern = "^[A-Z]{3}$", example = "EUR")]
    #[serde(default, deserialize_with = "super::non_null")]
    #[schema(nullable = false)]
    pub base_currency: Option<String>,
    /// New fiscal year start month, 1–12.
    #[schema(minimum = 1, maximum = 12)]
    #[serde(default, deserialize_with = "super::non_null")]
    #[schema(nullable = false)]
    pub fiscal_year_start_month: Option<i64>,
    /// New IANA time zone.
    #[schema(example = "Europe/Berlin")]
    #[serde(default, deserialize_with = "super::non_null")]
    #[schema(nullable = false)]
    pub time_zone: Option<String>,
    /// Working weekdays, 1 (Monday) to 7 (Sunday); at least one.
    #[serde(default, deserialize_with = "super::non_null")]
    #[schema(nullable = false, example = json!([1, 2, 3, 4, 5]))]
    pub working_days: Option<Vec<i64>>,
    /// Start of the working day, `HH:MM`.
    #[serde(default, deserialize_with = "super::non_null")]
    #[schema(nullable = false, example = "09:00")]
    pub work_start: Option<String>,
    /// End of the working day, `HH:MM`, after the start.
    #[serde(default, deserialize_with = "super::non_null")]
    #[schema(nullable = false, example = "18:00")]
    pub work_end: Option<String>,
    /// The complete list of holidays (replaces the stored one), at most 1,000.
    #[serde(default, deserialize_with = "super::non_null")]
    #[schema(nullable = false)]
    pub holidays: Option<Vec<NaiveDate>>,
}

impl PatchOrg {
    /// Calendar fields for [`BusinessCalendar::with`].
    pub fn calendar_input(&self) -> Option<CalendarInput<'_>> {
        let given = self.working_days.is_some() || self.work_start.is_some() || self.work_end.is_some() || self.holidays.is_some();
        given.then_some(CalendarInput {
            working_days: self.working_days.as_deref(),
            start: self.work_start.as_deref(),
            end: self.work_end.as_deref(),
            holidays: self.holidays.as_deref(),
        })
    }

    /// Borrowed raw input for the domain parser.
    pub fn input(&self) -> OrgPatchInput<'_> {
        OrgPatchInput {
            name: self.name.as_deref(),
            base_currency: self.base_currency.as_deref(),
            fiscal_year_start_month: self.fiscal_year_start_month,
            time_zone: self.time_zone.as_deref(),
        }
    }
}
