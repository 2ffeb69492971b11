//! The one source of "now".
//!
//! Every component that needs the current instant receives an `Arc<dyn Clock>`;
//! nothing else in Glassbox reads the system clock. Tests pin time with
//! [`FixedClock`]; a running server under `GLASSBOX_ENV=test` uses
//! [`OffsetClock`] started at `GLASSBOX_FAKE_NOW` (the idea of Stripe's test
//! clocks: a chosen start instant that keeps ticking in real time).

use std::sync::Mutex;
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};

/// A source of the current instant (UTC).
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current instant in UTC.
    fn now(&self) -> DateTime<Utc>;
}

/// The real wall clock. The only place in Glassbox that reads system time.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that starts at a chosen instant and then ticks in real time
/// (monotonic: it measures elapsed time with [`Instant`], so wall-clock jumps
/// on the host do not move it).
#[derive(Debug, Clone)]
pub struct OffsetClock {
    start: DateTime<Utc>,
    started: Instant,
}

impl OffsetClock {
    /// A clock that reads `start` now and advances with real elapsed time.
    pub fn starting_at(start: DateTime<Utc>) -> Self {
        Self {
            start,
            started: Instant::now(),
        }
    }
}

impl Clock for OffsetClock {
    fn now(&self) -> DateTime<Utc> {
        let elapsed = Duration::from_std(self.started.elapsed()).unwrap_or(Duration::MAX);
        self.start.checked_add_signed(elapsed).unwrap_or(DateTime::<Utc>::MAX_UTC)
    }
}

/// A clock that stands still until it is told to move; for tests.
#[derive(Debug)]
pub struct FixedClock {
    now: Mutex<DateTime<Utc>>,
}

impl FixedClock {
    /// A clock frozen at `now`.
    pub fn new(now: DateTime<Utc>) -> Self {
        Self { now: Mutex::new(now) }
    }

    /// Moves the clock to `now`.
    pub fn set(&self, now: DateTime<Utc>) {
        if let Ok(mut guard) = self.now.lock() {
            *guard = now;
        }
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        if let Ok(mut guard) = self.now.lock() {
            *guard += by;
        }
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.now.lock().map(|g| *g).unwrap_or_else(|poisoned| *poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn fixed_clock_stands_still_and_advances_on_request() {
        let t0 = Utc.with_ymd_and_hms(2017, 3, 1, 9, 30, 0).unwrap();
        let clock = FixedClock::new(t0);
        assert_eq!(clock.now(), t0);
        clock.advance(Duration::minutes(90));
        assert_eq!(clock.now(), Utc.with_ymd_and_hms(2017, 3, 1, 11, 0, 0).unwrap());
    }

    #[test]
    fn offset_clock_starts_at_the_given_instant_and_ticks_forward() {
        let t0 = Utc.with_ymd_and_hms(2017, 3, 1, 9, 30, 0).unwrap();
        let clock = OffsetClock::starting_at(t0);
        let first = clock.now();
        assert!(first >= t0 && first < t0 + Duration::seconds(5));
        assert!(clock.now() >= first);
    }
}
