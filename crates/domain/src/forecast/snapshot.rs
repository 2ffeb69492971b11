//! Forecast snapshot schedules: how often an org keeps its forecast, and
//! when the next run is due.

use chrono::{DateTime, Datelike, Months, NaiveDate, TimeDelta, Utc};

use crate::DomainError;
use crate::import::start_of_day;
use crate::org::TimeZone;

/// How often a scheduled snapshot is taken, at local midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frequency {
    /// Every day.
    Daily,
    /// Every Monday.
    Weekly,
    /// On the first of every month.
    Monthly,
}

impl Frequency {
    /// Parses `daily`, `weekly` or `monthly`.
    ///
    /// # Errors
    /// [`DomainError::Validation`] on `field`: `invalid_choice`.
    pub fn parse(field: &str, raw: &str) -> Result<Self, DomainError> {
        match raw {
            "daily" => Ok(Self::Daily),
            "weekly" => Ok(Self::Weekly),
            "monthly" => Ok(Self::Monthly),
            _ => Err(DomainError::invalid(field, "invalid_choice", "must be daily, weekly or monthly")),
        }
    }

    /// Wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Daily => "daily",
            Self::Weekly => "weekly",
            Self::Monthly => "monthly",
        }
    }

    /// The first run strictly after `after`: the next local midnight that
    /// starts a day (daily), a Monday (weekly) or a month (monthly) in `tz`.
    pub fn next_run(self, after: DateTime<Utc>, tz: TimeZone) -> DateTime<Utc> {
        let today = after.with_timezone(&tz.tz()).date_naive();
        let mut day = today.succ_opt().unwrap_or(today);
        match self {
            Self::Daily => {}
            Self::Weekly => {
                let ahead = (7 - day.weekday().num_days_from_monday()) % 7;
                day += TimeDelta::days(i64::from(ahead));
            }
            Self::Monthly => {
                let first = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or(today);
                day = first.checked_add_months(Months::new(1)).unwrap_or(day);
            }
        }
        start_of_day(day, tz)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn runs_fall_on_local_midnights() {
        let tokyo = TimeZone::parse("tz", "Asia/Tokyo").unwrap_or_else(|_| unreachable!());
        // 2017-06-30T16:00Z is 1 July 01:00 in Tokyo (a Saturday).
        let after = t("2017-06-30T16:00:00Z");
        assert_eq!(Frequency::Daily.next_run(after, tokyo), t("2017-07-01T15:00:00Z"));
        assert_eq!(Frequency::Weekly.next_run(after, tokyo), t("2017-07-02T15:00:00Z"));
        assert_eq!(Frequency::Monthly.next_run(after, tokyo), t("2017-07-31T15:00:00Z"));
        assert_eq!(
            Frequency::Monthly.next_run(t("2017-06-30T14:00:00Z"), tokyo),
            t("2017-06-30T15:00:00Z")
        );
        assert!(Frequency::parse("f", "hourly").is_err());
    }
}
