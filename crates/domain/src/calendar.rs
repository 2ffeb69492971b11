//! The org's business calendar and business-time arithmetic for SLAs.
//!
//! Business time is the union of the working windows: on each working day
//! that is not a holiday, `[start, end)` in the org's time zone. Windows are
//! turned into UTC instants day by day through the IANA database
//! (`chrono-tz`), so weekends, holidays and DST changes fall out of the
//! calendar itself: a window on the day clocks move keeps its wall-clock
//! bounds and its real length follows. A wall-clock bound that does not
//! exist that day (inside a DST gap) moves to the first instant after the
//! gap; an ambiguous one (a repeated hour) takes its first occurrence.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone as _, Utc, Weekday};

use crate::error::{DomainError, Errors, FieldError};
use crate::org::TimeZone;

/// Longest span business arithmetic walks before giving up: ten years of
/// calendar days (only a calendar whose every working day is a holiday gets
/// there).
const MAX_DAYS: i64 = 3660;

/// Working days, hours and holidays of an org.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessCalendar {
    /// Time zone the days and hours are in.
    pub time_zone: TimeZone,
    /// Working weekdays (at least one).
    pub working_days: BTreeSet<WeekdayIso>,
    /// Start of the working window, local.
    pub start: NaiveTime,
    /// End of the working window, local (after `start`).
    pub end: NaiveTime,
    /// Non-working dates, local.
    pub holidays: BTreeSet<NaiveDate>,
}

/// An ISO 8601 weekday number, 1 = Monday … 7 = Sunday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WeekdayIso(u8);

impl WeekdayIso {
    /// Checks `n` is 1–7.
    ///
    /// # Errors
    /// [`DomainError::Validation`] on `field` (`out_of_range`).
    pub fn parse(field: &str, n: i64) -> Result<Self, DomainError> {
        match u8::try_from(n) {
            Ok(d @ 1..=7) => Ok(Self(d)),
            _ => Err(DomainError::invalid(field, "out_of_range", "weekdays are 1 (Monday) to 7 (Sunday)")),
        }
    }

    /// 1–7.
    pub fn get(self) -> u8 {
        self.0
    }

    fn of(day: Weekday) -> Self {
        Self(day.number_from_monday() as u8)
    }
}

/// Raw calendar settings as they arrive.
#[derive(Debug, Clone, Default)]
pub struct CalendarInput<'a> {
    /// ISO weekday numbers.
    pub working_days: Option<&'a [i64]>,
    /// `HH:MM`.
    pub start: Option<&'a str>,
    /// `HH:MM`.
    pub end: Option<&'a str>,
    /// Dates.
    pub holidays: Option<&'a [NaiveDate]>,
}

/// The recorded errors as one validation error.
fn finish_with(errors: Errors) -> DomainError {
    errors
        .finish()
        .err()
        .unwrap_or_else(|| DomainError::invalid("", "invalid", "invalid calendar"))
}

fn parse_time(field: &str, raw: &str) -> Result<NaiveTime, DomainError> {
    NaiveTime::parse_from_str(raw, "%H:%M").map_err(|_| DomainError::invalid(field, "invalid_time", "must be HH:MM (24-hour)"))
}

impl BusinessCalendar {
    /// Monday to Friday, 09:00–17:00, no holidays, in `time_zone`.
    pub fn standard(time_zone: TimeZone) -> Self {
        Self {
            time_zone,
            working_days: (1..=5).map(WeekdayIso).collect(),
            start: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or(NaiveTime::MIN),
            end: NaiveTime::from_hms_opt(17, 0, 0).unwrap_or(NaiveTime::MIN),
            holidays: BTreeSet::new(),
        }
    }

