//! The org's business calendar (table `org_calendars`; an org without a row
//! has the standard calendar: Monday to Friday, 09:00–17:00, no holidays).

use chrono::NaiveDate;
use glassbox_domain::calendar::{BusinessCalendar, CalendarInput};
use glassbox_domain::org::TimeZone;
use glassbox_domain::{DomainError, Scope};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use uuid::Uuid;

use crate::Store;
use crate::entities::{org_calendars, orgs};
use crate::error::db_err;

/// The time zone of `org_id`: its local days are the days of fiscal
/// periods, report windows and rollups.
///
/// # Errors
/// [`DomainError::NotFound`] for an unknown org.
pub(crate) async fn org_time_zone(conn: &impl ConnectionTrait, org_id: Uuid) -> Result<TimeZone, DomainError> {
    let org = orgs::Entity::find_by_id(org_id)
        .one(conn)
        .await
        .map_err(db_err)?
        .ok_or(DomainError::NotFound("org"))?;
    TimeZone::parse("time_zone", &org.time_zone).map_err(|_| DomainError::Internal("stored org time zone is unknown".into()))
}

/// The calendar of `org_id`, in the org's current time zone.
pub(crate) async fn calendar_in(conn: &impl ConnectionTrait, org_id: Uuid) -> Result<BusinessCalendar, DomainError> {
    let org = orgs::Entity::find_by_id(org_id)
        .one(conn)
        .await
        .map_err(db_err)?
        .ok_or(DomainError::NotFound("org"))?;
    let corrupt = |what: &str| DomainError::Internal(format!("stored calendar of org {org_id} has a bad {what}"));
    let tz = TimeZone::parse("time_zone", &org.time_zone).map_err(|_| corrupt("time zone"))?;
    let standard = BusinessCalendar::standard(tz);
    let Some(row) = org_calendars::Entity::find_by_id(org_id).one(conn).await.map_err(db_err)? else {
        return Ok(standard);
    };
    let days: Vec<i64> = row
        .working_days
        .split(',')
        .map(|d| d.parse().map_err(|_| corrupt("working day")))
        .collect::<Result<_, _>>()?;
    let holidays: Vec<NaiveDate> = serde_json::from_str(&row.holidays).map_err(|_| corrupt("holiday list"))?;
    standard
        .with(&CalendarInput {
            working_days: Some(&days),
            start: Some(&row.work_start),
            end: Some(&row.work_end),
            holidays: Some(&holidays),
        })
        .map_err(|_| corrupt("setting"))
}

/// Stores `calendar` as the org's (its time zone stays the org's).
pub(crate) async fn save_calendar(conn: &impl ConnectionTrait, org_id: Uuid, calendar: &BusinessCalendar) -> Result<(), DomainError> {
    org_calendars::Entity::delete_by_id(org_id).exec(conn).await.map_err(db_err)?;
    let days: Vec<String> = calendar.working_days.iter().map(|d| d.get().to_string()).collect();
    let holidays: Vec<String> = calendar.holidays.iter().map(|d| d.format("%Y-%m-%d").to_string()).collect();
    org_calendars::Entity::insert(org_calendars::ActiveModel {
        id: Set(org_id),
        working_days: Set(days.join(",")),
        work_start: Set(calendar.start.format("%H:%M").to_string()),
        work_end: Set(calendar.end.format("%H:%M").to_string()),
        holidays: Set(serde_json::to_string(&holidays).map_err(|e| DomainError::Internal(e.to_string()))?),
    })
    .exec_without_returning(conn)
    .await
    .map_err(db_err)?;
    Ok(())
}

impl Store {
    /// The caller's org's business calendar.
    ///
    /// # Errors
    /// [`DomainError::NotFound`] when the org is gone.
    pub async fn org_calendar(&self, scope: &Scope) -> Result<BusinessCalendar, DomainError> {
        calendar_in(self.conn(), scope.org_id).await
    }
}
