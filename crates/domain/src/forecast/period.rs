//! Fiscal periods: months, quarters and years of the org's fiscal calendar.
//!
//! A fiscal year is named after the calendar year it starts in (Salesforce's
//! "starting month, named by the starting year" convention): with a fiscal
//! year starting in April, FY2017 runs from 2017-04-01 to 2018-03-31 and
//! `2017-Q1` is April to June 2017. Periods are days of the org's time zone:
//! a deal closed at 23:30 local time on the last day belongs to the period.

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};

use crate::DomainError;
use crate::import::start_of_day;
use crate::org::{FiscalYearStartMonth, TimeZone};

/// How long a period is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PeriodKind {
    /// One fiscal month.
    Month,
    /// Three fiscal months.
    Quarter,
    /// Twelve fiscal months.
    Year,
}

impl PeriodKind {
    /// Months in the period.
    pub fn months(self) -> u32 {
        match self {
            Self::Month => 1,
            Self::Quarter => 3,
            Self::Year => 12,
        }
    }

    /// Parses `month`, `quarter` or `year`.
    ///
    /// # Errors
    /// [`DomainError::Validation`] on `field`: `invalid_choice`.
    pub fn parse(field: &str, raw: &str) -> Result<Self, DomainError> {
        match raw {
            "month" => Ok(Self::Month),
            "quarter" => Ok(Self::Quarter),
            "year" => Ok(Self::Year),
            _ => Err(DomainError::invalid(field, "invalid_choice", "must be month, quarter or year")),
        }
    }

    /// Stored and wire name: `month`, `quarter`, `year`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Month => "month",
            Self::Quarter => "quarter",
            Self::Year => "year",
        }
    }
}

/// One fiscal period: `2017` (the year), `2017-Q3` (its third quarter) or
/// `2017-M07` (its seventh month), all counted from the fiscal year start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FiscalPeriod {
    /// Fiscal year (the calendar year it starts in), 1900–2999.
    pub year: i32,
    /// Length.
    pub kind: PeriodKind,
    /// 1-based position in the year: month 1–12, quarter 1–4, year 1.
    pub index: u32,
}

impl FiscalPeriod {
    /// Parses `YYYY`, `YYYY-Qn` (n 1–4) or `YYYY-Mnn` (nn 01–12).
    ///
    /// # Errors
    /// [`DomainError::Validation`] on `field` with code `invalid_period`.
    pub fn parse(field: &str, raw: &str) -> Result<Self, DomainError> {
        let bad = || {
            DomainError::invalid(
                field,
                "invalid_period",
                "must be a fiscal year (2017), quarter (2017-Q3) or month (2017-M07), year 1900–2999",
            )
        };
        let (year, rest) = match raw.split_once('-') {
            Some((y, r)) => (y, Some(r)),
            None => (raw, None),
        };
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let year: i32 = year.parse().map_err(|_| bad())?;
        if !(1900..=2999).contains(&year) {
            return Err(bad());
        }
        let number = |s: &str, len: usize, max: u32| {
            (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse::<u32>().ok())
                .flatten()
                .filter(|n| (1..=max).contains(n))
        };
        let (kind, index) = match rest {
            None => (PeriodKind::Year, 1),
            Some(r) => match (r.strip_prefix('Q'), r.strip_prefix('M')) {
                (Some(q), _) => (PeriodKind::Quarter, number(q, 1, 4).ok_or_else(bad)?),
                (_, Some(m)) => (PeriodKind::Month, number(m, 2, 12).ok_or_else(bad)?),
                _ => return Err(bad()),
            },
        };
        Ok(Self { year, kind, index })
    }

    /// The label [`FiscalPeriod::parse`] reads.
    pub fn label(&self) -> String {
        match self.kind {
            PeriodKind::Year => format!("{}", self.year),
            PeriodKind::Quarter => format!("{}-Q{}", self.year, self.index),
            PeriodKind::Month => format!("{}-M{:02}", self.year, self.index),
        }
    }

    /// First local day.
    pub fn first_day(&self, start: FiscalYearStartMonth) -> NaiveDate {
        let year_start = NaiveDate::from_ymd_opt(self.year, u32::from(start.get()), 1).unwrap_or(NaiveDate::MIN);
        year_start + Months::new((self.index - 1) * self.kind.months())
    }

