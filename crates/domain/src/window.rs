//! Reporting windows: a range of calendar days read in the org's time zone.

use chrono::{DateTime, Days, NaiveDate, Utc};

use crate::error::DomainError;
use crate::import::start_of_day;
use crate::org::TimeZone;

/// Longest window a report accepts, in days (about ten years).
pub const MAX_WINDOW_DAYS: i64 = 3660;

/// Days `from` to `to`, both included, in the org's calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateWindow {
    /// First day.
    pub from: NaiveDate,
    /// Last day (included).
    pub to: NaiveDate,
}

impl DateWindow {
    /// A window from optional bounds: `to` defaults to `today`, `from` to
    /// `default_days − 1` days before `to` (so the window holds
    /// `default_days` days), but not before 1900-01-01.
    ///
    /// # Errors
    /// [`DomainError::Validation`] on `from` when it is after `to`
    /// (`from_after_to`) or the window is longer than [`MAX_WINDOW_DAYS`]
    /// (`window_too_long`).
    pub fn parse(from: Option<NaiveDate>, to: Option<NaiveDate>, today: NaiveDate, default_days: u64) -> Result<Self, DomainError> {
        let to = to.unwrap_or(today);
        let earliest = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(to);
        let from = from.unwrap_or_else(|| {
            to.checked_sub_days(Days::new(default_days.saturating_sub(1)))
                .unwrap_or(to)
                .max(earliest)
        });
        if from > to {
            return Err(DomainError::invalid("from", "from_after_to", "`from` must not be after `to`"));
        }
        if (to - from).num_days() >= MAX_WINDOW_DAYS {
            return Err(DomainError::invalid(
                "from",
                "window_too_long",
                format!("a window holds at most {MAX_WINDOW_DAYS} days"),
            ));
        }
        Ok(Self { from, to })
    }

    /// The half-open UTC interval `[start of from, start of the day after
    /// to)` of local midnights in `tz` (DST-aware).
    pub fn bounds(&self, tz: TimeZone) -> (DateTime<Utc>, DateTime<Utc>) {
        let after = self.to.checked_add_days(Days::new(1)).unwrap_or(self.to);
        (start_of_day(self.from, tz), start_of_day(after, tz))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn defaults_to_the_last_n_days_and_reads_local_midnights() {
        let w = DateWindow::parse(None, None, d("2026-03-31"), 30).ok();
        assert_eq!(w.map(|w| (w.from, w.to)), Some((d("2026-03-02"), d("2026-03-31"))));
        let tz = TimeZone::parse("tz", "America/New_York").ok();
        let b = w.zip(tz).map(|(w, tz)| w.bounds(tz));
        assert_eq!(
            b.map(|(a, z)| (a.to_rfc3339(), z.to_rfc3339())),
            Some(("2026-03-02T05:00:00+00:00".into(), "2026-04-01T04:00:00+00:00".into()))
        );
    }

    #[test]
    fn refuses_reversed_and_overlong_windows() {
        let code = |r: Result<DateWindow, DomainError>| match r {
            Err(DomainError::Validation(e)) => e.first().map(|e| (e.field.clone(), e.code.clone())),
            _ => None,
        };
        let reversed = DateWindow::parse(Some(d("2026-02-01")), Some(d("2026-01-01")), d("2026-03-01"), 30);
        assert_eq!(code(reversed), Some(("from".into(), "from_after_to".into())));
        let long = DateWindow::parse(Some(d("2000-01-01")), Some(d("2026-01-01")), d("2026-03-01"), 30);
        assert_eq!(code(long), Some(("from".into(), "window_too_long".into())));
        assert!(DateWindow::parse(Some(d("2026-01-01")), Some(d("2026-01-01")), d("2026-03-01"), 30).is_ok());
    }
}
