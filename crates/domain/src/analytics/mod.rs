//! Process analytics computed from stage history: funnel, stage conversion,
//! stalled deals. Storage aggregates in SQL; this module holds the shapes,
//! the formulas and the point in time they are read at.

use chrono::{DateTime, Days, NaiveDate, TimeDelta, Utc};
use uuid::Uuid;

use crate::import::start_of_day;
use crate::org::TimeZone;
use crate::pipeline::StageKind;
use crate::stats::WinLoss;

mod funnel;
mod reps;
pub mod rollup;
mod stalled;
mod waterfall;

pub use funnel::{Funnel, FunnelStage, StageConversion, StageOutcomes, Transition};
pub use reps::{Behaviour, RepFigures, mean_minor, top_quartile_vs_rest};
pub use rollup::{CellKey, DealFacts, Figures, FunnelDelta, Metric, Stay, cells, funnel_deltas};
pub use stalled::{StalledOpportunity, StalledRule};
pub use waterfall::Waterfall;

/// Seconds in a day, for durations reported in days.
pub const SECONDS_PER_DAY: f64 = 86_400.0;

/// The moment analytics read history at: a timestamp, or a day of the org's
/// calendar meaning the end of that day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AsOf {
    /// This instant.
    Instant(DateTime<Utc>),
    /// The last microsecond of this local day.
    Date(NaiveDate),
}

impl AsOf {
    /// The instant: history rows entered at or before it count, stays that
    /// end after it are still current.
    pub fn instant(&self, tz: TimeZone) -> DateTime<Utc> {
        match self {
            Self::Instant(t) => *t,
            Self::Date(d) => {
                let next = d.checked_add_days(Days::new(1)).unwrap_or(*d);
                start_of_day(next, tz) - TimeDelta::microseconds(1)
            }
        }
    }
}

/// Where deals stood at the moment read: won, lost or still open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Outcomes {
    /// In a won stage.
    pub won: u64,
    /// In a lost stage.
    pub lost: u64,
    /// In an open stage.
    pub open: u64,
}

impl Outcomes {
    /// Adds `n` deals in a stage of `kind`.
    pub fn add(&mut self, kind: StageKind, n: u64) {
        match kind {
            StageKind::Won => self.won += n,
            StageKind::Lost => self.lost += n,
            StageKind::Open => self.open += n,
        }
    }

    /// All deals counted.
    pub fn total(&self) -> u64 {
        self.won + self.lost + self.open
    }

    /// Won and lost only.
    pub fn closed(&self) -> WinLoss {
        WinLoss {
            won: self.won,
            lost: self.lost,
        }
    }

    /// `part / total`; `None` when nothing is counted.
    pub fn share(&self, part: u64) -> Option<f64> {
        let total = self.total();
        (total > 0).then(|| part as f64 / total as f64)
    }
}

/// A stage as analytics report it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageRef {
    /// Stage id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Position in its pipeline, 1-based.
    pub position: i32,
    /// Open, won or lost.
    pub kind: StageKind,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_means_the_end_of_that_local_day() {
        let tz = TimeZone::parse("tz", "Asia/Tokyo").unwrap_or_else(|_| unreachable!());
        let d = NaiveDate::from_ymd_opt(2017, 6, 30).unwrap_or_default();
        assert_eq!(AsOf::Date(d).instant(tz).to_rfc3339(), "2017-06-30T14:59:59.999999+00:00");
    }

    #[test]
    fn outcomes_give_shares_and_the_closed_win_rate() {
        let mut o = Outcomes::default();
        o.add(StageKind::Won, 3);
        o.add(StageKind::Lost, 1);
        o.add(StageKind::Open, 4);
        assert_eq!((o.total(), o.share(o.open), o.closed().win_rate()), (8, Some(0.5), Some(0.75)));
    }
}