    /// Last local day (included).
    pub fn last_day(&self, start: FiscalYearStartMonth) -> NaiveDate {
        let next = self.first_day(start) + Months::new(self.kind.months());
        next.pred_opt().unwrap_or(next)
    }

    /// The UTC instants `[start, end)` of the period in `tz`.
    pub fn bounds(&self, start: FiscalYearStartMonth, tz: TimeZone) -> (DateTime<Utc>, DateTime<Utc>) {
        let first = self.first_day(start);
        let after = first + Months::new(self.kind.months());
        (start_of_day(first, tz), start_of_day(after, tz))
    }

    /// The period of length `kind` that contains local day `day`.
    pub fn containing(kind: PeriodKind, day: NaiveDate, start: FiscalYearStartMonth) -> Self {
        let start_month = i64::from(start.get());
        let months_since = i64::from(day.year()) * 12 + i64::from(day.month()) - start_month;
        let year = months_since.div_euclid(12);
        let month_in_year = u32::try_from(months_since.rem_euclid(12)).unwrap_or(0);
        Self {
            year: i32::try_from(year).unwrap_or(i32::MAX),
            kind,
            index: month_in_year / kind.months() + 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn april() -> FiscalYearStartMonth {
        FiscalYearStartMonth::parse("m", 4).unwrap_or_else(|_| unreachable!())
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn labels_round_trip_and_bad_ones_are_refused() {
        for raw in ["2017", "2017-Q1", "2017-Q4", "2017-M01", "2017-M12"] {
            assert_eq!(FiscalPeriod::parse("period", raw).map(|p| p.label()).ok().as_deref(), Some(raw));
        }
        for raw in [
            "17",
            "2017-Q5",
            "2017-Q0",
            "2017-M13",
            "2017-M1",
            "2017-H1",
            "3000",
            "1899-Q1",
            "2017-",
            "२०१७",
        ] {
            assert!(FiscalPeriod::parse("period", raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn a_fiscal_year_starting_in_april_is_named_by_its_first_year() {
        let q1 = FiscalPeriod::parse("p", "2017-Q1").unwrap_or_else(|_| unreachable!());
        assert_eq!((q1.first_day(april()), q1.last_day(april())), (d(2017, 4, 1), d(2017, 6, 30)));
        let q4 = FiscalPeriod::parse("p", "2017-Q4").unwrap_or_else(|_| unreachable!());
        assert_eq!((q4.first_day(april()), q4.last_day(april())), (d(2018, 1, 1), d(2018, 3, 31)));
        let m11 = FiscalPeriod::parse("p", "2017-M11").unwrap_or_else(|_| unreachable!());
        assert_eq!((m11.first_day(april()), m11.last_day(april())), (d(2018, 2, 1), d(2018, 2, 28)));
        assert_eq!(FiscalPeriod::containing(PeriodKind::Quarter, d(2018, 3, 31), april()), q4);
        assert_eq!(FiscalPeriod::containing(PeriodKind::Quarter, d(2017, 4, 1), april()), q1);
        assert_eq!(FiscalPeriod::containing(PeriodKind::Year, d(2017, 3, 31), april()).label(), "2016");
    }

    #[test]
    fn bounds_follow_the_org_time_zone() {
        let tokyo = TimeZone::parse("tz", "Asia/Tokyo").unwrap_or_else(|_| unreachable!());
        let q1 = FiscalPeriod::parse("p", "2017-Q1").unwrap_or_else(|_| unreachable!());
        let (from, to) = q1.bounds(april(), tokyo);
        assert_eq!(from.to_rfc3339(), "2017-03-31T15:00:00+00:00");
        assert_eq!(to.to_rfc3339(), "2017-06-30T15:00:00+00:00");
        let in_q1: DateTime<Utc> = "2017-06-30T14:30:00Z".parse().unwrap_or_default();
        let in_q2: DateTime<Utc> = "2017-06-30T15:30:00Z".parse().unwrap_or_default();
        assert!(in_q1 >= from && in_q1 < to);
        assert!(in_q2 >= to);
    }
}
