//! How close each forecast method came to what was actually won.
//!
//! Error = forecast − actual (positive: over-forecast); absolute percentage
//! error = |error| / actual, undefined when nothing was won; the mean
//! absolute percentage error (MAPE, Hyndman & Koehler, "Another look at
//! measures of forecast accuracy", *International Journal of Forecasting*
//! 22(4), 2006) averages it over the forecasts where it is defined.

use chrono::{Datelike, NaiveDate};

use crate::DomainError;

/// A way of forecasting a period's won revenue from one forecast row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Method {
    /// Closed won + the stage-probability weighted pipeline.
    Weighted,
    /// The history-based model: expected + expected_new.
    History,
    /// The reps' commit (closed won + open Commit).
    Commit,
    /// The reps' best case.
    BestCase,
}

impl Method {
    /// Every method, in report order.
    pub const ALL: [Method; 4] = [Method::Weighted, Method::History, Method::Commit, Method::BestCase];

    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Weighted => "weighted",
            Self::History => "history",
            Self::Commit => "commit",
            Self::BestCase => "best_case",
        }
    }
}

/// What each method forecast, minor units of the base currency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MethodForecasts {
    /// Closed won + weighted.
    pub weighted: i128,
    /// Expected + expected_new.
    pub history: i128,
    /// Commit.
    pub commit: i128,
    /// Best case.
    pub best_case: i128,
}

impl MethodForecasts {
    /// The forecast of `method`.
    pub fn of(&self, method: Method) -> i128 {
        match method {
            Method::Weighted => self.weighted,
            Method::History => self.history,
            Method::Commit => self.commit,
            Method::BestCase => self.best_case,
        }
    }
}

/// One forecast measured against the actual.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Accuracy {
    /// The method.
    pub method: Method,
    /// What it forecast.
    pub forecast: i128,
    /// What was won.
    pub actual: i128,
}

impl Accuracy {
    /// forecast − actual.
    pub fn error(&self) -> i128 {
        self.forecast - self.actual
    }

    /// |error| / actual; `None` when actual is zero.
    pub fn absolute_percentage_error(&self) -> Option<f64> {
        (self.actual != 0).then(|| (self.error().abs() as f64) / (self.actual.abs() as f64))
    }
}

/// Every method's accuracy for one forecast.
pub fn measure(f: &MethodForecasts, actual: i128) -> Vec<Accuracy> {
    Method::ALL
        .iter()
        .map(|m| Accuracy {
            method: *m,
            forecast: f.of(*m),
            actual,
        })
        .collect()
}

/// Mean absolute percentage error of `method` over `all`, and how many
/// forecasts it averages; `None` when none has a nonzero actual.
pub fn mape(all: &[Accuracy], method: Method) -> (Option<f64>, usize) {
    let apes: Vec<f64> = all
        .iter()
        .filter(|a| a.method == method)
        .filter_map(Accuracy::absolute_percentage_error)
        .collect();
    let n = apes.len();
    ((n > 0).then(|| apes.iter().sum::<f64>() / n as f64), n)
}

/// The last day of every month from `from`'s month to `to`'s, both
/// included, at most 120.
///
/// # Errors
/// [`DomainError::Validation`] on `to` when it is before `from`, or on
/// `from` when the range spans more than 120 months.
pub fn month_ends(from: NaiveDate, to: NaiveDate) -> Result<Vec<NaiveDate>, DomainError> {
    if to < from {
        return Err(DomainError::invalid("to", "before_from", "must not be before from"));
    }
    let months = (to.year() - from.year()) * 12 + to.month0() as i32 - from.month0() as i32 + 1;
    if months > 120 {
        return Err(DomainError::invalid(
            "from",
            "range_too_long",
            "a back-test covers at most 120 month-ends",
        ));
    }
    let mut out = Vec::new();
    let mut first = from.with_day(1).unwrap_or(from);
    for _ in 0..months {
        let Some(next) = first.checked_add_months(chrono::Months::new(1)) else {
            break;
        };
        out.push(next.pred_opt().unwrap_or(next));
        first = next;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn errors_and_mape_skip_periods_without_wins() {
        let f = MethodForecasts {
            weighted: 50,
            history: 120,
            commit: 100,
            best_case: 0,
        };
        let mut all = measure(&f, 100);
        all.extend(measure(&f, 0));
        assert_eq!(all[0].error(), -50);
        assert_eq!(all[1].absolute_percentage_error(), Some(0.2));
        assert_eq!(all[4].absolute_percentage_error(), None);
        assert_eq!(mape(&all, Method::Weighted), (Some(0.5), 1));
        assert_eq!(mape(&[], Method::History), (None, 0));
    }

    #[test]
    fn month_ends_cover_the_range() {
        assert_eq!(
            month_ends(d("2017-01-15"), d("2017-04-01")).ok(),
            Some(vec![d("2017-01-31"), d("2017-02-28"), d("2017-03-31"), d("2017-04-30")])
        );
        assert!(month_ends(d("2017-02-01"), d("2017-01-01")).is_err());
        assert!(month_ends(d("2000-01-01"), d("2017-01-01")).is_err());
    }
}