    /// Applies `input` to this calendar and checks the result: at least one
    /// working day, `start` before `end`, at most 1,000 holidays.
    ///
    /// # Errors
    /// [`DomainError::Validation`] naming each offending field
    /// (`working_days`, `work_start`, `work_end`, `holidays`).
    pub fn with(mut self, input: &CalendarInput<'_>) -> Result<Self, DomainError> {
        let mut errors = Errors::new();
        if let Some(days) = input.working_days {
            let parsed: Result<BTreeSet<_>, _> = days.iter().map(|&d| WeekdayIso::parse("working_days", d)).collect();
            match errors.take(parsed) {
                Some(set) if set.is_empty() => errors.push(FieldError::new("working_days", "blank", "at least one working day")),
                Some(set) => self.working_days = set,
                None => {}
            }
        }
        let start = input.start.map(|s| errors.take(parse_time("work_start", s)));
        let end = input.end.map(|s| errors.take(parse_time("work_end", s)));
        if start.is_some_and(|t| t.is_none()) || end.is_some_and(|t| t.is_none()) {
            return Err(finish_with(errors));
        }
        self.start = start.flatten().unwrap_or(self.start);
        self.end = end.flatten().unwrap_or(self.end);
        if self.start >= self.end {
            errors.push(FieldError::new(
                "work_end",
                "before_start",
                "the working day must end after it starts (same day)",
            ));
        }
        if let Some(holidays) = input.holidays {
            if holidays.len() > 1000 {
                errors.push(FieldError::new("holidays", "too_many", "at most 1,000 holidays"));
            }
            self.holidays = holidays.iter().copied().collect();
        }
        errors.finish()?;
        Ok(self)
    }

    fn works_on(&self, day: NaiveDate) -> bool {
        self.working_days.contains(&WeekdayIso::of(day.weekday())) && !self.holidays.contains(&day)
    }

    /// The local wall-clock time on `day` as an instant (see the module
    /// documentation for gaps and repeats).
    fn instant(&self, day: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
        let tz = self.time_zone.tz();
        let mut local = day.and_time(time);
        for _ in 0..(24 * 4) {
            match tz.from_local_datetime(&local) {
                LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => return t.with_timezone(&Utc),
                LocalResult::None => local += Duration::minutes(15),
            }
        }
        local.and_utc()
    }

    /// The working window of `day` in UTC, if it is a working day.
    fn window(&self, day: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        self.works_on(day)
            .then(|| (self.instant(day, self.start), self.instant(day, self.end)))
    }

    fn local_day(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.time_zone.tz()).date_naive()
    }

    /// The instant at which `minutes` business minutes after `from` have
    /// passed. Zero minutes from outside business time is `from` itself.
    ///
    /// # Errors
    /// [`DomainError::Validation`] on `minutes` when negative, or when the
    /// calendar has no business time in the next ten years.
    pub fn add_business_minutes(&self, from: DateTime<Utc>, minutes: i64) -> Result<DateTime<Utc>, DomainError> {
        if minutes < 0 {
            return Err(DomainError::invalid("minutes", "out_of_range", "must not be negative"));
        }
        let mut left = Duration::minutes(minutes);
        if left.is_zero() {
            return Ok(from);
        }
        // Start a day early: a window of the previous local day may still
        // be open in another zone's terms after midnight UTC.
        let first = self.local_day(from) - Duration::days(1);
        for offset in 0..MAX_DAYS {
            let day = first + Duration::days(offset);
            let Some((open, close)) = self.window(day) else { continue };
            let begin = open.max(from);
            if begin >= close {
                continue;
            }
            let available = close - begin;
            if left <= available {
                return Ok(begin + left);
            }
            left -= available;
        }
        Err(DomainError::invalid(
            "minutes",
            "no_business_time",
            "the calendar has no working time within ten years",
        ))
    }

    /// Whole business minutes between `from` and `to` (0 when `to` is not
    /// after `from`), rounded down.
    pub fn business_minutes_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        if to <= from {
            return 0;
        }
        let first = self.local_day(from) - Duration::days(1);
        let last = self.local_day(to) + Duration::days(1);
        let mut total = Duration::zero();
        let mut day = first;
        while day <= last {
            if let Some((open, close)) = self.window(day) {
                let (a, b) = (open.max(from), close.min(to));
                if b > a {
                    total += b - a;
                }
            }
            day += Duration::days(1);
        }
        total.num_minutes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calendar(tz: &str, start: &str, end: &str, holidays: &[&str]) -> BusinessCalendar {
        let holidays: Vec<NaiveDate> = holidays.iter().filter_map(|d| d.parse().ok()).collect();
        let tz = TimeZone::parse("tz", tz).unwrap_or_else(|_| unreachable!());
        BusinessCalendar::standard(tz)
            .with(&CalendarInput {
                working_days: None,
                start: Some(start),
                end: Some(end),
                holidays: Some(&holidays),
            })
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn shanghai_holiday_pushes_the_response_due_time_to_friday() {
        let c = calendar("Asia/Shanghai", "09:00", "18:00", &["2026-10-01"]);
        // Wed 2026-09-30 17:30 local = 09:30Z.
        let created = at("2026-09-30T09:30:00Z");
        assert_eq!(c.add_business_minutes(created, 60).ok(), Some(at("2026-10-02T01:30:00Z")));
        // Accepted Fri 09:40 local: 30 + 40 business minutes.
        assert_eq!(c.business_minutes_between(created, at("2026-10-02T01:40:00Z")), 70);
    }

    #[test]
    fn new_york_sla_over_the_dst_weekend() {
        let c = calendar("America/New_York", "09:00", "17:00", &[]);
        // Fri 2026-03-06 17:00 EST = 22:00Z; due Mon 11:00 EDT = 15:00Z.
        let start = at("2026-03-06T22:00:00Z");
        assert_eq!(c.add_business_minutes(start, 120).ok(), Some(at("2026-03-09T15:00:00Z")));
        assert_eq!(c.business_minutes_between(start, at("2026-03-09T15:00:00Z")), 120);
    }

    #[test]
    fn a_window_keeps_its_wall_clock_bounds_on_a_dst_day() {
        // Europe/Berlin falls back on Sun 2026-10-25; work 00:00–04:00 that day
        // is five real hours long (02:00–03:00 happens twice).
        let tz = TimeZone::parse("tz", "Europe/Berlin").unwrap_or_else(|_| unreachable!());
        let c = BusinessCalendar::standard(tz)
            .with(&CalendarInput {
                working_days: Some(&[7]),
                start: Some("00:00"),
                end: Some("04:00"),
                holidays: None,
            })
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            c.business_minutes_between(at("2026-10-24T00:00:00Z"), at("2026-10-26T00:00:00Z")),
            300
        );
    }

    #[test]
    fn outside_hours_and_zero_minutes() {
        let c = calendar("UTC", "09:00", "17:00", &[]);
        let saturday = at("2026-03-07T12:00:00Z");
        assert_eq!(c.add_business_minutes(saturday, 0).ok(), Some(saturday));
        assert_eq!(c.add_business_minutes(saturday, 1).ok(), Some(at("2026-03-09T09:01:00Z")));
        assert_eq!(c.business_minutes_between(saturday, at("2026-03-08T23:00:00Z")), 0);
        assert_eq!(
            c.business_minutes_between(at("2026-03-09T10:00:00Z"), at("2026-03-09T09:00:00Z")),
            0
        );
        // Exactly at the close: the minutes left run from the next opening.
        assert_eq!(
            c.add_business_minutes(at("2026-03-09T16:00:00Z"), 60).ok(),
            Some(at("2026-03-09T17:00:00Z"))
        );
        assert_eq!(
            c.add_business_minutes(at("2026-03-09T16:00:00Z"), 61).ok(),
            Some(at("2026-03-10T09:01:00Z"))
        );
        assert!(c.add_business_minutes(saturday, -1).is_err());
    }

    #[test]
    fn bad_settings_name_their_field() {
        let c = BusinessCalendar::standard(TimeZone::parse("tz", "UTC").unwrap_or_else(|_| unreachable!()));
        let err = c
            .with(&CalendarInput {
                working_days: Some(&[0, 8]),
                start: Some("18:00"),
                end: Some("9am"),
                holidays: None,
            })
            .err()
            .map(|e| match e {
                DomainError::Validation(v) => v.into_iter().map(|f| f.field).collect::<Vec<_>>(),
                _ => vec![],
            });
        assert_eq!(err, Some(vec!["working_days".to_owned(), "work_end".to_owned()]));
    }
}
